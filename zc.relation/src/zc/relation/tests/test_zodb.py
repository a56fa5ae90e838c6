"""A catalog in a real database: FileStorage in a temporary directory."""
import os
import shutil
import tempfile
import unittest

import BTrees
import persistent
import transaction
import ZODB
import ZODB.FileStorage
import ZODB.utils

from zc.relation import RELATION
from zc.relation.catalog import Catalog
from zc.relation.queryfactory import TransposingTransitive
from zc.relation.searchindex import Intransitive
from zc.relation.searchindex import TransposingTransitiveMembership


class Folder(persistent.Persistent):
    """A folder shared into a parent folder (a file-sharing graph)."""

    def __init__(self, name, parent=None):
        self.name = name
        self.parent = parent


def dump_oid(obj, catalog, cache):
    if obj._p_jar is None:
        catalog._p_jar.add(obj)
    return ZODB.utils.u64(obj._p_oid)


def load_oid(token, catalog, cache):
    return catalog._p_jar.get(ZODB.utils.p64(token))


def parent(folder, catalog):
    return None if folder.parent is None else dump_oid(
        folder.parent, catalog, None)


def name(folder, catalog):
    return folder.name


class ZODBTests(unittest.TestCase):

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix='zc.relation-')
        self.path = os.path.join(self.dir, 'Data.fs')
        self.db = self.open()

    def tearDown(self):
        transaction.abort()
        self.db.close()
        shutil.rmtree(self.dir)

    def open(self):
        return ZODB.DB(ZODB.FileStorage.FileStorage(self.path))

    def build(self):
        conn = self.db.open()
        root = conn.root()
        catalog = root['catalog'] = Catalog(
            dump_oid, load_oid, family=BTrees.family64)
        catalog.addValueIndex(parent, btree=BTrees.family64.IF)
        catalog.addValueIndex(name, btree=BTrees.family64.OI)
        catalog.addDefaultQueryFactory(TransposingTransitive(
            'parent', RELATION))
        catalog.addSearchIndex(TransposingTransitiveMembership(
            'parent', RELATION, names=('name',)))
        catalog.addSearchIndex(Intransitive(('name',)))
        transaction.commit()
        top = Folder('top')
        docs = Folder('docs', top)
        root['folders'] = [top, docs, Folder('specs', docs),
                           Folder('music', top)]
        for folder in root['folders']:
            catalog.index(folder)
        transaction.commit()
        return conn

    def test_round_trip(self):
        conn = self.build()
        top_token = dump_oid(conn.root()['folders'][0], None, None)
        conn.close()
        self.db.close()
        self.db = self.open()
        conn = self.db.open()
        catalog = conn.root()['catalog']
        self.assertEqual(len(catalog), 4)
        self.assertEqual(
            sorted(catalog.findValueTokens('name', {'parent': top_token})),
            ['docs', 'music', 'specs'])
        self.assertEqual(
            sorted(catalog.findValueTokens('name', {'parent': top_token},
                                           ignoreSearchIndex=True)),
            ['docs', 'music', 'specs'])
        self.assertEqual(
            [f.name for f in catalog.findRelations({'name': 'specs'})],
            ['specs'])
        specs = next(iter(catalog.findRelationTokens({'name': 'specs'})))
        self.assertEqual(
            [f.name for f in catalog.findRelations({RELATION: specs})],
            ['specs', 'docs', 'top'])
        info = {i['name']: i for i in catalog.iterValueIndexInfo()}
        self.assertIs(info['name']['btree'], BTrees.family64.OI)
        self.assertIs(info['parent']['element'], parent)

    def test_two_connections_index_concurrently(self):
        conn = self.build()
        top = conn.root()['folders'][0]
        top_token = dump_oid(top, None, None)
        conn.close()
        tm1 = transaction.TransactionManager()
        tm2 = transaction.TransactionManager()
        c1 = self.db.open(tm1)
        c2 = self.db.open(tm2)
        cat1 = c1.root()['catalog']
        cat2 = c2.root()['catalog']
        cat1.index(Folder('photos', c1.get(top._p_oid)))
        cat2.index(Folder('videos', c2.get(top._p_oid)))
        tm1.commit()
        # The second writer touches the same BTree buckets and Length;
        # their conflict resolution merges the two insertions.
        tm2.commit()
        c1.close()
        c2.close()
        conn = self.db.open()
        catalog = conn.root()['catalog']
        self.assertEqual(len(catalog), 6)
        self.assertEqual(
            sorted(catalog.findValueTokens('name', {'parent': top_token})),
            ['docs', 'music', 'photos', 'specs', 'videos'])
        conn.close()

    def test_copy_commits(self):
        conn = self.build()
        root = conn.root()
        root['copy'] = root['catalog'].copy()
        transaction.commit()
        conn.close()
        conn = self.db.open()
        copy = conn.root()['copy']
        self.assertEqual(len(copy), 4)
        self.assertEqual(list(copy.findRelations({'name': 'music'}))[0].name,
                         'music')
        conn.close()
