"""Intransitive: stored answers of exact queries."""
import unittest

import BTrees
import zope.interface
import zope.interface.verify

from zc.relation import RELATION
from zc.relation import interfaces
from zc.relation.catalog import any as any_of
from zc.relation.searchindex import Intransitive
from zc.relation.tests.support import Rel
from zc.relation.tests.support import make_tree
from zc.relation.tests.support import parent
from zc.relation.tests.support import tags


class IntransitiveTests(unittest.TestCase):
    """Stored answers of exact queries."""

    def test_intransitive_value_results_follow_the_current_values(self):
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

    def test_intransitive_asks_getValueTokens_which_queries_to_recompute(self):
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

    def test_intransitive_may_key_on_RELATION(self):
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
