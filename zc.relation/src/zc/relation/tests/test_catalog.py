"""Edge cases of the catalog: errors, identities, messages, fixes."""
import unittest

import BTrees
import persistent
import zope.interface
import zope.interface.verify

from zc.relation import RELATION
from zc.relation import interfaces
from zc.relation.catalog import Any
from zc.relation.catalog import Catalog
from zc.relation.catalog import CircularRelationPath
from zc.relation.catalog import any as any_of
from zc.relation.catalog import multiunion
from zc.relation.queryfactory import TransposingTransitive
from zc.relation.searchindex import Intransitive
from zc.relation.searchindex import TransposingTransitiveMembership


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


class ValueIndexTests(unittest.TestCase):

    def test_add_errors_in_order(self):
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

    def test_remove_and_readd(self):
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

    def test_add_to_populated_catalog_sends_token_sets(self):
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

    def test_values_single_multiple_falsy(self):
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

    def test_reindex_edits_or_replaces_stored_set(self):
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

    def test_interface_elements(self):
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

    def test_unsigned_module(self):
        catalog = Catalog(dump, load, btree=BTrees.family32.UF)
        catalog.addValueIndex(parent, btree=BTrees.family32.UF)
        catalog.index(Rel(50, 51))
        self.assertEqual(list(catalog.findRelationTokens({'parent': 51})),
                         [50])

    def test_bad_tokens_name_the_index(self):
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


class QueryTests(unittest.TestCase):

    def setUp(self):
        self.catalog = make_tree()

    def test_forms(self):
        c = self.catalog
        self.assertEqual(list(c.findRelationTokens([('parent', 1)])), [3, 4])
        self.assertEqual(list(c.findRelationTokens({'parent': None})), [0])
        self.assertEqual(
            list(c.findRelationTokens({'parent': any_of(1, 2, 99)})),
            [3, 4, 5])
        self.assertEqual(list(c.findRelationTokens({RELATION: 99})), [])
        self.assertEqual(
            list(c.findRelationTokens({RELATION: any_of(1, 3),
                                       'tags': 'a'})), [1, 3])
        self.assertIs(c.findRelationTokens(), c.getRelationTokens())
        self.assertIs(c.findRelationTokens({'parent': 1}),
                      c.getRelationTokens({'parent': 1}))
        self.assertIs(c.getRelationTokens({'parent': 1}),
                      c.getRelationTokens({'parent': 1}))
        self.assertEqual(repr(c.findRelationTokens({'parent': 42})),
                         'IFSet([])')
        self.assertIsNone(c.getRelationTokens({'parent': 42}))

    def test_unknown_names(self):
        c = self.catalog
        for value in (1, None, any_of(1)):
            with self.assertRaises(KeyError) as e:
                c.findRelationTokens({'nope': value})
            self.assertEqual(e.exception.args, ('nope',))
        with self.assertRaises(KeyError):
            c.findRelationTokens({'nope': 1},
                                 queryFactory=TransposingTransitive(
                                     'nope', RELATION))
        with self.assertRaises(ValueError) as e:
            c.findValueTokens('nope', {'parent': 1})
        self.assertEqual(e.exception.args, ('name not indexed', 'nope'))
        with self.assertRaises(KeyError):
            c.tokenizeQuery({'nope': 1})

    def test_malformed_queries(self):
        with self.assertRaises(TypeError) as e:
            self.catalog.findRelationTokens(42)
        self.assertIn('42', str(e.exception))
        with self.assertRaises(TypeError) as e:
            self.catalog.findRelationTokens([('parent', 1, 2)])
        self.assertIn("('parent', 1, 2)", str(e.exception))
        with self.assertRaises(TypeError):
            self.catalog.findRelationTokens({'parent': any_of([1])})

    def test_max_depth_checked_first(self):
        c = self.catalog
        c.addDefaultQueryFactory(TransposingTransitive('parent', RELATION))
        c.addSearchIndex(TransposingTransitiveMembership('parent', RELATION))
        for bad in (0, -1, 1.5, '2'):
            with self.assertRaises(ValueError) as e:
                c.findRelationTokens({'parent': 0}, maxDepth=bad)
            self.assertEqual(e.exception.args,
                             ('maxDepth must be None or a positive integer',))
            with self.assertRaises(ValueError):
                c.canFind({'parent': 0}, maxDepth=bad)

    def test_max_depth_one_without_factory(self):
        c = self.catalog

        def yes(*args):
            return True
        self.assertEqual(
            list(c.findRelationTokens({'parent': 1}, maxDepth=1,
                                      filter=yes)), [3, 4])
        self.assertTrue(c.canFind({'parent': 1}, maxDepth=1,
                                  targetFilter=yes))
        with self.assertRaises(ValueError) as e:
            c.findRelationTokens({'parent': 1}, maxDepth=2)
        self.assertEqual(e.exception.args, (
            'if maxDepth not in (None, 1), queryFactory must be available',))

    def test_value_fast_path(self):
        c = self.catalog
        self.assertIs(c.findValueTokens('tags'), c.getValueTokens('tags'))
        self.assertIs(c.findValueTokens('tags', {RELATION: 1}),
                      c.getValueTokens('tags', 1))
        self.assertEqual(repr(c.findValueTokens('tags', {RELATION: 2})),
                         'OISet([])')
        self.assertEqual(list(c.findValueTokens('tags', {'parent': 1})),
                         ['a'])
        self.assertEqual(
            list(c.findValueTokens('tags', {'parent': any_of(0, 1)},
                                   targetQuery={'tags': 'b'})), ['a', 'b'])
        # a targetQuery matching nothing restricts to nothing
        self.assertEqual(
            list(c.findValueTokens('tags', {'parent': 0},
                                   targetQuery={'tags': 'zzz'})), [])

    def test_token_helpers(self):
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


class TraversalTests(unittest.TestCase):

    def setUp(self):
        self.catalog = make_tree()
        self.down = TransposingTransitive('parent', RELATION)
        self.catalog.addDefaultQueryFactory(self.down)

    def test_results_are_eager_generators(self):
        c = self.catalog
        result = c.findRelationTokens({'parent': 0})
        self.assertEqual(type(result).__name__, 'generator')
        self.assertEqual(list(result), [1, 2, 3, 4, 5])
        self.assertEqual(list(result), [])
        self.assertEqual(list(c.findValueTokens('tags', {'parent': 0})),
                         ['a', 'b', 'c'])

    def test_cycles(self):
        c = self.catalog
        Rel.registry[0].parent = 3
        c.index(Rel.registry[0])
        chains = list(c.findRelationTokenChains({RELATION: 0}, maxDepth=3))
        circular = [ch for ch in chains if isinstance(ch, CircularRelationPath)]
        self.assertEqual(circular, [(0, 3, 1)])
        self.assertEqual(repr(circular[0]), 'cycle(0, 3, 1)')
        self.assertEqual(list(c.findRelationTokens(circular[0].cycled[0],
                                                   maxDepth=1)), [0])
        self.assertTrue(
            zope.interface.verify.verifyObject(
                interfaces.ICircularRelationPath, circular[0]))
        # self loop
        Rel.registry[5].parent = 5
        c.index(Rel.registry[5])
        self.assertEqual([repr(ch) for ch in
                          c.findRelationTokenChains({RELATION: 5})],
                         ['cycle(5,)'])

    def test_search_index_dispatch_and_target_filter(self):
        c = self.catalog
        ix = TransposingTransitiveMembership('parent', RELATION)
        c.addSearchIndex(ix)
        self.assertEqual(repr(c.findRelationTokens({'parent': 0})),
                         'IFSet([1, 2, 3, 4, 5])')

        def reject(*args):
            return False
        self.assertFalse(c.canFind({'parent': 0}, targetFilter=reject))
        self.assertEqual(list(c.findRelationTokens(
            {'parent': 0}, targetFilter=lambda ch, q, cat, cache:
            ch[-1] > 3)), [4, 5])
        self.assertEqual(repr(c.findRelationTokens(
            {'parent': 0}, targetQuery={'tags': 'zzz'})), 'IFSet([])')
        with self.assertRaises(ValueError) as e:
            ix.setCatalog(c)
        self.assertEqual(e.exception.args, ('catalog already set',))
        with self.assertRaises(LookupError) as e:
            c.removeSearchIndex(object())
        c.removeSearchIndex(ix)
        self.assertIsNone(ix.catalog)

    def test_static_values_compared(self):
        catalog = Catalog(dump, load)
        catalog.addValueIndex(parent)
        catalog.addValueIndex(tags, multiple=True)
        for token, par, kind in [(1, None, 7), (2, 1, 7), (3, 2, 8)]:
            catalog.index(Rel(token, par, [kind]))
        ix = TransposingTransitiveMembership('parent', RELATION,
                                             static={'tags': 7})
        catalog.addSearchIndex(ix)
        other = TransposingTransitive('parent', RELATION, {'tags': 8})
        # A search for another static value must not get ix's answer.
        self.assertEqual(
            list(catalog.findRelationTokens({'parent': 2, 'tags': 8},
                                            queryFactory=other)), [3])
        self.assertEqual(
            repr(catalog.findRelationTokens({'parent': 1, 'tags': 7},
                                            queryFactory=ix.factory)),
            'IFSet([2])')
        with self.assertRaises(NotImplementedError):
            TransposingTransitiveMembership('parent', RELATION,
                                            static={'tags': any_of(1)})
        bad = Intransitive(('parent',))
        bad.setCatalog = lambda cat: [(None, ('parent',), {None: 1}, 1,
                                       None, None)]
        with self.assertRaises(ValueError) as e:
            catalog.addSearchIndex(bad)
        self.assertEqual(e.exception.args, (
            'may not register static value for RELATION (None)',))


class FactoryTests(unittest.TestCase):

    def test_equality_and_registry(self):
        a = TransposingTransitive('x', 'y', {'k': 1})
        self.assertEqual(a, TransposingTransitive('y', 'x', [('k', 1)]))
        self.assertNotEqual(a, TransposingTransitive('x', 'y'))
        self.assertEqual(a.static, (('k', 1),))
        catalog = Catalog(dump, load)
        catalog.addDefaultQueryFactory(a)
        with self.assertRaises(ValueError) as e:
            catalog.addDefaultQueryFactory(TransposingTransitive('y', 'x',
                                                                 {'k': 1}))
        self.assertEqual(e.exception.args, ('factory already registered',))
        for missing in (None, TransposingTransitive('x', 'z')):
            with self.assertRaises(LookupError) as e:
                catalog.removeDefaultQueryFactory(missing)
            self.assertEqual(e.exception.args, ('factory not found',
                                                missing))
        catalog.removeDefaultQueryFactory(TransposingTransitive('y', 'x',
                                                                {'k': 1}))
        self.assertEqual(list(catalog.iterDefaultQueryFactories()), [])

    def test_applies(self):
        f = TransposingTransitive('x', 'y', {'k': any_of(1, 2)})
        self.assertIsNone(f({'x': 1}, None))
        self.assertIsNone(f({'x': 1, 'y': 2, 'k': 1}, None))
        self.assertIsNotNone(f({'x': 1, 'k': 2}, None))
        self.assertIsNotNone(f({'x': 1, 'k': any_of(2)}, None))
        self.assertIsNone(f({'x': 1, 'k': any_of(2, 3)}, None))
        self.assertTrue(zope.interface.verify.verifyObject(
            interfaces.IQueryFactory, f))


class ListenerTests(unittest.TestCase):

    def test_messages_and_order(self):
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

    def test_registry(self):
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

    def test_copy_is_independent(self):
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

    def test_clear(self):
        catalog = make_tree()
        log = []
        catalog.addListener(Recorder(log))
        catalog.clear()
        self.assertEqual(log[-1], ('listener', 'cleared'))
        self.assertEqual(len(catalog), 0)
        self.assertEqual(list(catalog.findRelationTokens({'parent': None})),
                         [])


class IntransitiveTests(unittest.TestCase):

    def test_update_not_mutating_and_names_results_current(self):
        names = ['parent']
        ix = Intransitive(names, name='tags')
        self.assertEqual(names, ['parent'])
        self.assertEqual(ix.update, frozenset(['parent', 'tags']))
        catalog = make_tree()
        catalog.addSearchIndex(ix)
        query = BTrees.family32.OO.Bucket({'parent': 1})
        self.assertEqual(list(ix.getResults('tags', query, 1, None, None)),
                         ['a'])
        Rel.registry[4].tags = ['new']
        catalog.index(Rel.registry[4])
        self.assertEqual(list(ix.getResults('tags', query, 1, None, None)),
                         ['a', 'new'])
        self.assertIsNone(ix.getResults(
            'tags', BTrees.family32.OO.Bucket({'parent': any_of(1)}), 1,
            None, None))
        self.assertTrue(zope.interface.verify.verifyObject(
            interfaces.IListener, ix))
        self.assertTrue(repr(ix).startswith(
            '<zc.relation.searchindex.Intransitive object at 0x'))

    def test_callback_protocol(self):
        calls = []

        def values(index, name, token, catalog, source, additions, removals,
                   removed):
            calls.append((name, token, removed))
            return '' if token == 99 else None
        ix = Intransitive(('parent',), getValueTokens=values)
        catalog = make_tree()
        catalog.addSearchIndex(ix)
        del calls[:]
        catalog.index(Rel(99, 1))
        self.assertEqual(calls, [('parent', 99, False)])
        # the callback's empty answer means: no queries to recompute
        self.assertEqual(list(ix.getResults(
            None, BTrees.family32.OO.Bucket({'parent': 1}), 1, None, None)),
            [3, 4])
        # recomputing a query takes the catalog's current relations
        catalog.unindex_doc(3)
        self.assertEqual(list(ix.getResults(
            None, BTrees.family32.OO.Bucket({'parent': 1}), 1, None, None)),
            [4, 99])

    def test_relation_among_names(self):
        catalog = make_tree()
        ix = Intransitive((RELATION, 'parent'))
        catalog.addSearchIndex(ix)
        self.assertEqual(ix.names, (None, 'parent'))
        query = BTrees.family32.OO.Bucket({RELATION: 3, 'parent': 1})
        self.assertEqual(list(ix.getResults(None, query, 1, None, None)),
                         [3])
        self.assertEqual(list(catalog.findRelationTokens(
            {RELATION: 3, 'parent': 1}, maxDepth=1,
            targetQuery={'tags': 'a'})), [3])


class InterfaceAndValueTests(unittest.TestCase):

    def test_verify(self):
        catalog = make_tree()
        self.assertTrue(zope.interface.verify.verifyObject(
            interfaces.ICatalog, catalog))
        for ix in (TransposingTransitiveMembership('parent', RELATION),
                   Intransitive(('parent',))):
            self.assertTrue(zope.interface.verify.verifyObject(
                interfaces.ISearchIndex, ix))

    def test_any(self):
        value = any_of('foo', 'bar', 'baz')
        self.assertEqual(
            repr(value), "<zc.relation.catalog.Any instance "
                         "('bar', 'baz', 'foo')>")
        self.assertEqual(value, Any(['baz', 'foo', 'bar']))
        self.assertFalse(value != Any(['baz', 'foo', 'bar']))
        self.assertIn('foo', value)
        self.assertEqual(len(value), 3)
        self.assertEqual(len({value, Any(['foo', 'bar', 'baz'])}), 1)
        self.assertIn('instance', repr(any_of(1, 'x')))

    def test_multiunion(self):
        tools = make_tree().getRelationModuleTools()
        self.assertEqual(sorted(tools), [
            'BTree', 'Bucket', 'Set', 'TreeSet', 'difference', 'dump',
            'intersection', 'load', 'multiunion', 'union'])
        one = tools['TreeSet']([1])
        self.assertIs(multiunion([one, None], tools), one)
        self.assertEqual(repr(multiunion([], tools)), 'IFSet([])')
        oo = make_tree().getValueModuleTools('tags')
        self.assertIsNone(oo['multiunion'])
        self.assertEqual(list(multiunion(
            [oo['Set'](['a']), oo['Set'](['b'])], oo)), ['a', 'b'])


class BadInputTests(unittest.TestCase):

    def setUp(self):
        self.catalog = make_tree()
        self.catalog.addDefaultQueryFactory(
            TransposingTransitive('parent', RELATION))

    def test_errors_at_call_time(self):
        c = self.catalog
        for method in (c.findRelationTokens, c.findRelations,
                       c.findRelationTokenChains, c.findRelationChains,
                       c.canFind):
            with self.assertRaises(TypeError) as e:
                method({'parent': 'zero'})
            self.assertIn("'zero'", str(e.exception))
        for method in (c.findValueTokens, c.findValues):
            with self.assertRaises(KeyError):
                method('tags', {'nope': 0})

    def test_unhashable_and_unindexable(self):
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

    def test_filters_must_be_callable(self):
        c = make_tree()
        with self.assertRaises(TypeError) as e:
            c.findRelationTokens({'parent': 0}, filter='nope')
        self.assertIn("'nope'", str(e.exception))
        with self.assertRaises(TypeError) as e:
            c.findValueTokens('tags', {'parent': 0}, targetFilter=5)
        self.assertIn('targetFilter', str(e.exception))

class ProtocolTests(unittest.TestCase):

    def test_listeners_match_protocols(self):
        from zc.relation import protocols
        self.assertIsInstance(Recorder([]), protocols.Listener)
        self.assertIsInstance(Intransitive(('x',)), protocols.Listener)
        self.assertIsInstance(
            TransposingTransitiveMembership('x', RELATION),
            protocols.MessageListener)
        self.assertNotIsInstance(object(), protocols.MessageListener)
