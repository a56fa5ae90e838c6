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
from zc.relation.catalog import Any
from zc.relation.catalog import Catalog
from zc.relation.catalog import any as any_of
from zc.relation.queryfactory import TransposingTransitive
from zc.relation.searchindex import Intransitive
from zc.relation.searchindex import TransposingTransitiveMembership
from zc.relation.tests import legacy


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

    def test_a_catalog_survives_closing_and_reopening_its_database(self):
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

    def test_two_connections_index_at_once_and_both_commit(self):
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

    def test_a_copy_of_the_catalog_commits(self):
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


class DatabaseWrittenBeforeTheSplitTests(unittest.TestCase):
    """``data/catalog-4.0.0.dev0.fs`` was written by the single-module
    catalog; its pickles name ``zc.relation.catalog.Catalog``,
    ``...catalog.Any``, ``...catalog._ListenerHolder``,
    ``...queryfactory.TransposingTransitive`` and both search indexes."""

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix='zc.relation-')
        self.path = os.path.join(self.dir, 'Data.fs')
        shutil.copyfile(
            os.path.join(os.path.dirname(__file__), 'data',
                         'catalog-4.0.0.dev0.fs'), self.path)
        self.db = ZODB.DB(ZODB.FileStorage.FileStorage(self.path))
        self.conn = self.db.open()
        self.root = self.conn.root()
        self.catalog = self.root['catalog']
        self.folders = self.root['folders']

    def tearDown(self):
        transaction.abort()
        self.conn.close()
        self.db.close()
        shutil.rmtree(self.dir)

    def token(self, folder_name):
        return legacy.dump_oid(self.folders[folder_name], None, None)

    def names(self, tokens):
        return sorted(self.catalog.findValueTokens(
            'name', {RELATION: Any(tokens)}, maxDepth=1))

    def test_old_catalog_answers_searches_with_and_without_its_indexes(self):
        catalog = self.catalog
        self.assertEqual(len(catalog), len(legacy.LAYOUT))
        for ignore in (False, True):
            self.assertEqual(
                self.names(catalog.findRelationTokens(
                    {'parents': self.token('top')},
                    ignoreSearchIndex=ignore)),
                ['back', 'docs', 'loop', 'music', 'shared', 'specs'])
            self.assertEqual(
                sorted(catalog.findValueTokens(
                    'name', {'parents': self.token('music')},
                    ignoreSearchIndex=ignore)),
                ['back', 'loop', 'shared'])
        self.assertEqual(
            self.names(catalog.findRelationTokens(
                {RELATION: self.token('back')})),
            ['back', 'loop', 'music', 'top'])
        self.assertTrue(catalog.canFind(
            {'parents': self.token('loop')},
            targetQuery={RELATION: self.token('loop')}))
        self.assertEqual(
            self.names(catalog.findCycleTokens(
                {'parents': self.token('top')})), ['back', 'loop'])

    def test_old_catalog_keeps_its_registrations(self):
        catalog = self.catalog
        self.assertEqual(
            [type(f).__name__ for f in catalog.iterDefaultQueryFactories()],
            ['TransposingTransitive', 'TransposingTransitive'])
        static = list(catalog.iterDefaultQueryFactories())[1].static
        self.assertEqual(static, (('kind', any_of('folder', 'archive')),))
        self.assertEqual(
            [type(ix).__name__ for ix in catalog.iterSearchIndexes()],
            ['TransposingTransitiveMembership', 'Intransitive'])
        listeners = list(catalog.iterListeners())
        self.assertIs(listeners[0], self.root['counter'])
        self.assertIsInstance(listeners[1], legacy.Tally)
        info = {i['name']: i for i in catalog.iterValueIndexInfo()}
        self.assertIs(info['kind']['element'], legacy.IFolder['kind'])
        self.assertEqual(
            sorted(catalog.findRelationTokens(
                {'parents': self.token('docs'), 'kind': 'folder'})),
            sorted([self.token('specs'), self.token('shared')]))

    def test_old_catalog_indexes_moves_and_commits(self):
        catalog = self.catalog
        counted = self.root['counter'].messages
        self.folders['photos'] = photos = legacy.Folder(
            'photos', [self.folders['orphan']])
        catalog.index(photos)
        self.folders['docs'].parents = [self.folders['orphan']]
        catalog.index(self.folders['docs'])
        self.assertEqual(self.root['counter'].messages, counted + 2)
        transaction.commit()
        self.conn.close()
        self.db.close()
        self.db = ZODB.DB(ZODB.FileStorage.FileStorage(self.path))
        self.conn = self.db.open()
        self.root = self.conn.root()
        self.catalog = self.root['catalog']
        self.folders = self.root['folders']
        for ignore in (False, True):
            self.assertEqual(
                self.names(self.catalog.findRelationTokens(
                    {'parents': self.token('orphan')},
                    ignoreSearchIndex=ignore)),
                ['docs', 'photos', 'shared', 'specs'])
            self.assertEqual(
                self.names(self.catalog.findRelationTokens(
                    {'parents': self.token('top')},
                    ignoreSearchIndex=ignore)),
                ['back', 'loop', 'music', 'shared'])
