"""Relations, value functions and listeners shared by the test modules."""
import BTrees
import persistent

from zc.relation.catalog import Catalog


class Rel:
    """An integer-token relation with a parent and a set of tags."""

    registry = {}

    def __init__(self, token, parent=None, tags=None):
        self.token = token
        self.parent = parent
        self.tags = tags
        Rel.registry[token] = self


def dump(rel, catalog, cache):
    return rel.token


def load(token, catalog, cache):
    return Rel.registry[token]


def parent(rel, catalog):
    return rel.parent


def tags(rel, catalog):
    return rel.tags


class Recorder:
    """A non-persistent listener recording its messages."""

    def __init__(self, log, label='listener'):
        self.log = log
        self.label = label

    def relationAdded(self, token, catalog, additions):
        self.log.append((self.label, 'added', token, _plain(additions)))

    def relationModified(self, token, catalog, additions, removals):
        self.log.append((self.label, 'modified', token, _plain(additions),
                         _plain(removals)))

    def relationRemoved(self, token, catalog, removals):
        self.log.append((self.label, 'removed', token, _plain(removals)))

    def sourceCleared(self, catalog):
        self.log.append((self.label, 'cleared'))

    def sourceAdded(self, catalog):
        self.log.append((self.label, 'sourceAdded'))

    def sourceRemoved(self, catalog):
        self.log.append((self.label, 'sourceRemoved'))

    def sourceCopied(self, original, copy):
        self.log.append((self.label, 'sourceCopied', copy))


class PersistentRecorder(Recorder, persistent.Persistent):
    pass


def _plain(mapping):
    return {k: (None if v is None else list(v)) for k, v in mapping.items()}


def make_tree():
    """0 -> 1, 2; 1 -> 3, 4; 2 -> 5 (parent links), tags on some."""
    catalog = Catalog(dump, load)
    catalog.addValueIndex(parent)
    catalog.addValueIndex(tags, multiple=True, btree=BTrees.family32.OI)
    for token, par, tg in [(0, None, ['root']), (1, 0, ['a', 'b']),
                           (2, 0, None), (3, 1, ['a']), (4, 1, []),
                           (5, 2, ['c'])]:
        catalog.index(Rel(token, par, tg))
    return catalog
