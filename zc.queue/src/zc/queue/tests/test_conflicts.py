"""Two transactions changing one queue at once, on a real FileStorage.

Every scenario runs for ``Queue`` and ``CompositeQueue(2)``, with
persistent and with plain items.  Transaction 2 always commits first;
transaction 1's commit is the one that gets merged or refused.
"""
import logging
import unittest

from ZODB.POSException import ConflictError
from ZODB.POSException import InvalidObjectReference

import zc.queue
from zc.queue.tests.support import FLAVOURS
from zc.queue.tests.support import KINDS
from zc.queue.tests.support import Database
from zc.queue.tests.support import Item
from zc.queue.tests.support import value_of


class _ConflictScenarios:

    factory = None
    make_item = None
    composite = False

    def setUp(self):
        self.database = Database()
        self.addCleanup(self.database.close)
        conn1, self.tm1 = self.database.open()
        conn2, self.tm2 = self.database.open()
        root = conn1.root()
        root['queue'] = self.factory()
        for value in range(5):
            root['queue'].put(self.make_item(value))
        self.tm1.commit()
        self.tm2.begin()
        self.q1 = root['queue']
        self.q2 = conn2.root()['queue']
        self.conn1, self.conn2 = conn1, conn2

    def values(self, queue):
        return [value_of(item) for item in queue]

    def commit_both(self):
        self.tm2.commit()
        self.tm1.commit()
        self.sync()

    def sync(self):
        self.tm1.begin()
        self.tm2.begin()

    def assertBothSee(self, values):
        self.assertEqual(self.values(self.q1), values)
        self.assertEqual(self.values(self.q2), values)

    def assertSecondCommitFails(self, error=ConflictError):
        self.tm2.commit()
        self.assertRaises(error, self.tm1.commit)
        self.tm1.abort()
        self.sync()

    def test_reading_changes_nothing(self):
        self.assertEqual(len(self.q1), 5)
        self.assertTrue(self.q1)
        self.assertEqual(value_of(self.q1[-2]), 3)
        self.assertEqual(self.values(self.q1[1:3]), [1, 2])
        self.assertEqual(self.conn1._registered_objects, [])

    def test_changes_register_only_the_changed_records(self):
        self.q1.pull(1)
        if self.composite:
            # The first bucket still holds an item: the chain is unchanged.
            first = self.q1._data[0]
            self.assertEqual(self.conn1._registered_objects, [first])
            self.q1.pull(0)
            self.assertNotIn(first, self.q1._data)
            self.assertIn(self.q1, self.conn1._registered_objects)
        else:
            self.assertEqual(self.conn1._registered_objects, [self.q1])

    def test_each_puts_one_item(self):
        self.q1.put(self.make_item(10))
        self.q2.put(self.make_item(20))
        self.commit_both()
        self.assertBothSee([0, 1, 2, 3, 4, 20, 10])

    def test_several_puts_each(self):
        for value in (10, 11, 12):
            self.q1.put(self.make_item(value))
        for value in (20, 21, 22):
            self.q2.put(self.make_item(value))
        self.commit_both()
        merged = self.values(self.q1)
        self.assertEqual(merged, self.values(self.q2))
        self.assertEqual(merged[:5], [0, 1, 2, 3, 4])
        if self.composite:
            self.assertEqual(sorted(merged[5:]), [10, 11, 12, 20, 21, 22])
            self.assertEqual([v for v in merged if v >= 20], [20, 21, 22])
            self.assertEqual([v for v in merged if 10 <= v < 20],
                             [10, 11, 12])
        else:
            self.assertEqual(merged[5:], [20, 21, 22, 10, 11, 12])

    def test_both_put_an_equal_item(self):
        if self.make_item is Item:
            # The same stored object: persistent items are told apart by
            # identity, so only that is "equal".
            self.conn1.root()['shared'] = shared = Item(99)
            self.tm1.commit()
            self.sync()
            self.q1.put(shared)
            self.q2.put(self.conn2.root()['shared'])
        else:
            self.q1.put(99)
            self.q2.put(99)
        self.assertSecondCommitFails()
        self.assertBothSee([0, 1, 2, 3, 4, 99])

    def test_pulls_of_different_items(self):
        self.assertEqual(value_of(self.q1.pull()), 0)
        self.assertEqual(value_of(self.q2.pull(1)), 1)
        self.commit_both()
        self.assertBothSee([2, 3, 4])
        self.assertEqual(len(self.q1), 3)
        self.assertEqual(value_of(self.q1.pull()), 2)
        self.tm1.commit()
        if self.composite:
            # The merge left the first bucket empty; that pull dropped it.
            self.assertEqual([len(b) for b in self.q1._data], [1, 1])

    def test_both_pull_the_same_item(self):
        self.q1.pull(2)
        self.q2.pull(2)
        self.assertSecondCommitFails()
        self.assertBothSee([0, 1, 3, 4])

    def test_one_pulls_several_the_other_puts_several(self):
        for index in (0, 1, -2):
            self.q1.pull(index)
        for value in (20, 21):
            self.q2.put(self.make_item(value))
        self.commit_both()
        self.assertBothSee([1, 4, 20, 21])

    def test_other_pulls_several_while_one_puts_several(self):
        for value in (10, 11):
            self.q1.put(self.make_item(value))
        for index in (3, 0):
            self.q2.pull(index)
        self.commit_both()
        self.assertBothSee([1, 2, 4, 10, 11])

    def test_mixed_pulls_and_puts_in_both(self):
        self.assertEqual(value_of(self.q1.pull(1)), 1)
        self.q1.put(self.make_item(10))
        self.assertEqual(value_of(self.q1.pull(-2)), 4)
        self.assertEqual(value_of(self.q2.pull(0)), 0)
        self.q2.put(self.make_item(20))
        self.assertEqual(value_of(self.q2.pull(2)), 3)
        self.commit_both()
        merged = self.values(self.q1)
        self.assertEqual(merged, self.values(self.q2))
        self.assertEqual(merged[:1], [2])
        self.assertEqual(sorted(merged[1:]), [10, 20])

    def test_other_attribute_differs(self):
        self.q1.note = 'one'
        self.q2.note = 'two'
        self.assertSecondCommitFails()
        self.assertEqual(self.q1.note, 'two')

    def test_other_attribute_added_on_one_side(self):
        self.q1.pull()
        self.q2.note = 'two'
        self.q2.pull(1)
        if self.composite:
            # Only a change to the composite record itself can conflict.
            self.q2._p_changed = True
            self.q1._p_changed = True
        self.assertSecondCommitFails()
        self.assertBothSee([0, 2, 3, 4])

    def test_deleted_bucket(self):
        for _ in range(4):
            self.q1.pull()
        self.tm1.commit()
        self.sync()
        self.assertEqual(value_of(self.q1.pull()), 4)
        self.q2.put(self.make_item(5))
        if self.composite:
            # Merging would lose item 5: its bucket is gone from q1's chain.
            self.assertSecondCommitFails()
            self.assertBothSee([4, 5])
        else:
            self.commit_both()
            self.assertBothSee([5])

    def test_duress(self):
        for value in range(5, 12):
            self.q1.put(self.make_item(value))
        self.tm1.commit()
        self.sync()
        pulled1 = [value_of(self.q1.pull(i)) for i in (1, 5, -1, 0)]
        pulled2 = [value_of(self.q2.pull(i)) for i in (3, -3, 2)]
        self.assertFalse(set(pulled1) & set(pulled2))
        for value in range(100, 104):
            self.q1.put(self.make_item(value))
        for value in range(200, 204):
            self.q2.put(self.make_item(value))
        self.commit_both()
        merged = self.values(self.q1)
        self.assertEqual(merged, self.values(self.q2))
        remaining = [v for v in range(12)
                     if v not in pulled1 and v not in pulled2]
        self.assertEqual([v for v in merged if v < 100], remaining)
        if self.composite:
            self.assertEqual([v for v in merged if v >= 200],
                             list(range(200, 204)))
            self.assertEqual([v for v in merged if 100 <= v < 200],
                             list(range(100, 104)))
        else:
            self.assertEqual(merged[len(remaining):],
                             list(range(200, 204)) + list(range(100, 104)))

    def test_failed_commit_leaves_the_committed_queue(self):
        self.q2.pull()
        self.q1.pull()
        self.q1.put(self.make_item(10))
        self.assertSecondCommitFails()
        self.assertBothSee([1, 2, 3, 4])

    def test_unhashable_item_gives_ConflictError(self):
        self.q1.put(['a', 'list'])
        self.tm1.commit()
        self.sync()
        self.q1.pull(4)
        self.q2.pull(5)
        with self.assertNoLogs('ZODB.ConflictResolution', logging.ERROR):
            self.assertSecondCommitFails()


class _PersistentItemScenarios(_ConflictScenarios):

    def test_one_new_persistent_object_put_through_two_connections(self):
        item = Item(99)
        self.q2.put(item)
        self.q1.put(item)
        self.assertSecondCommitFails(InvalidObjectReference)
        self.assertBothSee([0, 1, 2, 3, 4, 99])


def _scenario_classes():
    for flavour, factory in FLAVOURS:
        for kind, make_item in KINDS:
            name = f'{flavour}_{kind}'.replace('(2)', '')
            base = (_PersistentItemScenarios if make_item is Item
                    else _ConflictScenarios)
            yield type(name + 'Tests', (base, unittest.TestCase), {
                'factory': staticmethod(factory),
                'make_item': staticmethod(make_item),
                'composite': factory is not zc.queue.Queue,
                '__module__': __name__,
            })


for _cls in _scenario_classes():
    globals()[_cls.__name__] = _cls
del _cls


class EmptyBucketTests(unittest.TestCase):
    """Puts into buckets that pulls leave empty or drop from the chain.

    Each test runs an interleaving that lost a committed put in zc.queue
    2.0.0 and checks that every committed item is either still queued or
    was pulled exactly once.
    """

    def setUp(self):
        self.database = Database()
        self.addCleanup(self.database.close)
        self.connections = [self.database.open() for _ in range(4)]
        connection, tm = self.connections[0]
        queue = connection.root()['queue'] = zc.queue.CompositeQueue(3)
        for item in 'pqrab':
            queue.put(item)
        tm.commit()
        self.put = list('pqrab')
        self.pulled = []

    def begin(self, number):
        connection, tm = self.connections[number]
        tm.begin()
        return connection.root()['queue']

    def commit(self, number):
        self.connections[number][1].commit()

    def leave_an_empty_last_bucket_by_a_merge(self):
        first, second = self.begin(0), self.begin(1)
        self.assertEqual((first.pull(3), second.pull(4)), ('a', 'b'))
        self.commit(0)
        self.commit(1)
        self.pulled += ['a', 'b']
        queue = self.begin(0)
        self.assertEqual([list(b) for b in queue._data], [list('pqr'), []])

    def assertNothingLost(self):
        queue = self.begin(0)
        self.assertEqual(len(queue), len(list(queue)))
        self.assertEqual(sorted(list(queue) + self.pulled), sorted(self.put))

    def test_put_into_an_empty_bucket_left_by_a_merge_survives_a_front_pull(
            self):
        self.leave_an_empty_last_bucket_by_a_merge()
        putter, puller = self.begin(2), self.begin(3)
        putter.put('x')
        self.assertEqual(puller.pull(0), 'p')
        self.commit(2)
        self.commit(3)
        self.put.append('x')
        self.pulled.append('p')
        self.assertNothingLost()
        self.assertEqual(list(self.begin(0)), ['q', 'r', 'x'])

    def test_pull_that_drops_the_bucket_a_concurrent_put_filled_conflicts(
            self):
        self.leave_an_empty_last_bucket_by_a_merge()
        putter, puller = self.begin(2), self.begin(3)
        putter.put('x')
        # Walking from the back, the pull passes the empty bucket and
        # drops it from the chain.
        self.assertEqual(puller.pull(-1), 'r')
        self.commit(2)
        self.put.append('x')
        self.assertRaises(ConflictError, self.commit, 3)
        self.connections[3][1].abort()
        self.assertNothingLost()

    def test_put_into_a_bucket_a_concurrent_pull_dropped_conflicts(self):
        self.leave_an_empty_last_bucket_by_a_merge()
        putter, puller = self.begin(2), self.begin(3)
        putter.put('x')
        self.assertEqual(puller.pull(-1), 'r')
        self.commit(3)
        self.pulled.append('r')
        self.assertRaises(ConflictError, self.commit, 2)
        self.connections[2][1].abort()
        self.assertNothingLost()

    def test_put_into_a_bucket_others_filled_and_emptied_conflicts(self):
        self.leave_an_empty_last_bucket_by_a_merge()
        late = self.begin(2)
        # Meanwhile one transaction fills the empty bucket and another
        # empties it again, dropping it from the chain.
        self.begin(3).put('y')
        self.commit(3)
        self.put.append('y')
        self.assertEqual(self.begin(3).pull(-1), 'y')
        self.commit(3)
        self.pulled.append('y')
        self.assertEqual(
            [list(b) for b in self.begin(3)._data], [list('pqr')])
        # The late transaction still sees the bucket, empty, at the end.
        late.put('x')
        self.assertRaises(ConflictError, self.commit, 2)
        self.connections[2][1].abort()
        self.assertNothingLost()
