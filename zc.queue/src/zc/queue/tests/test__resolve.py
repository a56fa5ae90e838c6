"""Merging queue states: the rules, on states as ZODB hands them over."""
import logging
import unittest

from ZODB.ConflictResolution import PersistentReference
from ZODB.POSException import ConflictError

from zc.queue import _queue
from zc.queue import _resolve


def ref(oid, database_name=None):
    """A placeholder as ZODB builds it for a reference to object ``oid``."""
    if database_name is None:
        return PersistentReference((oid, None))
    return PersistentReference(['m', (database_name, oid, None)])


class PersistentReferenceProxyTests(unittest.TestCase):

    proxy = _resolve.PersistentReferenceProxy

    def test_same_object_is_equal_and_hashes_alike(self):
        a, b = self.proxy(ref(b'\0\1')), self.proxy(ref(b'\0\1'))
        self.assertEqual(a, b)
        self.assertFalse(a != b)
        self.assertEqual(hash(a), hash(b))
        self.assertEqual(len({a, b}), 1)

    def test_different_objects_are_unequal(self):
        a, b = self.proxy(ref(b'\0\1')), self.proxy(ref(b'\0\2'))
        self.assertNotEqual(a, b)
        self.assertNotEqual(hash(a), hash(b))
        self.assertEqual(len({a, b}), 2)

    def test_other_database_is_unequal(self):
        a = self.proxy(ref(b'\0\1', 'other'))
        b = self.proxy(ref(b'\0\1'))
        self.assertNotEqual(a, b)
        self.assertEqual(a, self.proxy(ref(b'\0\1', 'other')))

    def test_weak_references_equal_only_themselves(self):
        weak = PersistentReference(['w', (b'\0\1',)])
        a = self.proxy(weak)
        self.assertEqual(a, self.proxy(weak))
        self.assertNotEqual(a, self.proxy(PersistentReference(
            ['w', (b'\0\1',)])))

    def test_compares_unequal_to_plain_items_without_raising(self):
        a = self.proxy(ref(b'\0\1'))
        for other in (1, True, 1.0, 0, None, 'x', (b'\0\1', None)):
            self.assertFalse(a == other)
            self.assertFalse(other == a)
            self.assertTrue(a != other)
        self.assertEqual(len({a, 1, True, 1.0}), 2)


class ResolveConflictTests(unittest.TestCase):

    def resolve(self, old, committed, new, bucket=False):
        return _resolve.resolveQueueConflict(
            {'_data': tuple(old)}, {'_data': tuple(committed)},
            {'_data': tuple(new)}, bucket)['_data']

    def assertConflict(self, old, committed, new, bucket=False):
        self.assertRaises(ConflictError, self.resolve, old, committed, new,
                          bucket)

    def test_mismatched_keys_conflict_before_reading_data(self):
        for cls in (_queue.Queue, _queue.BucketQueue, _queue.CompositeQueue):
            resolve = cls.__new__(cls)._p_resolveConflict
            self.assertRaises(ConflictError, resolve, {}, {'j': 2}, {'j': 1})
            self.assertRaises(ConflictError, resolve, {}, {'j': 1}, {'k': 1})
            self.assertRaises(
                ConflictError, resolve, {'_data': ()},
                {'_data': (), 'x': 1}, {'_data': ()})

    def test_differing_compositeSize_conflicts(self):
        resolve = _queue.CompositeQueue.__new__(
            _queue.CompositeQueue)._p_resolveConflict
        base = {'_data': (), 'compositeSize': 15,
                'subfactory': _queue.BucketQueue}
        self.assertRaises(
            ConflictError, resolve, base, dict(base, compositeSize=2), base)
        merged = resolve(base, dict(base), dict(base))
        self.assertEqual(merged, base)

    def test_unimportable_subfactory_compares_by_name(self):
        # What a ZEO server that cannot import the class hands resolution.
        from ZODB.ConflictResolution import BadClass
        resolve = _queue.CompositeQueue.__new__(
            _queue.CompositeQueue)._p_resolveConflict

        def state(data, name='Bucket'):
            return {'_data': tuple(data), 'compositeSize': 15,
                    'subfactory': BadClass('app.queues', name)}
        merged = resolve(state([ref(b'\0\1')]),
                         state([ref(b'\0\1'), ref(b'\0\2')]),
                         state([]))
        self.assertEqual([r.oid for r in merged['_data']], [b'\0\2'])
        self.assertRaises(ConflictError, resolve, state([]), state([]),
                          state([], 'Other'))

    def test_items_that_cannot_be_compared_conflict(self):
        class Touchy:
            def __hash__(self):
                return 1

            def __eq__(self, other):
                raise ValueError('needs a database connection')
        # Each state is unpickled on its own: equal items are distinct
        # objects, so sets must call __eq__.
        self.assertConflict([Touchy(), 2], [Touchy()], [Touchy(), 2, 3])

    def test_state_without_data_conflicts(self):
        self.assertRaises(ConflictError, _resolve.resolveQueueConflict,
                          {}, {'j': 1}, {'j': 1})

    def test_puts_of_both_are_kept_committed_first(self):
        self.assertEqual(self.resolve([1], [1, 2, 3], [1, 4, 5]),
                         (1, 2, 3, 4, 5))

    def test_pulls_of_different_items_merge(self):
        self.assertEqual(self.resolve([1, 2, 3, 4], [2, 3, 4], [1, 2, 4]),
                         (2, 4))

    def test_pulling_the_same_item_conflicts(self):
        self.assertConflict([1, 2, 3], [2, 3], [2, 3])
        self.assertConflict([1, 2, 3], [1, 3], [1, 3])
        self.assertConflict([1, 2, 3], [2], [3])

    def test_putting_an_equal_item_conflicts(self):
        self.assertConflict([1], [1, 2], [1, 2])

    def test_pulls_and_puts_mixed(self):
        self.assertEqual(
            self.resolve([1, 2, 3, 4, 5], [1, 3, 5, 6, 7], [2, 3, 4, 8]),
            (3, 6, 7, 8))

    def test_unhashable_item_conflicts(self):
        self.assertConflict([[1]], [[1], 2], [[1], 3])
        self.assertConflict([1], [1, [2]], [1, 3])

    def test_equal_items_put_twice_by_one_transaction_conflict(self):
        self.assertConflict([1], [1, 2], [1, 3, 3])
        self.assertConflict([1], [1, 2], [3, 1, 3])

    def test_bucket_empty_on_one_side_only_conflicts(self):
        # One side emptied the bucket, the other still has items in it.
        self.assertConflict([1], [1, 2], [], bucket=True)
        self.assertConflict([1], [], [1, 2], bucket=True)
        self.assertEqual(self.resolve([1], [1, 2], []), (2,))
        self.assertEqual(self.resolve([], [1], [2], bucket=True), (1, 2))
        self.assertEqual(self.resolve([], [], [], bucket=True), ())

    def test_bucket_empty_on_one_side_conflicts_even_when_it_was_empty(self):
        # Filled and emptied (and dropped) by others meanwhile, or dropped
        # empty by the other side: the put item would be left outside.
        self.assertConflict([], [], [1], bucket=True)
        self.assertConflict([], [1], [], bucket=True)
        self.assertEqual(self.resolve([], [], [1]), (1,))

    def test_chain_may_drop_the_same_bucket_on_both_sides(self):
        def state(*oids):
            return {'_data': tuple(ref(oid) for oid in oids),
                    'compositeSize': 2, 'subfactory': _queue.BucketQueue}
        resolve = _queue.CompositeQueue.__new__(
            _queue.CompositeQueue)._p_resolveConflict
        merged = resolve(state(b'\0\1', b'\0\2', b'\0\3'),
                         state(b'\0\2', b'\0\3'),
                         state(b'\0\2', b'\0\3', b'\0\4'))
        self.assertEqual([r.oid for r in merged['_data']],
                         [b'\0\2', b'\0\3', b'\0\4'])
        # Queues of items still refuse an item pulled twice.
        self.assertConflict([1, 2], [2], [2])
        self.assertEqual(self.resolve([1, 2], [2, 3], [1], bucket=True),
                         (3,))

    def test_persistent_references_merge_and_come_back_unwrapped(self):
        old = [ref(b'\0\1'), ref(b'\0\2')]
        committed = [ref(b'\0\2'), ref(b'\0\3')]
        new = [ref(b'\0\1'), ref(b'\0\2'), ref(b'\0\4')]
        merged = self.resolve(old, committed, new)
        self.assertEqual([r.oid for r in merged], [b'\0\2', b'\0\3', b'\0\4'])
        self.assertIs(merged[0], committed[0])
        self.assertIs(merged[2], new[2])
        self.assertTrue(all(type(r) is PersistentReference for r in merged))

    def test_persistent_references_pulled_twice_conflict(self):
        old = [ref(b'\0\1'), ref(b'\0\2')]
        self.assertConflict(old, [ref(b'\0\2')], [ref(b'\0\2')])

    def test_persistent_references_mixed_with_one(self):
        # 1, True and 1.0 hash like upstream's constant proxy hash.
        for one in (1, True, 1.0):
            old = [ref(b'\0\1'), one, ref(b'\0\2')]
            committed = [one, ref(b'\0\2'), ref(b'\0\3')]
            new = [ref(b'\0\1'), one, ref(b'\0\2'), 'x']
            merged = self.resolve(old, committed, new)
            self.assertEqual(merged[0], one)
            self.assertEqual([r.oid for r in merged[1:3]], [b'\0\2', b'\0\3'])
            self.assertEqual(merged[3], 'x')

    def test_rejections_are_logged_at_debug_level(self):
        with self.assertLogs('zc.queue', logging.DEBUG) as logged:
            self.assertConflict([1, 2], [2], [2])
        self.assertIn('both transactions pulled', logged.output[0])

    def test_large_merge_is_fast_with_persistent_references(self):
        # Upstream's constant hash made this quadratic (hours, not ms).
        old = [ref(i.to_bytes(8, 'big')) for i in range(20000)]
        committed = old[1:]
        new = old[:5] + old[6:] + [ref(b'new-item')]
        merged = self.resolve(old, committed, new)
        self.assertEqual(len(merged), 19999)
