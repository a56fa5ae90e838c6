"""Sixteen writer processes through one ZEO server: zc.queue against
queues on PersistentList, which cannot merge.

Each writer runs 40 transactions of one to three puts and pulls (both
ends and between) on a Queue and a CompositeQueue(2), retrying on
ConflictError and aborting one transaction in ten on purpose (the
harness of the tests, zc.queue.tests.writers).  Prints one line: time,
commits per second, the share of commits the server merged, unresolved
conflicts per commit and whether every item was pulled exactly once,
for zc.queue and, side by side in the same run, the PersistentList
baseline; then the ratios.
"""
import shutil
import tempfile

from zc.queue.testing import ZEOServer
from zc.queue.tests import writers

WRITERS = 16
TRANSACTIONS = 40


def measure(baseline):
    directory = tempfile.mkdtemp(prefix='zc.queue-bench-')
    try:
        with ZEOServer(directory) as server:
            opener = server.opener()
            db = opener()
            initial = writers.create_queues(db, baseline=baseline)
            db.close()
            results, started = writers.run_processes(
                opener, directory, WRITERS, TRANSACTIONS, time_limit=300)
            elapsed = max(r['finished'] for r in results) - started
            db = opener()
            left = writers.drain(db)
            db.close()
    finally:
        shutil.rmtree(directory)
    stats = writers.totals(results)
    problems = writers.check(initial, results, left)
    return elapsed, stats, problems


def main():
    figures = {name: measure(baseline) for name, baseline in
               (('zc.queue', False), ('PersistentList', True))}
    parts = []
    for name, (elapsed, stats, problems) in figures.items():
        commits = max(stats['commits'], 1)
        parts.append(
            f'{name} {elapsed:.1f} s, {commits / elapsed:.0f} commits/s,'
            f' {stats["resolved"] / commits:.0%} of commits merged,'
            f' {stats["conflicts"] / commits:.2f} conflicts/commit,'
            f' {"every item pulled once" if not problems else problems}')
    ours, base = figures['zc.queue'], figures['PersistentList']
    print(f'zc.queue ZEO {WRITERS} writers x {TRANSACTIONS} transactions: '
          + '; '.join(parts)
          + f'; conflicts/commit ratio'
          f' {base[1]["conflicts"] / max(ours[1]["conflicts"], 1):.1f}x'
          f' fewer, time ratio {base[0] / ours[0]:.2f}', flush=True)


if __name__ == '__main__':
    main()
