"""Writer processes hammering shared queues through a real ZEO server.

Used by test_zeo (a small, bounded run) and by bench/bench_zeo_stress.py (a
larger one).  The server runs in its own process and resolves conflicts
itself, so it imports zc.queue like a production ZEO server would.
"""
import json
import multiprocessing
import os
import random
import socket
import subprocess
import sys
import time

import transaction
import ZEO
from persistent.list import PersistentList
from ZODB.POSException import ConflictError

import zc.queue

QUEUE_NAMES = ('queue', 'composite')


def free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


class Server:
    """``python -m ZEO.runzeo`` on 127.0.0.1 with a FileStorage."""

    def __init__(self, directory):
        self.address = ('127.0.0.1', free_port())
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
        self.log = open(os.path.join(directory, 'zeo.log'), 'wb')
        self.process = subprocess.Popen(
            [sys.executable, '-m', 'ZEO.runzeo',
             '-a', '%s:%s' % self.address,
             '-f', os.path.join(directory, 'Data.fs')],
            stdout=self.log, stderr=subprocess.STDOUT, env=env)

    def db(self):
        return ZEO.DB(self.address, wait_timeout=60)

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(30)
        self.log.close()


class ListQueue(PersistentList):
    """The baseline: a queue on a PersistentList, which cannot merge."""

    def put(self, item):
        self.append(item)

    def pull(self, index=0):
        return self.pop(index)


def create_queues(db, baseline=False, composite_size=3):
    with db.transaction() as connection:
        root = connection.root()
        if baseline:
            root['queue'], root['composite'] = ListQueue(), ListQueue()
        else:
            root['queue'] = zc.queue.Queue()
            root['composite'] = zc.queue.CompositeQueue(composite_size)


def writer(address, number, operations, seed, result_path, time_limit):
    """Put and pull ``operations`` times, retrying on ConflictError.

    About one transaction in ten is aborted on purpose, and retried.  Writes
    what it committed (items put and pulled, per queue), how many commits
    the server merged with concurrent ones and how many failed with a
    ConflictError to ``result_path`` as JSON.
    """
    rng = random.Random(seed)
    db = ZEO.DB(address, wait_timeout=60)
    tm = transaction.TransactionManager()
    connection = db.open(transaction_manager=tm)
    done = {name: {'put': [], 'pulled': []} for name in QUEUE_NAMES}
    stats = {'commits': 0, 'resolved': 0, 'conflicts': 0, 'aborts': 0}
    deadline = time.monotonic() + time_limit
    for operation in range(operations):
        name = rng.choice(QUEUE_NAMES)
        pull = rng.random() < 0.45
        while time.monotonic() < deadline:
            tm.begin()
            queue = connection.root()[name]
            if pull and queue:
                # Mostly near the front, as consumers do.
                item = queue.pull(rng.randrange(min(len(queue), 4)))
                action = 'pulled'
            else:
                item = f'w{number}-{operation}'
                queue.put(item)
                action = 'put'
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
                time.sleep(rng.random() * 0.005)
                continue
            stats['commits'] += 1
            # ZODB turns the records the server merged into ghosts.
            stats['resolved'] += any(o._p_changed is None for o in changed)
            done[name][action].append(item)
            break
    connection.close()
    db.close()
    with open(result_path, 'w') as result:
        json.dump({'done': done, 'stats': stats}, result)


def drain(db):
    """Pull every item left in the queues; return them per queue name."""
    left = {}
    with db.transaction() as connection:
        for name in QUEUE_NAMES:
            queue = connection.root()[name]
            left[name] = [queue.pull() for _ in range(len(queue))]
            assert not queue, f'{name} not empty after draining'
    return left


def run(directory, writers, operations, time_limit=60, baseline=False):
    """Run the writers against a fresh server; return (results, left over).

    With ``baseline``, both queues are `ListQueue` objects.
    """
    context = multiprocessing.get_context('spawn')
    server = Server(directory)
    try:
        db = server.db()
        create_queues(db, baseline)
        processes = []
        for number in range(writers):
            path = os.path.join(directory, f'writer-{number}.json')
            process = context.Process(
                target=writer,
                args=(server.address, number, operations, number, path,
                      time_limit))
            process.start()
            processes.append((process, path))
        results = []
        for process, path in processes:
            process.join(time_limit + 30)
            if process.is_alive():
                process.kill()
                process.join()
                raise AssertionError(f'writer {process.name} did not finish')
            with open(path) as result:
                results.append(json.load(result))
        db.close()
        db = server.db()
        left = drain(db)
        db.close()
    finally:
        server.stop()
    return results, left


def check(results, left):
    """Every item put was pulled exactly once (by a writer or the drain)."""
    problems = []
    for name in QUEUE_NAMES:
        put = [i for r in results for i in r['done'][name]['put']]
        pulled = [i for r in results for i in r['done'][name]['pulled']]
        pulled += left[name]
        if len(set(put)) != len(put):
            problems.append(f'{name}: an item was put twice')
        if sorted(pulled) != sorted(put):
            lost = set(put) - set(pulled)
            extra = sorted(set(pulled) - set(put))
            twice = sorted({i for i in pulled if pulled.count(i) > 1})
            problems.append(f'{name}: lost {sorted(lost)}, unknown {extra},'
                            f' pulled twice {twice}')
    return problems
