"""How well does résumé routing keep caches warm?  A simulation.

``python -m zc.resumelb.simul [options]`` starts worker processes whose
application keeps an LRU cache of (site, object) keys and sleeps 10 ms per
miss, drives them through an in-process load balancer with concurrent
clients asking for sites of skewed popularity, and prints a JSON summary:
hit rate, throughput, latency percentiles and, per class, the share of its
requests that went to its busiest worker.

Compare ``--pool Pool`` with ``BoundedPool``, ``ClasslessPool``,
``RoundRobin`` and ``LeastConnections``.

``python -m zc.resumelb.simul --compare [--plot FILE.png]`` runs instead a
discrete-event simulation (no processes, no sockets, simulated time) of
round-robin, least-connections, consistent hashing, consistent hashing with
bounded loads, ``Pool`` and ``BoundedPool`` on the same traces at 4 and 8
workers, Zipf exponents 0.8 to 1.2, caches of 5% and 20% of the classes,
70% and 150% load, and prints a table per parameter set (see
``zc.resumelb._eventsim`` for the model).  The plot needs matplotlib (the
``sim`` extra).
"""
import argparse
import collections
import io
import json
import os
import random
import subprocess
import sys
import time

import gevent

from zc.resumelb import _eventsim
from zc.resumelb import util
from zc.resumelb.classlesspool import ClasslessPool
from zc.resumelb.lb import LB
from zc.resumelb.lb import BoundedPool
from zc.resumelb.lb import Pool
from zc.resumelb.lb import host_classifier
from zc.resumelb.pool import PoolBase
from zc.resumelb.pool import _Waiting


class RoundRobin(PoolBase):
    """Baseline: every worker in turn, classes ignored."""

    def __init__(self, single_version=False):
        super().__init__(single_version)
        self.workers = set()
        self._order = []
        self._next = 0
        self.backlog = 0
        self._waiting = _Waiting()

    @property
    def mbacklog(self):
        return self.backlog / len(self.workers) if self.workers else None

    def update_settings(self, settings):
        """No settings."""

    def _new_resume(self, worker, resume):
        worker.resume = resume
        if worker not in self.workers:
            worker.backlog = 0
            self.workers.add(worker)
            self._order.append(worker)
            self._waiting.event.set()

    def _remove(self, worker):
        if worker in self.workers:
            self.workers.discard(worker)
            self._order.remove(worker)
            if not self.workers:
                self._waiting.event.clear()

    def get(self, rclass=None, timeout=None):
        if not self._waiting.wait(self.workers, timeout):
            return None
        self._next = (self._next + 1) % len(self._order)
        worker = self._order[self._next]
        worker.backlog += 1
        self.backlog += 1
        return worker

    def put(self, worker):
        self.backlog = max(self.backlog - 1, 0)
        worker.backlog = max(worker.backlog - 1, 0)


POOLS = {
    'Pool': Pool,
    'BoundedPool': BoundedPool,
    'ClasslessPool': ClasslessPool,
    # Least connections is what the classless pool does: the first idle
    # worker, else the one with the fewest outstanding requests.
    'LeastConnections': ClasslessPool,
    'RoundRobin': RoundRobin,
}


def make_app(cache_size, miss_delay=0.01):
    """The simulated application: an LRU cache, slow misses."""
    cache = collections.OrderedDict()
    stats = dict(n=0, hits=0, misses=0, evictions=0)

    def app(environ, start_response):
        site = environ.get('HTTP_HOST', '')
        stats['n'] += 1
        misses = 0
        for oid in environ.get('QUERY_STRING', '').split(','):
            key = (site, oid)
            if key in cache:
                cache.move_to_end(key)
                stats['hits'] += 1
            else:
                misses += 1
                stats['misses'] += 1
                cache[key] = True
                if len(cache) > cache_size:
                    cache.popitem(last=False)
                    stats['evictions'] += 1
        if misses:
            time.sleep(miss_delay * misses)
        body = ('%d %d %d %d %d' % (
            os.getpid(), stats['n'], stats['hits'], stats['misses'],
            stats['evictions'])).encode()
        start_response('200 OK', [('Content-Length', str(len(body)))])
        return [body]

    return app


def _site(rng, sites):
    # Skewed popularity: low site ids appear in several ranges.
    ranges = [sites, max(sites // 2, 1), max(sites // 4, 1),
              max(sites // 8, 1), 1]
    return rng.randrange(rng.choice(ranges))


def _parser():
    parser = argparse.ArgumentParser(
        prog='simul', description=__doc__.split('\n\n')[0])
    parser.add_argument('--workers', type=int, default=3)
    parser.add_argument('--clients', type=int, default=8)
    parser.add_argument('--sites', type=int, default=40)
    parser.add_argument('--objects-per-site', type=int, default=200)
    parser.add_argument('--objects-per-request', type=int, default=10)
    parser.add_argument('--cache-size', type=int, default=1000)
    parser.add_argument('--history', type=int, default=50)
    parser.add_argument('--requests', type=int, default=2000)
    parser.add_argument('--miss-delay', type=float, default=0.01,
                        help='seconds a cache miss costs (default 0.01)')
    parser.add_argument('--pool', choices=sorted(POOLS), default='Pool')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--compare', action='store_true',
                        help='run the discrete-event comparison instead')
    parser.add_argument('--trace-requests', type=int, default=100000,
                        help='requests per simulated trace (--compare)')
    parser.add_argument('--classes', type=int, default=1000,
                        help='request classes (--compare)')
    parser.add_argument('--load-factor', type=float,
                        help="BoundedPool's load_factor (--compare)")
    parser.add_argument('--hot-share', type=float,
                        help="BoundedPool's hot_share (--compare)")
    parser.add_argument('--patience', type=float,
                        help="BoundedPool's patience (--compare; inf, the"
                        " default, leaves balance to the averages)")
    parser.add_argument('--balance', type=float,
                        help="BoundedPool's balance (--compare)")
    parser.add_argument('--plot', metavar='PNG',
                        help='with --compare: also plot hit rate against'
                        ' balance into this PNG file (needs matplotlib)')
    parser.add_argument('--worker', metavar='HOST:PORT',
                        help=argparse.SUPPRESS)
    return parser


def _run_worker(options):
    from zc.resumelb.worker import Worker
    worker = Worker(make_app(options.cache_size, options.miss_delay),
                    util.parse_addr(options.worker, '127.0.0.1'),
                    history=options.history, threads=1)
    print('%s:%s' % worker.addr, flush=True)
    # Runs until the parent closes our standard input.
    gevent.get_hub().threadpool.apply(sys.stdin.read)
    worker.stop()


def main(args=None):
    """Run the simulation; print the JSON summary; return it as a dict."""
    options = _parser().parse_args(args)
    if options.worker:
        return _run_worker(options)
    if options.compare:
        return _compare(options)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    procs = []
    try:
        addrs = []
        for _ in range(options.workers):
            proc = subprocess.Popen(
                [sys.executable, '-m', 'zc.resumelb.simul',
                 '--worker', '127.0.0.1:0', '--history',
                 str(options.history), '--cache-size',
                 str(options.cache_size), '--miss-delay',
                 str(options.miss_delay)],
                env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
            procs.append(proc)
        for proc in procs:
            addrs.append(util.parse_addr(
                proc.stdout.readline().decode().strip()))
        summary = _simulate(options, addrs)
    finally:
        for proc in procs:
            proc.stdin.close()
            proc.stdout.close()
        for proc in procs:
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
    print(json.dumps(summary, sort_keys=True))
    return summary


def _compare(options):
    bounded = dict(load_factor=options.load_factor,
                   hot_share=options.hot_share, patience=options.patience,
                   balance=options.balance)
    results = _eventsim.compare(requests=options.trace_requests,
                                classes=options.classes, seed=options.seed,
                                bounded=bounded)
    print(_eventsim.format_table(results), flush=True)
    if options.plot:
        _eventsim.plot(results, options.plot)
        print(f'plot: {options.plot}')
    return results


def _simulate(options, addrs):
    lb = LB(addrs, host_classifier, pool_factory=POOLS[options.pool])
    deadline = time.monotonic() + 30
    while len(lb.pool.workers) < len(addrs):
        if time.monotonic() > deadline:
            raise SystemExit('simul: workers did not connect')
        gevent.sleep(0.01)
    rng = random.Random(options.seed)
    remaining = [options.requests]
    latencies = []
    byclass = collections.defaultdict(collections.Counter)
    last = {}

    def client():
        while remaining[0] > 0:
            remaining[0] -= 1
            site = 'h%d' % _site(rng, options.sites)
            oids = ','.join(
                str(int(abs(rng.gauss(0, options.objects_per_site / 4))))
                for _ in range(options.objects_per_request))
            environ = {'REQUEST_METHOD': 'GET', 'PATH_INFO': '/',
                       'QUERY_STRING': oids, 'HTTP_HOST': site,
                       'wsgi.input': io.BytesIO()}
            start = time.monotonic()
            body = b''.join(lb.handle_wsgi(environ, lambda *a: None))
            latencies.append(time.monotonic() - start)
            pid, n, hits, misses, evictions = map(int, body.split())
            byclass[site][pid] += 1
            last[pid] = (hits, misses)

    started = time.monotonic()
    gevent.joinall([gevent.spawn(client) for _ in range(options.clients)])
    elapsed = time.monotonic() - started
    lb.stop()
    hits = sum(h for h, m in last.values())
    lookups = sum(h + m for h, m in last.values())
    latencies.sort()
    shares = [max(c.values()) / sum(c.values()) for c in byclass.values()
              if sum(c.values()) >= 10]
    return dict(
        pool=options.pool,
        requests=len(latencies),
        hit_rate=round(hits / lookups, 4) if lookups else None,
        throughput=round(len(latencies) / elapsed, 1),
        p50=round(latencies[len(latencies) // 2], 4),
        p90=round(latencies[int(len(latencies) * 0.9)], 4),
        dominant_worker_share=(round(sum(shares) / len(shares), 4)
                               if shares else None),
    )


if __name__ == '__main__':
    main()
