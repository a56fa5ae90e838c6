"""Edge cases of the queue classes and of conflict resolution, without a
database (see test_conflicts for real concurrent transactions)."""
import logging
import pickle
import unittest

import persistent
from ZODB.ConflictResolution import PersistentReference
from ZODB.POSException import ConflictError
from zope.interface.verify import verifyClass
from zope.interface.verify import verifyObject

import zc.queue
from zc.queue import _queue
from zc.queue.interfaces import IQueue
from zc.queue.tests.support import Item


def ref(oid, database_name=None):
    """A placeholder as ZODB builds it for a reference to object ``oid``."""
    if database_name is None:
        return PersistentReference((oid, None))
    return PersistentReference(['m', (database_name, oid, None)])


class _BasicAPITests:
    """The IQueue operations; run for each flavour and each item kind."""

    def item(self, value):
        return value

    def filled(self, *values):
        queue = self.make_queue()
        for value in values:
            queue.put(self.item(value))
        return queue

    def values(self, items):
        return [item.value if isinstance(item, Item) else item
                for item in items]

    def test_provides_IQueue(self):
        self.assertTrue(verifyObject(IQueue, self.make_queue()))

    def test_new_queue_is_empty(self):
        queue = self.make_queue()
        self.assertEqual(len(queue), 0)
        self.assertFalse(queue)
        self.assertEqual(list(queue), [])

    def test_put_returns_None_and_pull_is_fifo(self):
        queue = self.make_queue()
        self.assertIsNone(queue.put(self.item(1)))
        queue.put(self.item(2))
        queue.put(self.item(3))
        self.assertEqual(
            self.values([queue.pull(), queue.pull(), queue.pull()]), [1, 2, 3])
        self.assertFalse(queue)

    def test_pull_at_positive_zero_and_negative_indexes(self):
        queue = self.filled(*range(6))
        self.assertEqual(self.values([queue.pull(2)]), [2])
        self.assertEqual(self.values([queue.pull(0)]), [0])
        self.assertEqual(self.values([queue.pull(-1)]), [5])
        self.assertEqual(self.values([queue.pull(-3)]), [1])
        self.assertEqual(self.values(queue), [3, 4])

    def test_pull_from_empty_queue_raises_IndexError(self):
        queue = self.make_queue()
        self.assertRaises(IndexError, queue.pull)
        self.assertRaises(IndexError, queue.pull, -1)

    def test_pull_past_the_end_raises_IndexError_and_changes_nothing(self):
        queue = self.filled(1, 2, 3)
        self.assertRaises(IndexError, queue.pull, 3)
        self.assertEqual(self.values(queue), [1, 2, 3])

    def test_negative_pull_before_the_front_names_the_index(self):
        queue = self.filled(1, 2, 3)
        with self.assertRaises(IndexError) as caught:
            queue.pull(-4)
        self.assertEqual(caught.exception.args, (-4,))
        self.assertEqual(self.values(queue), [1, 2, 3])

    def test_pull_with_a_non_integer_index_raises_TypeError(self):
        queue = self.filled(1, 2)
        for index in ('0', 1.0, None):
            with self.assertRaises(TypeError) as caught:
                queue.pull(index)
            self.assertIn(type(index).__name__, str(caught.exception))
        self.assertEqual(self.values(queue), [1, 2])

    def test_len_bool_and_iteration_do_not_consume(self):
        queue = self.filled(1, 2, 3)
        self.assertEqual(len(queue), 3)
        self.assertTrue(queue)
        self.assertEqual(self.values(queue), [1, 2, 3])
        self.assertEqual(self.values(queue), [1, 2, 3])
        self.assertEqual(len(queue), 3)

    def test_iterator_of_empty_queue_stops(self):
        self.assertRaises(StopIteration, next, iter(self.make_queue()))

    def test_indexing(self):
        queue = self.filled(1, 2, 3)
        self.assertEqual(self.values([queue[0], queue[2], queue[-1],
                                      queue[-3]]), [1, 3, 3, 1])
        self.assertRaises(IndexError, queue.__getitem__, 3)
        self.assertRaises(IndexError, queue.__getitem__, -4)

    def test_indexing_an_empty_queue_raises_IndexError(self):
        queue = self.make_queue()
        self.assertRaises(IndexError, queue.__getitem__, 0)
        self.assertRaises(IndexError, queue.__getitem__, -1)

    def test_indexing_with_a_non_integer_raises_TypeError(self):
        queue = self.filled(1)
        with self.assertRaises(TypeError) as caught:
            queue['0']
        self.assertIn("'0'", str(caught.exception))

    def test_slices(self):
        queue = self.filled(1, 2, 3, 4, 5)
        self.assertEqual(self.values(queue[:]), [1, 2, 3, 4, 5])
        self.assertEqual(self.values(queue[:1]), [1])
        self.assertEqual(self.values(queue[::-1]), [5, 4, 3, 2, 1])
        self.assertEqual(self.values(queue[-2::-2]), [4, 2])
        self.assertEqual(self.values(queue[1:4:2]), [2, 4])
        self.assertEqual(self.values(queue[7:]), [])


class _ItemMixin:

    def item(self, value):
        return Item(value)


class QueueTests(_BasicAPITests, unittest.TestCase):

    def make_queue(self):
        return zc.queue.Queue()

    def test_slices_are_tuples(self):
        sliced = self.filled(1, 2, 3)[::2]
        self.assertIs(type(sliced), tuple)
        self.assertEqual(self.values(sliced), [1, 3])

    def test_state_is_the_tuple_of_items(self):
        queue = self.filled(1, 2)
        state = queue.__getstate__()
        self.assertEqual(list(state), ['_data'])
        self.assertIs(type(state['_data']), tuple)
        self.assertEqual(self.values(state['_data']), [1, 2])

    def test_iteration_is_a_snapshot(self):
        queue = self.filled(1, 2, 3)
        iterator = iter(queue)
        self.assertEqual(self.values([next(iterator)]), [1])
        queue.pull()
        queue.put(self.item(4))
        self.assertEqual(self.values(iterator), [2, 3])

    def test_out_of_range_message_names_index_and_size(self):
        queue = self.filled(1, 2)
        with self.assertRaisesRegex(IndexError, r'\b5\b.*\b2 item'):
            queue.pull(5)
        with self.assertRaisesRegex(IndexError, r'\b7\b.*\b2 item'):
            queue[7]


class QueueWithPersistentItemsTests(_ItemMixin, QueueTests):
    pass


class BucketQueueTests(_BasicAPITests, unittest.TestCase):

    def make_queue(self):
        return zc.queue.BucketQueue()


class CompositeQueueTests(_BasicAPITests, unittest.TestCase):

    def make_queue(self):
        return zc.queue.CompositeQueue(compositeSize=2)

    def test_defaults(self):
        queue = zc.queue.CompositeQueue()
        self.assertEqual(queue.compositeSize, 15)
        self.assertIs(queue.subfactory, zc.queue.BucketQueue)
        self.assertEqual(queue._data, ())
        self.assertEqual(
            queue.__getstate__(),
            {'_data': (), 'compositeSize': 15,
             'subfactory': zc.queue.BucketQueue})

    def test_put_fills_buckets_up_to_compositeSize(self):
        queue = self.filled(1, 2, 3, 4, 5)
        self.assertEqual([len(bucket) for bucket in queue._data], [2, 2, 1])
        self.assertTrue(all(type(bucket) is zc.queue.BucketQueue
                            for bucket in queue._data))

    def test_pull_drops_the_bucket_it_empties(self):
        queue = self.filled(1, 2, 3, 4, 5)
        self.assertEqual(self.values([queue.pull(-1)]), [5])
        self.assertEqual([self.values(bucket) for bucket in queue._data],
                         [[1, 2], [3, 4]])

    def test_pull_drops_the_empty_buckets_it_walks_past(self):
        queue = self.filled(1, 2, 3, 4, 5, 6, 7)
        # What merges of concurrent pulls leave behind.
        queue._data[0]._data = ()
        queue._data[2]._data = ()
        self.assertEqual(len(queue), 3)
        self.assertEqual(self.values([queue.pull(2)]), [7])
        self.assertEqual([self.values(bucket) for bucket in queue._data],
                         [[3, 4]])

    def test_pull_leaves_empty_buckets_it_does_not_reach(self):
        queue = self.filled(1, 2, 3, 4, 5)
        queue._data[1]._data = ()
        self.assertEqual(self.values([queue.pull(-1)]), [5])
        self.assertEqual([self.values(bucket) for bucket in queue._data],
                         [[1, 2], []])
        self.assertEqual(self.values([queue.pull(-1)]), [2])
        self.assertEqual([self.values(bucket) for bucket in queue._data],
                         [[1]])

    def test_pull_loads_only_the_buckets_on_the_way(self):
        queue = zc.queue.CompositeQueue(2)
        for value in range(100):
            queue.put(value)
        walked = []

        class Watched(zc.queue.BucketQueue):
            def __getattribute__(self, name):
                if name == '_data':
                    walked.append(self)
                return super().__getattribute__(name)

        for bucket in queue._data:
            bucket.__class__ = Watched
        queue.pull(0)
        queue.pull(-1)
        queue.pull(3)
        self.assertLessEqual(len(set(walked)), 5)

    def test_pull_rewrites_the_bucket_tuple_only_when_a_bucket_goes(self):
        queue = self.filled(1, 2, 3)
        buckets = queue._data
        queue.pull()
        self.assertIs(queue._data, buckets)
        queue.pull()
        self.assertEqual(queue._data, buckets[1:])

    def test_empty_last_bucket_is_reused_by_put(self):
        queue = self.filled(1, 2, 3)
        last = queue._data[-1]
        last._data = ()
        queue.put(self.item(4))
        self.assertIs(queue._data[-1], last)
        self.assertEqual(self.values(queue), [1, 2, 4])

    def test_only_empty_buckets_are_false(self):
        queue = self.filled(1)
        queue._data[0]._data = ()
        self.assertFalse(queue)
        self.assertEqual(len(queue), 0)
        self.assertRaises(IndexError, queue.pull)

    def test_slices_are_lists(self):
        sliced = self.filled(1, 2, 3)[::2]
        self.assertIs(type(sliced), list)
        self.assertEqual(self.values(sliced), [1, 3])

    def test_out_of_range_names_the_index(self):
        queue = self.filled(1, 2)
        for index in (2, -3):
            with self.assertRaises(IndexError) as caught:
                queue.pull(index)
            self.assertEqual(caught.exception.args, (index,))
            with self.assertRaises(IndexError) as caught:
                queue[index]
            self.assertEqual(caught.exception.args, (index,))

    def test_indexes_across_many_buckets(self):
        queue = zc.queue.CompositeQueue(3)
        values = list(range(200))
        for value in values:
            queue.put(value)
        queue._data[5]._data = ()
        del values[15:18]
        for index in range(-len(values), len(values)):
            self.assertEqual(queue[index], values[index])
        self.assertEqual(queue.pull(-100), values.pop(-100))
        self.assertEqual(queue.pull(100), values.pop(100))
        self.assertEqual(list(queue), values)

    def test_custom_subfactory(self):
        made = []

        class Bucket(zc.queue.Queue):
            def __len__(self):
                made.append('len')
                return super().__len__()

        queue = zc.queue.CompositeQueue(2, Bucket)
        for value in range(5):
            queue.put(value)
        self.assertEqual([type(b) for b in queue._data], [Bucket] * 3)
        self.assertEqual(len(queue), 5)
        self.assertEqual(queue.pull(3), 3)
        self.assertEqual(queue[-1], 4)
        self.assertIn('len', made)

    def test_bad_constructor_arguments(self):
        with self.assertRaisesRegex(TypeError, "compositeSize.*str.*'2'"):
            zc.queue.CompositeQueue('2')
        with self.assertRaisesRegex(ValueError, 'compositeSize.*at least 1'):
            zc.queue.CompositeQueue(0)
        with self.assertRaisesRegex(TypeError, 'subfactory.*callable'):
            zc.queue.CompositeQueue(2, None)


class CompositeQueueWithPersistentItemsTests(_ItemMixin, CompositeQueueTests):
    pass


class NamesTests(unittest.TestCase):

    def test_class_paths(self):
        for name in ('Queue', 'BucketQueue', 'CompositeQueue'):
            cls = getattr(_queue, name)
            self.assertEqual((cls.__module__, cls.__name__),
                             ('zc.queue._queue', name))
            self.assertIs(getattr(zc.queue, name), cls)

    def test_legacy_aliases(self):
        self.assertIs(zc.queue.PersistentQueue, _queue.BucketQueue)
        self.assertIs(_queue.PersistentQueue, _queue.BucketQueue)
        self.assertIs(zc.queue.CompositePersistentQueue,
                      zc.queue.CompositeQueue)
        self.assertIs(_queue.CompositePersistentQueue, _queue.CompositeQueue)

    def test_hierarchy(self):
        self.assertTrue(issubclass(_queue.Queue, persistent.Persistent))
        self.assertTrue(issubclass(_queue.BucketQueue, _queue.Queue))
        self.assertTrue(
            issubclass(_queue.CompositeQueue, persistent.Persistent))
        self.assertFalse(issubclass(_queue.CompositeQueue, _queue.Queue))
        self.assertFalse(issubclass(_queue.Queue, _queue.CompositeQueue))
        for cls in (_queue.Queue, _queue.BucketQueue, _queue.CompositeQueue):
            self.assertTrue(verifyClass(IQueue, cls))
            self.assertFalse(hasattr(cls, '__slots__'))
            self.assertIs(cls.__nonzero__, cls.__bool__)

    def test_records_of_the_legacy_names_load(self):
        # zc.queue 1.0 databases name these classes; ZODB pickles with
        # protocol 3, where a class reference is "module\nname\n".
        for old, new, cls in (
                (b'BucketQueue', b'PersistentQueue', _queue.BucketQueue),
                (b'CompositeQueue', b'CompositePersistentQueue',
                 _queue.CompositeQueue)):
            data = pickle.dumps(cls(), protocol=3)
            self.assertIn(b'zc.queue._queue\n' + old + b'\n', data)
            data = data.replace(b'\n' + old + b'\n', b'\n' + new + b'\n')
            self.assertIs(type(pickle.loads(data)), cls)

    def test_pickles_record_the_class_paths(self):
        queue = zc.queue.CompositeQueue(3)
        queue.put(1)
        data = pickle.dumps(queue, protocol=3)
        for name in (b'zc.queue._queue', b'CompositeQueue', b'BucketQueue'):
            self.assertIn(name, data)
        copy = pickle.loads(data)
        self.assertEqual(list(copy), [1])
        self.assertEqual(copy.compositeSize, 3)
        self.assertIs(type(copy._data[0]), zc.queue.BucketQueue)


class PersistentReferenceProxyTests(unittest.TestCase):

    proxy = _queue.PersistentReferenceProxy

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
        return _queue.resolveQueueConflict(
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

    def test_missing_data_conflicts(self):
        self.assertRaises(ConflictError, _queue.resolveQueueConflict,
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

    def test_bucket_rule(self):
        # One side emptied the bucket, the other still has items in it.
        self.assertConflict([1], [1, 2], [], bucket=True)
        self.assertConflict([1], [], [1, 2], bucket=True)
        self.assertEqual(self.resolve([1], [1, 2], []), (2,))
        self.assertEqual(self.resolve([], [1], [2], bucket=True), (1, 2))
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
