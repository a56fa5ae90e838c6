"""Cost of put, pull and len on loaded queues of 1k, 50k and 500k items.

Prints one line: microseconds per put/pull/len for Queue and
CompositeQueue (compositeSize 15) and, measured side by side, two
baselines: "literal" versions of both classes (same stored layout, the
straightforward algorithms: Python-level len and truth tests of every
bucket, pull by slicing and concatenating) and a naive queue on a
PersistentList (append / pop(0), which cannot merge concurrent writes).
Then the ratios against the literal baseline at every size and against
zc.queue 2.0.0's figures at 50k items as quoted in the issue (measured on
this kind of machine; the original cannot be run here).  Each figure is the
best of three timed batches of a sample of operations, so 500k stays quick.
"""
import gc
import time

from persistent.list import PersistentList

import zc.queue

SIZES = (1_000, 50_000, 500_000)
#: zc.queue 2.0.0 at 50k items, in microseconds per operation.
ORIGINAL_50K = {
    ('Queue', 'put'): 119, ('Queue', 'pull'): 75,
    ('CompositeQueue', 'pull'): 346, ('CompositeQueue', 'len'): 542,
}


class LiteralQueue(zc.queue.Queue):
    """Queue with the straightforward pull: two slices concatenated."""

    def pull(self, index=0):
        data = self._data
        if index < 0:
            index += len(data)
        item = data[index]
        self._data = data[:index] + data[index + 1:]
        return item


class LiteralCompositeQueue(zc.queue.CompositeQueue):
    """CompositeQueue asking every bucket for its len and truth."""

    def __len__(self):
        return sum(len(bucket) for bucket in self._data)

    def pull(self, index=0):
        if index < 0:
            index += len(self)
        for bucket in self._data:
            if index < len(bucket):
                item = bucket.pull(index)
                break
            index -= len(bucket)
        self._data = tuple(bucket for bucket in self._data if bucket)
        return item


def queue_of(size, cls=zc.queue.Queue):
    queue = cls()
    # Filling by put would copy the tuple size times: set the state.
    queue._data = tuple(range(size))
    return queue


def composite_of(size, cls=zc.queue.CompositeQueue, bucket_size=15):
    queue = cls(bucket_size)
    buckets = []
    for start in range(0, size, bucket_size):
        bucket = zc.queue.BucketQueue()
        bucket._data = tuple(range(start, min(start + bucket_size, size)))
        buckets.append(bucket)
    queue._data = tuple(buckets)
    return queue


def plist_of(size):
    return PersistentList(range(size))


class PlainListQueue:
    """The naive baseline: a PersistentList used as a queue."""

    def __init__(self, size):
        self.items = plist_of(size)

    def put(self, item):
        self.items.append(item)

    def pull(self, index=0):
        return self.items.pop(index)

    def __len__(self):
        return len(self.items)


def per_op_us(queue, operation, samples):
    """Best of three batches of ``samples`` operations, in microseconds.

    Puts and pulls alternate with their inverse outside the timed part,
    so the queue keeps its size.
    """
    best = float('inf')
    gc.disable()
    try:
        for _ in range(3):
            if operation == 'put':
                start = time.perf_counter()
                for item in range(samples):
                    queue.put(-item)
                elapsed = time.perf_counter() - start
                for _ in range(samples):
                    queue.pull(-1)
            elif operation == 'pull':
                start = time.perf_counter()
                pulled = [queue.pull() for _ in range(samples)]
                elapsed = time.perf_counter() - start
                for item in pulled:
                    queue.put(item)
            else:
                start = time.perf_counter()
                for _ in range(samples):
                    len(queue)
                elapsed = time.perf_counter() - start
            best = min(best, elapsed / samples)
    finally:
        gc.enable()
    return best * 1e6


def samples_for(size):
    return max(20, min(size // 2, 20_000_000 // size))


FLAVOURS = (
    ('Queue', queue_of),
    ('literal Queue', lambda size: queue_of(size, LiteralQueue)),
    ('CompositeQueue', composite_of),
    ('literal CompositeQueue',
     lambda size: composite_of(size, LiteralCompositeQueue)),
    ('PersistentList', PlainListQueue),
)
OPERATIONS = ('put', 'pull', 'len')


def main():
    figures = {}
    parts = []
    for size in SIZES:
        samples = samples_for(size)
        row = []
        for name, make in FLAVOURS:
            queue = make(size)
            costs = {op: per_op_us(queue, op, samples) for op in OPERATIONS}
            figures[size, name] = costs
            row.append(f'{name} ' + '/'.join(
                f'{costs[op]:.2f}' for op in OPERATIONS))
        for name in ('Queue', 'CompositeQueue'):
            literal = figures[size, 'literal ' + name]
            ours = figures[size, name]
            row.append(f'{name} vs literal ' + '/'.join(
                f'{literal[op] / ours[op]:.1f}x' for op in OPERATIONS))
        parts.append(f'{size // 1000}k: ' + ', '.join(row))
    ratios = ', '.join(
        f'{name} {op} {original} -> {figures[50_000, name][op]:.1f}'
        f' ({original / figures[50_000, name][op]:.1f}x)'
        for (name, op), original in ORIGINAL_50K.items())
    print('zc.queue us per put/pull/len: ' + '; '.join(parts)
          + f'; vs 2.0.0 at 50k: {ratios}')


if __name__ == '__main__':
    main()
