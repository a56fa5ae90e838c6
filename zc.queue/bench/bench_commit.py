"""Bytes a commit writes after one put or one pull, and what it costs.

Prints one line: for Queue, CompositeQueue (compositeSize 15) and, side by
side, the naive PersistentList queue at 1k, 50k and 500k items, the bytes
added to a FileStorage per commit and the milliseconds per put+commit.
Queue rewrites all items on every commit (the stored layout is one tuple);
CompositeQueue writes one bucket, plus its small composite record when a
bucket comes or goes.  The object cache holds every bucket (see
``measure``).
"""
import os
import shutil
import sys
import tempfile
import time

import transaction
import ZODB
import ZODB.FileStorage
from persistent.list import PersistentList

# bin/py runs a script without putting its folder on sys.path.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_ops import composite_of  # noqa: E402
from bench_ops import queue_of  # noqa: E402

SIZES = (1_000, 50_000, 500_000)
# Two full buckets' worth: the composite record, which grows with the
# number of buckets, is rewritten once per bucket added or removed.
COMMITS = 30


class PlainListQueue(PersistentList):
    """The naive baseline: a PersistentList used as a queue."""

    def put(self, item):
        self.append(item)

    def pull(self, index=0):
        return self.pop(index)


def plist_of(size):
    return PlainListQueue(range(size))


def measure(make, size, directory):
    """(bytes per put commit, bytes per pull commit, ms per put+commit)."""
    storage = ZODB.FileStorage.FileStorage(os.path.join(directory, 'Data.fs'))
    # Room for every bucket: with ZODB's default of 400 objects, each
    # commit's cache GC would evict the buckets that len and pull reload.
    db = ZODB.DB(storage, cache_size=100_000)
    try:
        tm = transaction.TransactionManager()
        connection = db.open(transaction_manager=tm)
        connection.root()['queue'] = queue = make(size)
        tm.commit()
        queue.put(-COMMITS - 1)  # warm up: the first commits pay extra
        tm.commit()
        written = {'put': 0, 'pull': 0}
        put_time = 0.0
        for number in range(COMMITS):
            for operation in ('put', 'pull'):
                before = storage.getSize()
                start = time.perf_counter()
                if operation == 'put':
                    queue.put(-number - 1)
                else:
                    queue.pull()
                tm.commit()
                if operation == 'put':
                    put_time += time.perf_counter() - start
                written[operation] += storage.getSize() - before
        return (written['put'] / COMMITS, written['pull'] / COMMITS,
                put_time / COMMITS * 1e3)
    finally:
        db.close()


def main():
    directory = tempfile.mkdtemp(prefix='zc.queue-bench-')
    parts = []
    try:
        for size in SIZES:
            row = []
            for name, make in (('Queue', queue_of),
                               ('CompositeQueue', composite_of),
                               ('PersistentList', plist_of)):
                where = tempfile.mkdtemp(dir=directory)
                put, pull, ms = measure(make, size, where)
                shutil.rmtree(where)
                row.append(f'{name} put {put:.0f} B, pull {pull:.0f} B,'
                           f' {ms:.2f} ms/put+commit')
            parts.append(f'{size // 1000}k: ' + ', '.join(row))
    finally:
        shutil.rmtree(directory)
    print('zc.queue bytes written per commit: ' + '; '.join(parts))


if __name__ == '__main__':
    main()
