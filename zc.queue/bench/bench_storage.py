"""CompositeQueue on a FileStorage with ZODB's default object cache.

For queues of 20k and 200k items (compositeSize 15, so 1,334 and 13,334
buckets against a cache of 400 objects) it measures, per operation,
milliseconds and objects loaded from the storage:

* put + commit,
* pull + commit (from the front),
* len() on a cold connection (nothing cached yet),
* indexing the middle item on a cold connection.

Side by side, in the same run and on the same kind of database, the
baseline is zc.queue 2.0.0's pull, kept here as ``OriginalPull``: it
normalises the index with len() and drops every empty bucket after each
pull, so it looks at every bucket twice per pull (the original package is
not installed; the algorithm is re-stated from its documented behaviour).
The line ends with our pull+commit / put+commit ratio (the aim is at most
2) and the baseline's pull+commit / ours (the aim is at least 10).
"""
import os
import shutil
import sys
import tempfile
import time

import transaction
import ZODB
import ZODB.FileStorage

import zc.queue

SIZES = (20_000, 200_000)
BUCKET = 15
#: Operations measured for our queue: twenty buckets' worth, so that
#: buckets are added and dropped as often as in steady use.
OPERATIONS = 20 * BUCKET
#: The baseline loads every bucket per pull: fewer samples keep it quick.
BASELINE_PULLS = {20_000: 60, 200_000: 15}


class OriginalPull(zc.queue.CompositeQueue):
    """CompositeQueue with zc.queue 2.0.0's pull (same stored layout)."""

    def pull(self, index=0):
        if index < 0:
            index += len(self)
            if index < 0:
                raise IndexError(index)
        for bucket in self._data:
            size = len(bucket)
            if index < size:
                item = bucket.pull(index)
                break
            index -= size
        else:
            raise IndexError(index)
        self._data = tuple(bucket for bucket in self._data if bucket)
        return item


def filled(cls, size):
    queue = cls(BUCKET)
    buckets = []
    for start in range(0, size, BUCKET):
        bucket = zc.queue.BucketQueue()
        bucket._data = tuple(range(start, min(start + BUCKET, size)))
        buckets.append(bucket)
    queue._data = tuple(buckets)
    return queue


def per_op(connection, tm, operation, count):
    """(ms, objects loaded) per ``operation()`` + commit, over ``count``."""
    connection.getTransferCounts(clear=True)
    start = time.perf_counter()
    for _ in range(count):
        operation()
        tm.commit()
    elapsed = time.perf_counter() - start
    loads, _ = connection.getTransferCounts(clear=True)
    return elapsed / count * 1e3, loads / count


def cold(db, operation):
    """(ms, objects loaded) of ``operation(queue)`` on a fresh connection."""
    db.cacheMinimize()
    tm = transaction.TransactionManager()
    connection = db.open(transaction_manager=tm)
    try:
        queue = connection.root()['queue']
        connection.getTransferCounts(clear=True)
        start = time.perf_counter()
        operation(queue)
        elapsed = time.perf_counter() - start
        loads, _ = connection.getTransferCounts(clear=True)
        tm.abort()
        return elapsed * 1e3, loads
    finally:
        connection.close()


def measure(cls, size, directory, pulls):
    """Figures of one queue class at one size, on a new database."""
    db = ZODB.DB(ZODB.FileStorage.FileStorage(
        os.path.join(directory, 'Data.fs')))
    try:
        assert db.getCacheSize() == 400, 'ZODB default cache size changed'
        with db.transaction() as connection:
            connection.root()['queue'] = filled(cls, size)
        figures = {
            'len': cold(db, len),
            'index': cold(db, lambda queue: queue[size // 2]),
        }
        tm = transaction.TransactionManager()
        connection = db.open(transaction_manager=tm)
        queue = connection.root()['queue']
        queue[0]
        tm.commit()
        serial = iter(range(-1, -10 * OPERATIONS, -1))
        figures['put'] = per_op(
            connection, tm, lambda: queue.put(next(serial)), OPERATIONS)
        figures['pull'] = per_op(connection, tm, queue.pull, pulls)
        connection.close()
        return figures
    finally:
        db.close()


def main():
    directory = tempfile.mkdtemp(prefix='zc.queue-bench-')
    parts = []
    try:
        for size in SIZES:
            row = {}
            for name, cls, pulls in (
                    ('ours', zc.queue.CompositeQueue, OPERATIONS),
                    ('2.0.0', OriginalPull, BASELINE_PULLS[size])):
                where = tempfile.mkdtemp(dir=directory)
                row[name] = measure(cls, size, where, pulls)
                shutil.rmtree(where)
            ours, base = row['ours'], row['2.0.0']
            text = ', '.join(
                f'{name} ' + ' '.join(
                    f'{op} {figures[op][0]:.2f} ms/{figures[op][1]:.1f} loads'
                    for op in ('put', 'pull', 'len', 'index'))
                for name, figures in row.items())
            parts.append(
                f'{size // 1000}k: {text};'
                f' ours pull/put {ours["pull"][0] / ours["put"][0]:.2f}x,'
                f' 2.0.0 pull / ours {base["pull"][0] / ours["pull"][0]:.0f}x')
    finally:
        shutil.rmtree(directory)
    print('zc.queue CompositeQueue on FileStorage, default cache'
          ' (ms/op, objects loaded/op; put and pull include the commit):'
          f' {"; ".join(parts)}', flush=True)


if __name__ == '__main__':
    sys.exit(main())
