"""Searching: query forms, errors, traversal and the dispatch to
search indexes."""
import pickle
import unittest

import zope.interface
import zope.interface.verify

from zc.relation import RELATION
from zc.relation import interfaces
from zc.relation.catalog import Catalog
from zc.relation.catalog import CircularRelationPath
from zc.relation.catalog import any as any_of
from zc.relation.queryfactory import TransposingTransitive
from zc.relation.searchindex import Intransitive
from zc.relation.searchindex import TransposingTransitiveMembership
from zc.relation.tests.support import Rel
from zc.relation.tests.support import dump
from zc.relation.tests.support import load
from zc.relation.tests.support import make_tree
from zc.relation.tests.support import parent
from zc.relation.tests.support import tags


class QueryTests(unittest.TestCase):
    """Query forms and their errors."""

    def setUp(self):
        self.catalog = make_tree()

    def test_queries_take_mappings_pairs_any_and_relation_tokens(self):
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

    def test_a_relation_token_of_the_wrong_type_raises_TypeError(self):
        with self.assertRaises(TypeError) as e:
            self.catalog.findRelationTokens({RELATION: 'x'})
        self.assertIn("'x'", str(e.exception))
        with self.assertRaises(TypeError):
            self.catalog.findRelationTokens({RELATION: any_of('x')})
        self.assertEqual(
            list(self.catalog.findRelationTokens({RELATION: 99})), [])

    def test_unknown_index_names_raise_KeyError(self):
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

    def test_malformed_queries_raise_TypeError_showing_the_query(self):
        with self.assertRaises(TypeError) as e:
            self.catalog.findRelationTokens(42)
        self.assertIn('42', str(e.exception))
        with self.assertRaises(TypeError) as e:
            self.catalog.findRelationTokens([('parent', 1, 2)])
        self.assertIn("('parent', 1, 2)", str(e.exception))
        with self.assertRaises(TypeError):
            self.catalog.findRelationTokens({'parent': any_of([1])})

    def test_a_bad_maxDepth_is_rejected_before_any_search_index_answers(self):
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

    def test_maxDepth_one_needs_no_query_factory_but_two_does(self):
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

    def test_intransitive_value_searches_return_stored_sets(self):
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


class TraversalTests(unittest.TestCase):
    """Transitive searches and search index answers."""

    def setUp(self):
        self.catalog = make_tree()
        self.down = TransposingTransitive('parent', RELATION)
        self.catalog.addDefaultQueryFactory(self.down)

    def test_transitive_results_are_one_shot_generators(self):
        c = self.catalog
        result = c.findRelationTokens({'parent': 0})
        self.assertEqual(type(result).__name__, 'generator')
        self.assertEqual(list(result), [1, 2, 3, 4, 5])
        self.assertEqual(list(result), [])
        self.assertEqual(list(c.findValueTokens('tags', {'parent': 0})),
                         ['a', 'b', 'c'])

    def test_circular_paths_pickle_under_their_historical_module(self):
        path = CircularRelationPath((1, 2), [{'parent': 1}])
        data = pickle.dumps(path)
        self.assertIn(b'zc.relation.catalog', data)
        self.assertNotIn(b'zc.relation._search', data)
        loaded = pickle.loads(data)
        self.assertEqual(loaded, (1, 2))
        self.assertEqual(loaded.cycled, [{'parent': 1}])

    def test_chains_that_would_revisit_a_relation_are_marked_circular(self):
        c = self.catalog
        Rel.registry[0].parent = 3
        c.index(Rel.registry[0])
        chains = list(c.findRelationTokenChains({RELATION: 0}, maxDepth=3))
        circular = [ch for ch in chains
                    if isinstance(ch, CircularRelationPath)]
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

    def test_index_answers_are_restricted_by_targets_and_target_filters(self):
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

    def test_search_index_registrations_compare_static_values(self):
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


class BadInputTests(unittest.TestCase):
    """Bad arguments fail when the search is called."""

    def setUp(self):
        self.catalog = make_tree()
        self.catalog.addDefaultQueryFactory(
            TransposingTransitive('parent', RELATION))

    def test_search_errors_are_raised_at_call_not_on_iteration(self):
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

    def test_filters_that_are_not_callable_raise_TypeError(self):
        c = make_tree()
        with self.assertRaises(TypeError) as e:
            c.findRelationTokens({'parent': 0}, filter='nope')
        self.assertIn("'nope'", str(e.exception))
        with self.assertRaises(TypeError) as e:
            c.findValueTokens('tags', {'parent': 0}, targetFilter=5)
        self.assertIn('targetFilter', str(e.exception))
