"""What a pool's choice costs the load balancer: get and put per request.

Every pool the package ships, driven in one process through the same
trace: 200,000 requests of Zipf(1.0)-distributed classes out of 2000, over
4 workers, each request answered (``put``) eight requests after it was
given, as when the workers hold a few requests each.  The clock the
bounded pool reads is advanced by 1 ms per hit-like request and 10 ms per
sixth request, so that it measures service times and learns likely misses
as it would in a running load balancer.  Prints microseconds per request
(get plus put) for each pool, best of three runs, and each pool's ratio to
``Pool``, the default.  ``bench_lb.py`` prints what the whole load
balancer spends per proxied request, next to which this is the share the
choice of pool decides.  The workers' résumés are left empty, so ``Pool``
scores nothing here: its figure is a floor.
"""
import random
import time

from zc.resumelb.classlesspool import ClasslessPool
from zc.resumelb.lb import BoundedPool
from zc.resumelb.lb import Pool

REQUESTS = 200000
CLASSES = 2000
WORKERS = 4
IN_FLIGHT = 8


class Worker:
    """The few attributes the pools use of the LB's worker connections."""

    def __init__(self, name):
        self.__name__ = name

    def __repr__(self):
        return self.__name__


def trace(seed=0):
    rng = random.Random(seed)
    weights = [1 / rank for rank in range(1, CLASSES + 1)]
    return rng.choices([f'/c/{i}' for i in range(CLASSES)],
                       weights=weights, k=REQUESTS)


def per_request(factory, classes):
    now = [0.0]
    pool = factory(lambda: now[0])
    workers = [Worker(f'127.0.0.1:{8000 + i}') for i in range(WORKERS)]
    for worker in workers:
        pool.new_resume(worker, {})
    given = []
    start = time.perf_counter()
    for i, rclass in enumerate(classes):
        given.append(pool.get(rclass))
        if len(given) > IN_FLIGHT:
            now[0] += 0.010 if i % 6 == 0 else 0.001
            pool.put(given.pop(0))
    return (time.perf_counter() - start) / len(classes) * 1e6


POOLS = {
    'Pool': lambda clock: Pool(),
    'BoundedPool': lambda clock: BoundedPool(clock=clock),
    'ClasslessPool': lambda clock: ClasslessPool(),
}


def main():
    classes = trace()
    best = {name: min(per_request(factory, classes) for _ in range(3))
            for name, factory in POOLS.items()}
    print(f'{REQUESTS} requests of {CLASSES} Zipf classes over {WORKERS}'
          f' workers, get plus put, best of 3: ' + '; '.join(
              f'{name}: {us:.1f} us ({us / best["Pool"]:.2f}x Pool)'
              for name, us in best.items()))
    return 0


if __name__ == '__main__':
    raise SystemExit(main())
