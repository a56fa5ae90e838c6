"""Share of concurrent commits that succeed, with 2, 4, 8 and 16 writers.

In each round every writer (a connection with its own transaction manager)
starts from the same state of one queue of 100 items, makes one change,
and then all commit one after another.  The first commit always succeeds;
the figure is the share of the later commits that succeed too, because
conflict resolution merged them (or, for CompositeQueue, because they
touched other buckets).  Two workloads: half puts and half pulls at a
random index ("random"), and half puts and half pulls of the front item
("front": consumers racing for one item, which cannot merge).  Side by
side: the same with a PersistentList, which cannot merge at all.
"""
import os
import random
import shutil
import tempfile

import transaction
import ZODB
import ZODB.FileStorage
from persistent.list import PersistentList
from ZODB.POSException import ConflictError

import zc.queue

WRITERS = (2, 4, 8, 16)
ROUNDS = 25
SIZE = 100


class PlainListQueue(PersistentList):

    def put(self, item):
        self.append(item)

    def pull(self, index=0):
        return self.pop(index)


FLAVOURS = (
    ('Queue', zc.queue.Queue),
    ('CompositeQueue', zc.queue.CompositeQueue),
    ('PersistentList', PlainListQueue),
)


def later_commits_succeeding(factory, writers, front, rng, directory):
    db = ZODB.DB(ZODB.FileStorage.FileStorage(
        os.path.join(directory, 'Data.fs')), pool_size=writers)
    try:
        connections = []
        for _ in range(writers):
            tm = transaction.TransactionManager()
            connections.append((db.open(transaction_manager=tm), tm))
        connection, tm = connections[0]
        queue = connection.root()['queue'] = factory()
        for item in range(SIZE):
            queue.put(item)
        tm.commit()
        succeeded = attempted = 0
        item = SIZE
        for _ in range(ROUNDS):
            for connection, tm in connections:
                tm.begin()
                queue = connection.root()['queue']
                if rng.random() < 0.5 or len(queue) < writers:
                    queue.put(item)
                    item += 1
                else:
                    queue.pull(0 if front else rng.randrange(len(queue)))
            for number, (connection, tm) in enumerate(connections):
                try:
                    tm.commit()
                except ConflictError:
                    tm.abort()
                else:
                    succeeded += number > 0
                attempted += number > 0
        return succeeded / attempted
    finally:
        db.close()


def main():
    rng = random.Random(42)
    directory = tempfile.mkdtemp(prefix='zc.queue-bench-')
    parts = []
    try:
        for front in (False, True):
            for name, factory in FLAVOURS:
                shares = []
                for writers in WRITERS:
                    where = tempfile.mkdtemp(dir=directory)
                    shares.append(later_commits_succeeding(
                        factory, writers, front, rng, where))
                    shutil.rmtree(where)
                parts.append(
                    f'{"front" if front else "random"} {name} ' + '/'.join(
                        f'{share:.0%}' for share in shares))
    finally:
        shutil.rmtree(directory)
    print('zc.queue later concurrent commits succeeding with '
          + '/'.join(map(str, WRITERS)) + ' writers: ' + ', '.join(parts))


if __name__ == '__main__':
    main()
