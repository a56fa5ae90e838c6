"""The objects stored in ``catalog-4.0.0.dev0.fs``, a database written by
zc.relation 4.0.0.dev0 before the catalog was split into modules.

The database pickles references to this module's class and functions, so
they keep their names.  `write` is how the file was made; run it again
only to make a new fixture, never to replace this one.
"""
import BTrees
import persistent
import transaction
import ZODB
import ZODB.FileStorage
import ZODB.utils
import zope.interface

from zc.relation import RELATION
from zc.relation.catalog import Catalog
from zc.relation.catalog import any as any_of
from zc.relation.queryfactory import TransposingTransitive
from zc.relation.searchindex import Intransitive
from zc.relation.searchindex import TransposingTransitiveMembership


class IFolder(zope.interface.Interface):

    kind = zope.interface.Attribute('"folder" or "archive"')


@zope.interface.implementer(IFolder)
class Folder(persistent.Persistent):
    """A folder shared into parent folders (a file-sharing graph)."""

    def __init__(self, name, parents=(), kind='folder'):
        self.name = name
        self.parents = list(parents)
        self.kind = kind


class Messages:
    """A listener counting the messages it is sent."""

    def __init__(self):
        self.messages = 0

    def relationAdded(self, token, catalog, additions):
        self.messages += 1

    def relationModified(self, token, catalog, additions, removals):
        self.messages += 1

    def relationRemoved(self, token, catalog, removals):
        self.messages += 1

    def sourceCleared(self, catalog):
        self.messages += 1

    def sourceAdded(self, catalog):
        pass

    def sourceRemoved(self, catalog):
        pass

    def sourceCopied(self, original, copy):
        pass


class Counter(Messages, persistent.Persistent):
    """A persistent listener: the catalog stores it directly."""


class Tally(Messages):
    """A plain listener: the catalog stores it in a holder."""


def dump_oid(obj, catalog, cache):
    if obj._p_jar is None:
        catalog._p_jar.add(obj)
    return ZODB.utils.u64(obj._p_oid)


def load_oid(token, catalog, cache):
    return catalog._p_jar.get(ZODB.utils.p64(token))


def parents(folder, catalog):
    return [dump_oid(p, catalog, None) for p in folder.parents]


def name(folder, catalog):
    return folder.name


# name: parent names.  "shared" sits in two folders; "loop" and "back"
# form a cycle below "music"; "orphan" has no parent.
LAYOUT = [
    ('top', ()), ('docs', ('top',)), ('music', ('top',)),
    ('specs', ('docs',)), ('shared', ('docs', 'music')),
    ('loop', ('music', 'back')), ('back', ('loop',)), ('orphan', ()),
]


def write(path):
    """Write the fixture database to `path`."""
    db = ZODB.DB(ZODB.FileStorage.FileStorage(path))
    conn = db.open()
    root = conn.root()
    catalog = root['catalog'] = Catalog(
        dump_oid, load_oid, btree=BTrees.family64.IF, family=BTrees.family64)
    transaction.commit()
    catalog.addValueIndex(parents, multiple=True, btree=BTrees.family64.IF)
    catalog.addValueIndex(name, btree=BTrees.family64.OI)
    catalog.addValueIndex(IFolder['kind'], btree=BTrees.family64.OI)
    catalog.addDefaultQueryFactory(TransposingTransitive('parents', RELATION))
    catalog.addDefaultQueryFactory(TransposingTransitive(
        'parents', RELATION, static={'kind': any_of('folder', 'archive')}))
    catalog.addSearchIndex(TransposingTransitiveMembership(
        'parents', RELATION, names=('name',)))
    catalog.addSearchIndex(Intransitive(('name',)))
    counter = root['counter'] = Counter()
    catalog.addListener(counter)
    catalog.addListener(Tally())
    folders = root['folders'] = {}
    for folder_name, parent_names in LAYOUT:
        folders[folder_name] = Folder(folder_name)
    for folder_name, parent_names in LAYOUT:
        folders[folder_name].parents = [folders[p] for p in parent_names]
    for folder_name, parent_names in LAYOUT:
        catalog.index(folders[folder_name])
    transaction.commit()
    conn.close()
    db.close()
