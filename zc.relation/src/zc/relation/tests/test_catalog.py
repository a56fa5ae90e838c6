"""The catalog's data and its maintenance: value indexes, indexing,
listeners, copy and clear."""
import unittest

import BTrees
import zope.interface
import zope.interface.verify

from zc.relation import RELATION
from zc.relation.catalog import Catalog
from zc.relation.catalog import any as any_of
from zc.relation.searchindex import Intransitive
from zc.relation.tests.support import PersistentRecorder
from zc.relation.tests.support import Recorder
from zc.relation.tests.support import Rel
from zc.relation.tests.support import dump
from zc.relation.tests.support import load
from zc.relation.tests.support import make_tree
from zc.relation.tests.support import parent
from zc.relation.tests.support import tags


class ValueIndexTests(unittest.TestCase):
    """Adding, removing and filling value indexes."""

    def test_addValueIndex_reports_bad_arguments_in_a_fixed_order(self):
        catalog = Catalog(dump, load)
        catalog.addValueIndex(parent)
        with self.assertRaises(ValueError) as e:
            catalog.addValueIndex(parent, dump=dump)
        self.assertEqual(e.exception.args, (
            "either both of 'dump' and 'load' must be None, or neither",))
        with self.assertRaises(ValueError) as e:
            catalog.addValueIndex(parent, name='other')
        self.assertEqual(e.exception.args, ('element already indexed',
                                            parent))

        class Nameless:
            def __call__(self, rel, catalog):
                return None
        with self.assertRaises(ValueError) as e:
            catalog.addValueIndex(Nameless())
        self.assertEqual(e.exception.args, ('no name specified',))
        with self.assertRaises(ValueError) as e:
            catalog.addValueIndex(tags, name='parent')
        self.assertEqual(e.exception.args, ('name already used', 'parent'))

    def test_a_removed_value_index_can_be_added_again_and_is_refilled(self):
        catalog = make_tree()
        with self.assertRaises(KeyError) as e:
            catalog.removeValueIndex('nope')
        self.assertEqual(e.exception.args, ('nope',))
        catalog.removeValueIndex('tags')
        self.assertIsNone(catalog.getValueTokens('tags', 1))
        with self.assertRaises(KeyError):
            catalog.getValueModuleTools('tags')
        catalog.addValueIndex(tags, multiple=True, btree=BTrees.family32.OI)
        self.assertEqual(list(catalog.getValueTokens('tags', 1)), ['a', 'b'])
        self.assertEqual(list(catalog.findRelationTokens({'tags': 'a'})),
                         [1, 3])

    def test_adding_an_index_tells_listeners_each_relations_tokens(self):
        catalog = Catalog(dump, load)
        log = []
        catalog.addListener(Recorder(log))
        catalog.index(Rel(10, None, ['x']))
        catalog.index(Rel(11, None, None))
        del log[:]
        catalog.addValueIndex(tags, multiple=True, btree=BTrees.family32.OI)
        self.assertEqual(log, [
            ('listener', 'modified', 10, {'tags': ['x']}, {}),
            ('listener', 'modified', 11, {}, {})])

    def test_falsy_values_count_and_multiple_values_are_copied(self):
        catalog = Catalog(dump, load)
        catalog.addValueIndex(parent)
        catalog.addValueIndex(tags, multiple=True)
        catalog.index(Rel(20, 0, []))
        catalog.index(Rel(21, None, None))
        catalog.index(Rel(22, 5, BTrees.family32.IF.TreeSet([1, 2])))
        catalog.index(Rel(23, 5, BTrees.family32.IO.BTree({3: 'x'})))
        self.assertEqual(list(catalog.findRelationTokens({'parent': 0})),
                         [20])
        self.assertEqual(list(catalog.findRelationTokens({'tags': None})),
                         [20, 21])
        self.assertEqual(list(catalog.getValueTokens('tags', 23)), [3])
        stored = catalog.getValueTokens('tags', 22)
        self.assertIsNot(stored, Rel.registry[22].tags)

    def test_reindex_edits_small_changes_in_place_replaces_large_ones(self):
        catalog = Catalog(dump, load)
        catalog.addValueIndex(tags, multiple=True)
        rel = Rel(30, None, BTrees.family32.IF.TreeSet(range(100)))
        catalog.index(rel)
        stored = catalog.getValueTokens('tags', 30)
        rel.tags = BTrees.family32.IF.TreeSet(range(1, 101))
        catalog.index(rel)
        self.assertIs(catalog.getValueTokens('tags', 30), stored)
        self.assertEqual(list(stored), list(range(1, 101)))
        rel.tags = BTrees.family32.IF.TreeSet(range(500, 510))
        catalog.index(rel)
        self.assertEqual(list(catalog.getValueTokens('tags', 30)),
                         list(range(500, 510)))
        self.assertEqual(list(catalog.findRelationTokens({'tags': 50})), [])
        rel.tags = None
        catalog.index(rel)
        self.assertIsNone(catalog.getValueTokens('tags', 30))
        self.assertEqual(list(catalog.findRelationTokens({'tags': None})),
                         [30])
        rel.tags = [7]
        catalog.index(rel)
        self.assertEqual(list(catalog.findRelationTokens({'tags': 7})), [30])

    def test_interface_attributes_and_methods_index_adapted_relations(self):
        class IThing(zope.interface.Interface):
            size = zope.interface.Attribute('how big it is')

            def colour():
                """its colour"""

        @zope.interface.implementer(IThing)
        class Thing:
            def __init__(self, token, size, colour):
                self.token = token
                self.size = size
                self._colour = colour
                Rel.registry[token] = self

            def colour(self):
                return self._colour

        catalog = Catalog(dump, load)
        catalog.addValueIndex(IThing['size'])
        catalog.addValueIndex(IThing['colour'], btree=BTrees.family32.OI)
        catalog.index(Thing(40, 0, 'red'))
        catalog.index(Rel(41))  # does not adapt: no values
        self.assertEqual(list(catalog.findRelationTokens({'size': 0})), [40])
        self.assertEqual(list(catalog.findRelationTokens({'colour': None})),
                         [41])
        with self.assertRaises(ValueError):
            catalog.addValueIndex(IThing['size'], name='again')

    def test_unsigned_btree_modules_work(self):
        catalog = Catalog(dump, load, btree=BTrees.family32.UF)
        catalog.addValueIndex(parent, btree=BTrees.family32.UF)
        catalog.index(Rel(50, 51))
        self.assertEqual(list(catalog.findRelationTokens({'parent': 51})),
                         [50])

    def test_a_bad_token_leaves_the_catalog_alone_and_names_the_index(self):
        catalog = make_tree()
        with self.assertRaises(TypeError) as e:
            catalog.index(Rel(60, 'not an int', ['t']))
        self.assertIn("'parent'", str(e.exception))
        self.assertIn("'not an int'", str(e.exception))
        self.assertEqual(len(catalog), 6)
        self.assertEqual(list(catalog.findRelationTokens({'tags': 't'})), [])
        with self.assertRaises(TypeError) as e:
            catalog.findRelationTokens({'parent': 'x'})
        self.assertIn("'parent'", str(e.exception))

    def test_unstorable_values_raise_TypeError_naming_the_index(self):
        with self.assertRaises(TypeError) as e:
            any_of([1], [2])
        self.assertIn('[1]', str(e.exception))
        catalog = Catalog(dump, load)
        catalog.addValueIndex(tags, dump, load, multiple=True)
        with self.assertRaises(TypeError) as e:
            catalog.index(Rel(70, None, 5))
        self.assertIn("'tags'", str(e.exception))
        self.assertEqual(len(catalog), 0)
        catalog = Catalog(dump, load)
        catalog.addValueIndex(tags)
        with self.assertRaises(TypeError) as e:
            catalog.index(Rel(71, None, {'a': 1}))
        self.assertIn("{'a': 1}", str(e.exception))


class TokenHelperTests(unittest.TestCase):
    """Tokenizing and resolving queries and values."""

    def setUp(self):
        self.catalog = make_tree()

    def test_token_helpers_pass_values_through_without_dump_and_load(self):
        c = self.catalog
        self.assertEqual(c.tokenizeQuery({RELATION: Rel.registry[1]}),
                         {None: 1})
        values = [1, 2]
        self.assertIs(c.tokenizeValues(values, 'parent'), values)
        self.assertIs(c.resolveValueTokens(values, 'parent'), values)
        with self.assertRaises(TypeError) as e:
            c.resolveQuery({}, {})
        self.assertEqual(e.exception.args, (
            'supply a query dictionary or keyword arguments, not both',))


class ListenerTests(unittest.TestCase):
    """Change messages, the listener registry, copy and clear."""

    def test_search_indexes_hear_of_changes_before_listeners(self):
        catalog = make_tree()
        log = []
        ix = Intransitive(('parent',))
        catalog.addSearchIndex(ix)
        ix.relationAdded = lambda *a: log.append(('index', 'added'))
        catalog.addListener(Recorder(log))
        catalog.index(Rel(9, 5, ['q']))
        self.assertEqual(log[1:], [
            ('index', 'added'),
            ('listener', 'added', 9, {'parent': [5], 'tags': ['q']})])
        del log[:]
        Rel.registry[9].tags = None
        catalog.index(Rel.registry[9])
        catalog.index(Rel.registry[9])
        catalog.unindex_doc(9)
        catalog.unindex_doc(9)
        self.assertEqual(log, [
            ('listener', 'modified', 9, {}, {'tags': ['q']}),
            ('listener', 'modified', 9, {}, {}),
            ('listener', 'removed', 9, {'parent': [5]})])

    def test_listeners_register_by_identity_and_are_not_copied(self):
        catalog = make_tree()
        log = []
        plain = Recorder(log)
        kept = PersistentRecorder(log, 'persistent')
        with self.assertRaises(ValueError) as e:
            catalog.addListener(plain, weakref=True)
        self.assertEqual(e.exception.args,
                         ('cannot use weakref on non-persistent object',))
        catalog.addListener(plain)
        catalog.addListener(plain)
        catalog.addListener(kept, weakref=True)
        self.assertEqual(list(catalog.iterListeners()), [plain, plain, kept])
        catalog.removeListener(plain)
        self.assertEqual(list(catalog.iterListeners()), [plain, kept])
        with self.assertRaises(LookupError) as e:
            catalog.removeListener(None)
        self.assertEqual(e.exception.args, ('listener not found', None))
        del log[:]
        copy = catalog.copy()
        self.assertEqual(log, [('listener', 'sourceCopied', copy),
                               ('persistent', 'sourceCopied', copy)])
        self.assertEqual(list(copy.iterListeners()), [])
        self.assertEqual(sorted(dir(copy)), sorted(dir(catalog)))

    def test_a_copy_shares_no_data_with_its_original(self):
        catalog = make_tree()
        catalog.addSearchIndex(Intransitive(('parent',)))
        copy = catalog.copy()
        copy.unindex_doc(3)
        Rel.registry[5].tags = ['z']
        catalog.index(Rel.registry[5])
        self.assertEqual(len(catalog), 6)
        self.assertEqual(len(copy), 5)
        self.assertEqual(list(copy.findValueTokens('tags', {RELATION: 5})),
                         ['c'])
        self.assertIsNot(copy.getValueTokens('parent'),
                         catalog.getValueTokens('parent'))
        [ix] = copy.iterSearchIndexes()
        self.assertIs(ix.catalog, copy)
        self.assertEqual(list(ix.getResults(
            None, BTrees.family32.OO.Bucket({'parent': 1}), 1, None, None)),
            [4])

    def test_clear_empties_the_catalog_and_tells_listeners(self):
        catalog = make_tree()
        log = []
        catalog.addListener(Recorder(log))
        catalog.clear()
        self.assertEqual(log[-1], ('listener', 'cleared'))
        self.assertEqual(len(catalog), 0)
        self.assertEqual(list(catalog.findRelationTokens({'parent': None})),
                         [])
