"""Cost of a Partial call that changes one object and commits.

The baseline is the plain pattern on the same FileStorage: deferToThread
a function that opens a connection, changes the object, commits and
closes.  Both run on the default reactor, one call after another.  Prints
one line: microseconds per call for each, and the ratio (Partial / plain).
"""
import os
import tempfile
import time

import transaction
import ZODB
import ZODB.FileStorage
from twisted.internet import defer
from twisted.internet import reactor
from twisted.internet import threads

import zc.twist
from zc.twist.tests.support import Demo

CALLS = 1000
ROUNDS = 3


def plain(db, oid):
    tm = transaction.TransactionManager()
    conn = db.open(transaction_manager=tm)
    try:
        conn.get(oid)(1)
        tm.commit()
    finally:
        conn.close()


@defer.inlineCallbacks
def measure(db, demo, figures):
    timings = {'partial': [], 'plain': []}
    for _ in range(ROUNDS):
        start = time.perf_counter()
        for _ in range(CALLS):
            yield zc.twist.Partial(demo, 1)()
        timings['partial'].append(time.perf_counter() - start)
        start = time.perf_counter()
        for _ in range(CALLS):
            yield threads.deferToThread(plain, db, demo._p_oid)
        timings['plain'].append(time.perf_counter() - start)
    for what, seconds in timings.items():
        figures[what] = min(seconds) / CALLS * 1e6


def main():
    with tempfile.TemporaryDirectory(prefix='zc.twist-bench-') as tmpdir:
        db = ZODB.DB(ZODB.FileStorage.FileStorage(
            os.path.join(tmpdir, 'Data.fs')))
        tm = transaction.TransactionManager()
        conn = db.open(transaction_manager=tm)
        demo = conn.root()['demo'] = Demo()
        tm.commit()
        figures = {}
        errors = []

        def run():
            d = measure(db, demo, figures)
            d.addErrback(errors.append)
            d.addBoth(lambda _: reactor.stop())

        reactor.callWhenRunning(run)
        reactor.run()
        tm.begin()
        count = demo.count
        conn.close()
        db.close()
    if errors:
        errors[0].raiseException()
    if count != 2 * ROUNDS * CALLS:
        raise AssertionError(
            f'{count} increments, expected {2 * ROUNDS * CALLS}')
    print(f'zc.twist commit of one change: plain deferToThread '
          f'{figures["plain"]:.0f} us, Partial {figures["partial"]:.0f} us, '
          f'ratio {figures["partial"] / figures["plain"]:.2f}')


if __name__ == '__main__':
    main()
