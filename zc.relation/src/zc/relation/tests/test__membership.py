"""TransposingTransitiveMembership: stored member sets."""
import unittest

import BTrees
import zope.interface
import zope.interface.verify

from zc.relation import RELATION
from zc.relation.catalog import any as any_of
from zc.relation.catalog import Catalog
from zc.relation.searchindex import TransposingTransitiveMembership
from zc.relation.tests.support import Rel
from zc.relation.tests.support import dump
from zc.relation.tests.support import load
from zc.relation.tests.support import make_tree
from zc.relation.tests.support import parent
from zc.relation.tests.support import tags


def stored(index):
    return {token: list(members)
            for token, members in index.iterStoredMembers()}


class MembershipTests(unittest.TestCase):
    """TransposingTransitiveMembership: stored member sets."""

    def setUp(self):
        # 0 -> 1, 2; 1 -> 3, 4; 2 -> 5
        self.catalog = make_tree()
        self.index = TransposingTransitiveMembership('parent', RELATION)
        self.catalog.addSearchIndex(self.index)

    def move(self, token, new_parent):
        Rel.registry[token].parent = new_parent
        self.catalog.index(Rel.registry[token])

    def test_only_relations_with_members_below_them_get_a_stored_set(self):
        self.assertEqual(stored(self.index), {
            0: [0, 1, 2, 3, 4, 5], 1: [1, 3, 4], 2: [2, 5]})
        self.assertEqual(repr(self.index.getMembers(5)), 'IFSet([5])')
        self.assertEqual(list(self.index.getMembers(1)), [1, 3, 4])
        self.assertEqual(list(self.index.getMembers(99)), [])

    def test_a_move_updates_the_old_and_the_new_ancestors(self):
        self.move(1, 2)
        self.assertEqual(stored(self.index), {
            0: [0, 1, 2, 3, 4, 5], 1: [1, 3, 4], 2: [1, 2, 3, 4, 5]})
        self.move(2, None)
        self.assertEqual(stored(self.index), {
            1: [1, 3, 4], 2: [1, 2, 3, 4, 5]})

    def test_a_cycle_gives_its_relations_the_same_members(self):
        self.move(0, 3)   # 0 -> 1 -> 3 -> 0
        cycle = [0, 1, 2, 3, 4, 5]
        self.assertEqual(stored(self.index), {
            0: cycle, 1: cycle, 2: [2, 5], 3: cycle})
        self.move(0, None)
        self.assertEqual(stored(self.index), {
            0: cycle, 1: [1, 3, 4], 2: [2, 5]})
        self.move(5, 5)   # a relation below itself only
        self.assertEqual(stored(self.index), {
            0: [0, 1, 2, 3, 4], 1: [1, 3, 4]})

    def test_removing_a_relation_removes_it_from_its_ancestors(self):
        self.catalog.unindex_doc(1)
        self.assertEqual(stored(self.index), {0: [0, 2, 5], 2: [2, 5]})
        # its children still name it, and come back with it
        self.catalog.index(Rel.registry[1])
        self.assertEqual(stored(self.index)[0], [0, 1, 2, 3, 4, 5])

    def test_an_index_added_to_a_graph_with_cycles_is_built_exactly(self):
        self.move(0, 3)
        self.catalog.removeSearchIndex(self.index)
        self.assertIsNone(self.index.catalog)
        with self.assertRaises(AttributeError):
            self.index.iterStoredMembers()
        index = TransposingTransitiveMembership('parent', RELATION)
        self.catalog.addSearchIndex(index)
        cycle = [0, 1, 2, 3, 4, 5]
        self.assertEqual(stored(index), {
            0: cycle, 1: cycle, 2: [2, 5], 3: cycle})

    def test_searches_stop_using_a_removed_index_and_use_an_added_one(self):
        catalog = self.catalog
        catalog.addDefaultQueryFactory(self.index.factory)
        self.assertEqual(repr(catalog.findRelationTokens({'parent': 1})),
                         'IFSet([3, 4])')
        catalog.removeSearchIndex(self.index)
        walked = catalog.findRelationTokens({'parent': 1})
        self.assertEqual(type(walked).__name__, 'generator')
        self.assertEqual(list(walked), [3, 4])
        catalog.addSearchIndex(
            TransposingTransitiveMembership('parent', RELATION))
        self.assertEqual(repr(catalog.findRelationTokens({'parent': 1})),
                         'IFSet([3, 4])')
        copy = catalog.copy()
        copy.unindex_doc(4)
        self.assertEqual(repr(copy.findRelationTokens({'parent': 1})),
                         'IFSet([3])')

    def test_large_member_sets_are_stored_as_tree_sets(self):
        catalog = Catalog(dump, load)
        catalog.addValueIndex(parent)
        index = TransposingTransitiveMembership('parent', RELATION)
        catalog.addSearchIndex(index)
        catalog.index(Rel(1000, None))
        for token in range(1001, 1300):
            catalog.index(Rel(token, 1000))
        top = dict(index.iterStoredMembers())[1000]
        self.assertIsInstance(top, BTrees.family32.IF.TreeSet)
        self.assertEqual(len(top), 300)
        catalog.removeSearchIndex(index)
        index = TransposingTransitiveMembership('parent', RELATION)
        catalog.addSearchIndex(index)
        self.assertIsInstance(dict(index.iterStoredMembers())[1000],
                              BTrees.family32.IF.TreeSet)
        catalog.index(Rel(2000, 1001))
        self.assertIsInstance(dict(index.iterStoredMembers())[1001],
                              BTrees.family32.IF.Set)

    def test_a_copy_keeps_its_own_member_sets(self):
        copy = self.catalog.copy()
        [index] = copy.iterSearchIndexes()
        copy.unindex_doc(5)
        self.assertEqual(stored(index)[0], [0, 1, 2, 3, 4])
        self.assertEqual(stored(self.index)[0], [0, 1, 2, 3, 4, 5])

    def test_clear_leaves_nothing_stored(self):
        self.catalog.clear()
        self.assertEqual(stored(self.index), {})
        self.catalog.index(Rel(7, None))
        self.catalog.index(Rel(8, 7))
        self.assertEqual(stored(self.index), {7: [7, 8]})

    def test_searches_up_are_declined_but_canFind_up_is_answered(self):
        catalog = self.catalog
        query = BTrees.family32.OO.Bucket({RELATION: 4})
        self.assertIsNone(self.index.getResults(
            None, query, None, None, self.index.factory))
        targets = catalog.getRelationTokens({'parent': 0})
        self.assertTrue(self.index.reaches(
            query, None, None, self.index.factory, targets))
        self.assertFalse(self.index.reaches(
            query, None, None, self.index.factory,
            catalog.getRelationTokens({'parent': 2})))
        self.assertTrue(self.index.reaches(
            query, None, None, self.index.factory, None))
        # Many targets: walking is cheaper than probing each.
        many = BTrees.family32.IF.Set(range(100))
        self.assertIsNone(self.index.reaches(
            query, None, None, self.index.factory, many))
        self.assertTrue(catalog.canFind(
            {RELATION: 4}, targetQuery={RELATION: any_of(*range(100))},
            queryFactory=self.index.factory))

    def test_static_values_limit_the_steps(self):
        catalog = Catalog(dump, load)
        catalog.addValueIndex(parent)
        catalog.addValueIndex(tags, multiple=True)
        for token, par, kind in [(1, None, 7), (2, 1, 7), (3, 2, 8),
                                 (4, 3, 7), (5, 1, 7)]:
            catalog.index(Rel(token, par, [kind]))
        index = TransposingTransitiveMembership(
            'parent', RELATION, static={'tags': 7})
        catalog.addSearchIndex(index)
        # Every relation has members, but a step only reaches relations
        # with the static values.
        self.assertEqual(stored(index), {1: [1, 2, 5], 3: [3, 4]})
        Rel.registry[3].tags = [7]
        catalog.index(Rel.registry[3])
        self.assertEqual(stored(index), {
            1: [1, 2, 3, 4, 5], 2: [2, 3, 4], 3: [3, 4]})
        self.assertEqual(
            list(catalog.findRelationTokens({'parent': 1, 'tags': 7},
                                            queryFactory=index.factory)),
            [2, 3, 4, 5])

    def test_value_names_follow_changes_of_the_members_values(self):
        catalog = make_tree()
        index = TransposingTransitiveMembership(
            'parent', RELATION, names=('tags',))
        catalog.addSearchIndex(index)
        catalog.addDefaultQueryFactory(index.factory)
        self.assertEqual(
            list(catalog.findValueTokens('tags', {'parent': 0})),
            ['a', 'b', 'c'])
        Rel.registry[5].tags = ['z']
        catalog.index(Rel.registry[5])
        self.assertEqual(
            list(catalog.findValueTokens('tags', {'parent': 0})),
            ['a', 'b', 'z'])

    def test_an_index_pickled_without_member_sets_builds_them_when_used(self):
        state = self.index.__getstate__()
        del state['_members']
        old = TransposingTransitiveMembership.__new__(
            TransposingTransitiveMembership)
        old.__setstate__(state)
        self.assertEqual(stored(old), stored(self.index))
