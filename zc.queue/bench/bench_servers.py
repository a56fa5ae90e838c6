"""Concurrent writers on ZEO and on RelStorage (PostgreSQL), side by side.

With 2, 4 and 8 writer processes, each running 30 transactions of one to
three puts and pulls on a Queue and a CompositeQueue(2) (the harness of
the tests, zc.queue.tests.writers), it measures commits per second and the
share of commits whose records were merged by conflict resolution (on the
ZEO server; in the RelStorage client), and checks that every item was
pulled exactly once.  ZEO serves a FileStorage; RelStorage runs
history-free on a throwaway PostgreSQL cluster without fsync (as the ZEO
FileStorage does not fsync either by default), on the same machine.  The
line ends with RelStorage's commits/s over ZEO's for each writer count.
"""
import shutil
import tempfile

from zc.queue.testing import PostgreSQLServer
from zc.queue.testing import ZEOServer
from zc.queue.tests import writers

WRITER_COUNTS = (2, 4, 8)
TRANSACTIONS = 30


def measure(opener, directory, count):
    db = opener()
    try:
        initial = writers.create_queues(db)
    finally:
        db.close()
    results, started = writers.run_processes(
        opener, directory, count, TRANSACTIONS, time_limit=300)
    db = opener()
    try:
        left = writers.drain(db)
    finally:
        db.close()
    stats = writers.totals(results)
    return {
        'commits/s': writers.commits_per_second(results, started),
        'merged': stats['resolved'] / max(stats['commits'], 1),
        'conflicts': stats['conflicts'] / max(stats['commits'], 1),
        'ok': not writers.check(initial, results, left)
        and not stats['unfinished'],
    }


def main():
    directory = tempfile.mkdtemp(prefix='zc.queue-bench-')
    figures = {}
    try:
        with PostgreSQLServer() as postgres:
            for count in WRITER_COUNTS:
                # Alternate the two, so that load from elsewhere on the
                # machine falls on both alike.
                zeo_directory = tempfile.mkdtemp(dir=directory)
                with ZEOServer(zeo_directory) as zeo:
                    figures['ZEO', count] = measure(
                        zeo.opener(), zeo_directory, count)
                figures['RelStorage', count] = measure(
                    postgres.relstorage_opener(keep_history=False),
                    directory, count)
    finally:
        shutil.rmtree(directory)
    parts = []
    for count in WRITER_COUNTS:
        row = []
        for name in ('ZEO', 'RelStorage'):
            f = figures[name, count]
            row.append(
                f'{name} {f["commits/s"]:.0f} commits/s,'
                f' {f["merged"]:.0%} merged,'
                f' {f["conflicts"]:.2f} conflicts/commit'
                + ('' if f['ok'] else ', ITEMS LOST OR UNFINISHED'))
        ratio = (figures['RelStorage', count]['commits/s']
                 / figures['ZEO', count]['commits/s'])
        parts.append(f'{count} writers: ' + ', '.join(row)
                     + f', RelStorage/ZEO {ratio:.2f}x')
    print(f'zc.queue writers x {TRANSACTIONS} transactions: '
          + '; '.join(parts), flush=True)


if __name__ == '__main__':
    main()
