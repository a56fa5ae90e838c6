"""The multi-process ZEO test, larger: 16 writer processes, 60 operations each.

Each writer puts and pulls on a Queue and a CompositeQueue through a real
ZEO server (which resolves the conflicts), retrying on ConflictError and
aborting one transaction in ten on purpose.  Prints one line: the time
taken, commits per second, the share of commits the server merged with
concurrent ones, unresolvable conflicts per commit and whether
every item put was pulled exactly once; side by side the same run on
PersistentList queues, which cannot merge, and the ratios.
"""
import shutil
import tempfile
import time

from zc.queue.tests import zeo_stress

WRITERS = 16
OPERATIONS = 60


def measure(baseline):
    directory = tempfile.mkdtemp(prefix='zc.queue-bench-')
    try:
        start = time.perf_counter()
        results, left = zeo_stress.run(
            directory, WRITERS, OPERATIONS, time_limit=120, baseline=baseline)
        elapsed = time.perf_counter() - start
    finally:
        shutil.rmtree(directory)
    commits = sum(r['stats']['commits'] for r in results)
    resolved = sum(r['stats']['resolved'] for r in results)
    conflicts = sum(r['stats']['conflicts'] for r in results)
    problems = zeo_stress.check(results, left)
    return elapsed, commits, resolved, conflicts, problems


def main():
    figures = {}
    for name, baseline in (('zc.queue', False), ('PersistentList', True)):
        figures[name] = measure(baseline)
    parts = []
    for name, (elapsed, commits, resolved, conflicts, problems) in (
            figures.items()):
        parts.append(
            f'{name} {elapsed:.1f} s, {commits / elapsed:.0f} commits/s,'
            f' {resolved / max(commits, 1):.0%} of commits merged,'
            f' {conflicts / max(commits, 1):.2f} conflicts/commit,'
            f' {"every item pulled once" if not problems else problems}')
    ours, base = figures['zc.queue'], figures['PersistentList']
    print(f'zc.queue ZEO {WRITERS} writers x {OPERATIONS} ops: '
          + '; '.join(parts)
          + f'; conflicts ratio {base[3] / max(ours[3], 1):.1f}x fewer,'
          f' throughput ratio {base[0] / ours[0]:.2f}')


if __name__ == '__main__':
    main()
