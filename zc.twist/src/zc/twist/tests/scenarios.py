"""Scenarios that need a running reactor, one per fresh interpreter.

A Twisted reactor cannot be restarted, and the asyncio reactor must be
installed before anything imports the default one, so test_reactor runs
each scenario as ``python -m zc.twist.tests.scenarios NAME TMPDIR``.  A
scenario prints one JSON object as its last line of output.
"""
import json
import os
import socket
import subprocess
import sys
import time

import transaction

# Every scenario stops its reactor by then, whatever happens.
TIME_LIMIT = 30

# Jobs in the queue the two consumers drain.
JOBS = 60


def report(**figures):
    print(json.dumps(figures), flush=True)


def file_database(tmpdir, **kw):
    import ZODB
    import ZODB.FileStorage
    return ZODB.DB(ZODB.FileStorage.FileStorage(
        os.path.join(tmpdir, 'Data.fs')), **kw)


def add_demo(db, name='demo'):
    from zc.twist.tests.support import Demo
    tm = transaction.TransactionManager()
    conn = db.open(transaction_manager=tm)
    demo = conn.root()[name] = Demo()
    tm.commit()
    return conn, demo


def count_of(db, oid):
    tm = transaction.TransactionManager()
    conn = db.open(transaction_manager=tm)
    try:
        return conn.get(oid).count
    finally:
        conn.close()


def open_connections(db):
    return len(db.pool.all) - len(db.pool.available)


def run(reactor, main):
    """Run ``main(reactor)`` (returning a Deferred) on a running reactor."""
    from twisted.internet import defer
    outcome = {}

    def start():
        d = defer.maybeDeferred(main, reactor)
        d.addErrback(lambda f: outcome.setdefault('error', f.getTraceback()))
        d.addBoth(lambda _: reactor.stop())

    def give_up():
        outcome['error'] = f'time limit of {TIME_LIMIT} s reached'
        reactor.stop()

    limit = reactor.callLater(TIME_LIMIT, give_up)
    reactor.callWhenRunning(start)
    reactor.run()
    if limit.active():
        limit.cancel()
    if 'error' in outcome:
        report(error=outcome['error'])
        sys.exit(1)


def import_only(tmpdir):
    """Importing zc.twist, and running a Partial, leave the reactor alone."""
    import zc.twist
    after_import = 'twisted.internet.reactor' in sys.modules
    db = file_database(tmpdir)
    conn, demo = add_demo(db)
    partial = zc.twist.Partial(demo)
    results = []
    partial().addCallback(results.append)
    after_call = 'twisted.internet.reactor' in sys.modules
    from twisted.internet import reactor
    report(after_import=after_import, after_call=after_call, results=results,
           global_reactor=partial.getReactor() is reactor)


def reactor_calls(reactor, tmpdir):
    """Partials as callLater/deferLater targets and Deferred callbacks."""
    from twisted.internet import defer
    from twisted.internet import task

    import zc.twist
    db = file_database(tmpdir)
    conn, demo = add_demo(db)
    figures = {'reactor': type(reactor).__name__}

    @defer.inlineCallbacks
    def main(reactor):
        # A callLater target: its outcome is only in the database.
        reactor.callLater(0, zc.twist.Partial(demo, 1))
        yield task.deferLater(reactor, 0.05, lambda: None)
        figures['after_call_later'] = count_of(db, demo._p_oid)
        # deferLater hands on the Partial's Deferred.
        figures['defer_later'] = yield task.deferLater(
            reactor, 0, zc.twist.Partial(demo.decrement, 3))
        # As a callback, the Deferred's result is the first argument; a
        # persistent result is loaded again in the Partial's connection.
        d = task.deferLater(reactor, 0, lambda: demo)
        d.addCallback(zc.twist.Partial(lambda demo, amount: demo(amount),
                                       amount=10))
        figures['callback'] = yield d
        # A full pool: the Partial waits on the reactor until a connection
        # comes back.
        db.setPoolSize(1)
        reactor.callLater(0.15, conn.close)
        started = time.monotonic()
        partial = zc.twist.Partial(demo, 100)
        figures['waited_for_pool'] = yield partial()
        figures['waited'] = time.monotonic() - started
        figures['attempts'] = partial.attempt_count
        figures['open_connections'] = open_connections(db)

    run(reactor, main)
    db.close()
    report(**figures)


def default_reactor(tmpdir):
    from twisted.internet import reactor
    reactor_calls(reactor, tmpdir)


def asyncio_reactor(tmpdir):
    import zc.twist  # noqa: F401  (before the reactor is chosen)
    from twisted.internet import asyncioreactor
    asyncioreactor.install()
    from twisted.internet import reactor
    reactor_calls(reactor, tmpdir)


def free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


class ZEOServer:
    """A ZEO server in its own process, to stop and start again."""

    def __init__(self, tmpdir):
        self.port = free_port()
        self.path = os.path.join(tmpdir, 'zeo.fs')
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            [sys.executable, '-m', 'ZEO.runzeo',
             '-a', f'127.0.0.1:{self.port}', '-f', self.path],
            env=dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path)),
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(('127.0.0.1', self.port), 0.1).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f'ZEO server on port {self.port} did not start')

    def stop(self):
        self.process.terminate()
        self.process.wait(10)


def zeo_restart(tmpdir):
    """The ZEO server goes away in the middle of a Partial and comes back."""
    import ZEO
    from twisted.internet import reactor

    import zc.twist
    server = ZEOServer(tmpdir)
    server.start()
    figures = {}
    db = ZEO.DB(('127.0.0.1', server.port), wait_timeout=0.5)
    try:
        conn, demo = add_demo(db)
        conn.close()

        def work(demo):
            if partial.attempt_count == 1:
                server.stop()
                reactor.callLater(1, server.start)
            return demo(1)

        partial = zc.twist.Partial(work, demo)
        partial.initial_backoff = partial.backoff_increment = 0.5

        def main(reactor):
            return partial().addCallback(lambda r: figures.update(result=r))

        run(reactor, main)
        figures.update(
            attempts=partial.attempt_count, backoff=partial.backoff,
            transaction_errors=partial.transaction_error_count,
            open_connections=open_connections(db),
            count=count_of(db, demo._p_oid))
    finally:
        db.close()
        server.stop()
    report(**figures)


def take_one(jobs, done):
    """Pull a job and record it as done, in one transaction."""
    if not len(jobs):
        return None
    job = jobs.pull()
    # Widen the window in which the other consumer pulls the same job, so
    # that conflicts (and with them retries) really happen.
    time.sleep(0.002)
    done.append(job)
    return job


def queue_consumers(tmpdir):
    """Two consumers drain a zc.queue CompositeQueue of jobs through Partials.

    Each consumer calls its Partials from the reactor in the reactor's
    thread pool (deferToThread), so their transactions really overlap and
    zc.queue's conflict resolution, or a Partial's retry, sorts them out.
    """
    import persistent.list
    import zc.queue
    from twisted.internet import defer
    from twisted.internet import reactor
    from twisted.internet import threads

    import zc.twist
    db = file_database(tmpdir)
    tm = transaction.TransactionManager()
    conn = db.open(transaction_manager=tm)
    jobs = conn.root()['jobs'] = zc.queue.CompositeQueue(compositeSize=4)
    for job in range(JOBS):
        jobs.put(job)
    done = conn.root()['done'] = {
        name: persistent.list.PersistentList() for name in 'ab'}
    tm.commit()
    conn.close()
    retries = {'a': 0, 'b': 0}

    def call_in_thread(partial):
        # The pool has room, so the Partial has finished when it returns.
        outcome = []
        partial().addBoth(outcome.append)
        if isinstance(outcome[0], zc.twist.Failure):
            outcome[0].raiseException()
        return outcome[0]

    @defer.inlineCallbacks
    def consume(name):
        for _ in range(2 * JOBS):
            partial = zc.twist.Partial(take_one, jobs, done[name])
            partial.max_transaction_errors = None
            job = yield threads.deferToThread(call_in_thread, partial)
            retries[name] += partial.transaction_error_count
            if job is None:
                return

    def main(reactor):
        return defer.gatherResults([consume('a'), consume('b')])

    run(reactor, main)
    tm.begin()
    conn = db.open(transaction_manager=tm)
    root = conn.root()
    report(left=len(root['jobs']),
           done={name: list(jobs) for name, jobs in root['done'].items()},
           retries=retries, open_connections=open_connections(db) - 1)
    conn.close()
    db.close()


if __name__ == '__main__':
    name, tmpdir = sys.argv[1:]
    globals()[name](tmpdir)
