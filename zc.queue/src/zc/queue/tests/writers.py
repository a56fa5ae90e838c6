"""Concurrent writers putting and pulling on shared queues, and the check
that nothing was lost or pulled twice.

Used by the tests (small, bounded runs on FileStorage, ZEO and RelStorage)
and by the benchmarks (larger runs).  Each writer runs transactions of one
to three actions -- a put, or a pull from the front, the back or between --
on a `Queue` and a `CompositeQueue` with small buckets, pausing briefly
between actions so that transactions overlap; one transaction in ten is
aborted on purpose.  A transaction that fails with a ConflictError is
retried until a deadline.  Each writer reports what its committed
transactions put and pulled.

Writers are processes (ZEO, RelStorage: each opens the database itself
through a picklable opener from zc.queue.testing) or threads sharing one
``ZODB.DB`` (FileStorage, which belongs to one process).
"""
import json
import multiprocessing
import os
import random
import threading
import time

import transaction
from persistent.list import PersistentList
from ZODB.POSException import ConflictError

import zc.queue

QUEUE_NAMES = ('queue', 'composite')
#: Items in each queue before the writers start, so pulls start at once.
INITIAL = 4


class ListQueue(PersistentList):
    """The baseline: a queue on a PersistentList, which cannot merge."""

    def put(self, item):
        self.append(item)

    def pull(self, index=0):
        return self.pop(index)


def create_queues(db, composite_size=2, baseline=False):
    """Store the two queues, each holding INITIAL items; returns those."""
    initial = {}
    with db.transaction() as connection:
        root = connection.root()
        for name in QUEUE_NAMES:
            if baseline:
                queue = ListQueue()
            elif name == 'queue':
                queue = zc.queue.Queue()
            else:
                queue = zc.queue.CompositeQueue(composite_size)
            initial[name] = [f'{name}-{n}' for n in range(INITIAL)]
            for item in initial[name]:
                queue.put(item)
            root[name] = queue
    return initial


def _action(rng, queue, item):
    """Do one random action on ``queue``; returns ('put'|'pulled', item)."""
    size = len(queue)
    # Pulls get likelier as the queue grows, which keeps it at a few
    # buckets: their emptying and dropping then race with puts.
    if size > rng.randrange(8):
        # Mostly both ends and the items next to them, so that two
        # transactions often empty the same bucket between them.
        index = rng.choice((0, 1, -1, -2, rng.randrange(-size, size)))
        if not -size <= index < size:
            index = 0
        return 'pulled', queue.pull(index)
    queue.put(item)
    return 'put', item


def work(db, number, transactions, seed, deadline, pause=0.002):
    """Run ``transactions`` committed transactions on ``db``; returns what
    they put and pulled, and counts of commits, merges and conflicts."""
    rng = random.Random(seed)
    tm = transaction.TransactionManager()
    connection = db.open(transaction_manager=tm)
    done = {name: {'put': [], 'pulled': []} for name in QUEUE_NAMES}
    stats = {'commits': 0, 'resolved': 0, 'conflicts': 0, 'aborts': 0,
             'unfinished': 0}
    serial = 0
    try:
        for _ in range(transactions):
            while True:
                if time.monotonic() > deadline:
                    stats['unfinished'] += 1
                    break
                tm.begin()
                actions = []
                for _ in range(rng.randint(1, 3)):
                    name = rng.choice(QUEUE_NAMES)
                    serial += 1
                    kind, item = _action(rng, connection.root()[name],
                                         f'w{number}-{serial}')
                    actions.append((name, kind, item))
                    time.sleep(rng.random() * pause)
                if rng.random() < 0.1:
                    tm.abort()
                    stats['aborts'] += 1
                    continue
                changed = list(connection._registered_objects)
                try:
                    tm.commit()
                except ConflictError:
                    tm.abort()
                    stats['conflicts'] += 1
                    time.sleep(rng.random() * pause)
                    continue
                stats['commits'] += 1
                # ZODB turns the records merged by conflict resolution
                # into ghosts after the commit.
                stats['resolved'] += any(o._p_changed is None
                                         for o in changed)
                for name, kind, item in actions:
                    done[name][kind].append(item)
                break
    finally:
        connection.close()
    return {'done': done, 'stats': stats, 'finished': time.time()}


def _process_main(opener, number, transactions, seed, deadline_in,
                  result_path, start):
    db = opener()
    try:
        # Start together: spawning and opening take longer than the work.
        start.wait(deadline_in)
        result = work(db, number, transactions, seed,
                      time.monotonic() + deadline_in)
    finally:
        db.close()
    with open(result_path, 'w') as output:
        json.dump(result, output)


def run_processes(opener, directory, writers, transactions, time_limit=60):
    """Writer processes, each opening the database with ``opener()``.

    Returns their results and the wall-clock time (``time.time()``) at
    which they started working together.
    """
    context = multiprocessing.get_context('spawn')
    start = context.Barrier(writers + 1)
    processes = []
    for number in range(writers):
        path = os.path.join(directory, f'writer-{number}.json')
        process = context.Process(
            target=_process_main,
            args=(opener, number, transactions, number, time_limit, path,
                  start))
        process.start()
        processes.append((process, path))
    results = []
    try:
        start.wait(time_limit)
        started = time.time()
        for process, path in processes:
            process.join(time_limit + 60)
            if process.is_alive() or process.exitcode:
                raise AssertionError(
                    f'writer {process.name} did not finish'
                    f' (exit code {process.exitcode})')
            with open(path) as result:
                results.append(json.load(result))
    finally:
        for process, _ in processes:
            if process.is_alive():
                process.kill()
                process.join(30)
    return results, started


def run_threads(db, writers, transactions, time_limit=60):
    """Writer threads sharing ``db``, each with its own connection.

    Returns their results and the time they started, like run_processes.
    """
    results = [None] * writers
    deadline = time.monotonic() + time_limit
    start = threading.Barrier(writers + 1)

    def target(number):
        start.wait(time_limit)
        results[number] = work(db, number, transactions, number, deadline)

    threads = [threading.Thread(target=target, args=(number,))
               for number in range(writers)]
    for thread in threads:
        thread.start()
    start.wait(time_limit)
    started = time.time()
    for thread in threads:
        thread.join(time_limit + 60)
        if thread.is_alive():
            raise AssertionError(f'writer {thread.name} did not finish')
    if None in results:
        raise AssertionError('a writer thread failed')
    return results, started


def drain(db):
    """Pull every item left in the queues, alternately from both ends."""
    left = {}
    with db.transaction() as connection:
        for name in QUEUE_NAMES:
            queue = connection.root()[name]
            size = len(queue)
            left[name] = [queue.pull(-(n % 2)) for n in range(size)]
            assert not queue, f'{name} not empty after draining'
    return left


def check(initial, results, left):
    """Problems found: an item put but never pulled, pulled twice, or
    pulled without having been put.  An empty list means none."""
    problems = []
    for name in QUEUE_NAMES:
        put = initial[name] + [
            i for r in results for i in r['done'][name]['put']]
        pulled = [i for r in results for i in r['done'][name]['pulled']]
        pulled += left[name]
        if sorted(pulled) != sorted(put):
            lost = sorted(set(put) - set(pulled))
            unknown = sorted(set(pulled) - set(put))
            twice = sorted({i for i in pulled if pulled.count(i) > 1})
            problems.append(f'{name}: lost {lost}, unknown {unknown},'
                            f' pulled twice {twice}')
    return problems


def totals(results):
    """The writers' counts added up."""
    stats = [r['stats'] for r in results]
    return {key: sum(s[key] for s in stats) for key in stats[0]}


def commits_per_second(results, started):
    """Commits of all writers per second, from their common start until
    the last one finished."""
    elapsed = max(r['finished'] for r in results) - started
    return totals(results)['commits'] / elapsed
