"""A discrete-event simulation of load balancing policies over LRU caches.

Requests of Zipf-distributed classes arrive as a Poisson stream; each goes
to one worker, chosen by a policy at arrival.  A worker serves its queue
one request at a time: a request whose class is in the worker's LRU cache
takes ``hit_ms``, any other ``miss_ms`` and puts its class in the cache.
Workers compute résumés the way ``zc.resumelb.worker`` does (a decayed
rate per class, published every ``history`` requests) and the résumé pools
receive them, so ``Pool`` and ``BoundedPool`` run unchanged.

Because a worker serves in arrival order, a request's hit or miss, start
and end are known when it is queued; only completions (the LB's ``put``
and the worker's résumé) are events.

The load is relative to the best the cluster can do: every worker serving
from a full cache of distinct hot classes.  At 1.0 even that is saturated;
a policy with a poorer hit rate is overloaded sooner.

Past 60% of the trace one worker leaves; at 65% it comes back with a cold
cache and no résumé.  The figures of the steady state are taken from 10%
to 60%; "moved" is the share of classes whose busiest worker differs
between the 10% before and the 5% after the departure; "restart" is the
returning worker's share of the requests in the next 10% of the trace,
as a fraction of a fair share.
"""
import bisect
import collections
import heapq
import itertools
import math
import random

from zc.resumelb._bounded import RING_POINTS
from zc.resumelb._bounded import BoundedPool
from zc.resumelb._bounded import ring_hash
from zc.resumelb.classlesspool import ClasslessPool
from zc.resumelb.pool import Pool

POLICIES = ('RoundRobin', 'LeastConnections', 'ConsistentHash',
            'BoundedLoads', 'Pool', 'Pool variance 4', 'BoundedPool')


class _Simple:
    """Bookkeeping shared by the baseline policies."""

    def __init__(self):
        self.workers = []
        self.backlog = 0

    def new_resume(self, worker, resume):
        if worker not in self.workers:
            worker.backlog = 0
            self.workers.append(worker)
            self.changed()

    def remove(self, worker):
        self.workers.remove(worker)
        self.changed()

    def changed(self):
        """Membership changed."""

    def put(self, worker):
        self.backlog -= 1
        worker.backlog -= 1

    def take(self, worker):
        worker.backlog += 1
        self.backlog += 1
        return worker


class RoundRobin(_Simple):
    """Every worker in turn."""

    def __init__(self):
        super().__init__()
        self._turn = itertools.count()

    def get(self, rclass):
        workers = self.workers
        return self.take(workers[next(self._turn) % len(workers)])


class ConsistentHash(_Simple):
    """A ring of ``RING_POINTS`` points per worker, as nginx's ketama; the
    same ring as ``BoundedPool``'s, so the two place classes alike."""

    def changed(self):
        points = sorted(
            (ring_hash(f'{w.__name__}-{i}'), w.__name__, w)
            for w in self.workers for i in range(RING_POINTS))
        self._keys = [p[0] for p in points]
        self._ring = [p[2] for p in points]
        self._start = {}

    def start(self, rclass):
        start = self._start.get(rclass)
        if start is None:
            start = self._start[rclass] = bisect.bisect(
                self._keys, ring_hash(rclass)) % len(self._keys)
        return start

    def get(self, rclass):
        return self.take(self._ring[self.start(rclass)])


class BoundedLoads(ConsistentHash):
    """Consistent hashing with bounded loads: walk the ring past workers
    holding ``load_factor`` times the mean."""

    def __init__(self, load_factor=1.25):
        super().__init__()
        self.load_factor = load_factor

    def get(self, rclass):
        limit = math.ceil(
            self.load_factor * (self.backlog + 1) / len(self.workers))
        ring = self._ring
        i = self.start(rclass)
        while ring[i].backlog >= limit:
            i = (i + 1) % len(ring)
        return self.take(ring[i])


FACTORIES = dict(
    RoundRobin=RoundRobin,
    LeastConnections=ClasslessPool,
    ConsistentHash=ConsistentHash,
    BoundedLoads=BoundedLoads,
    Pool=Pool,
    BoundedPool=BoundedPool,
)
# The resumelb script's default variance, against the pool's own 1.0.
FACTORIES['Pool variance 4'] = lambda: Pool(variance=4.0)


class _Worker:

    def __init__(self, name, cache_size, history):
        self.__name__ = name
        self.cache = collections.OrderedDict()
        self.cache_size = cache_size
        self.free_at = 0.0
        self.history = history
        self.decay = 1.0 - 1.0 / history
        self.generation = 0
        self.perf = {}
        # What the worker knows; the pools keep theirs in ``resume``.
        self.skills = {}
        self.inflight = 0
        self.area = 0.0
        self.since = 0.0

    def __repr__(self):
        return self.__name__

    def serve(self, rclass):
        """Whether ``rclass`` is in the cache; it is now the newest."""
        cache = self.cache
        if rclass in cache:
            cache.move_to_end(rclass)
            return True
        cache[rclass] = None
        if len(cache) > self.cache_size:
            cache.popitem(last=False)
        return False

    def count(self, now, delta):
        self.area += self.inflight * (now - self.since)
        self.since = now
        self.inflight += delta

    def learn(self, rclass, elapsed):
        """The worker's résumé rule: a résumé to publish, or None."""
        self.generation += 1
        generation = self.generation
        perf = self.perf.get(rclass)
        if perf is None:
            t, c = elapsed, 1
        else:
            gen, t, c = perf
            decay = self.decay ** (generation - gen)
            t, c = t * decay + elapsed, c * decay + 1
        self.perf[rclass] = (generation, t, c)
        self.skills[rclass] = c / t
        if generation % self.history:
            return None
        oldest = generation - 10 * self.history
        for name, (gen, _, _) in list(self.perf.items()):
            if gen < oldest:
                del self.perf[name]
                self.skills.pop(name, None)
        return dict(self.skills)


def zipf_weights(classes, exponent):
    """Cumulative Zipf weights of ``classes`` ranks."""
    return list(itertools.accumulate(
        1.0 / (rank ** exponent) for rank in range(1, classes + 1)))


def best_service_ms(workers, classes, exponent, cache_fraction,
                    hit_ms=1.0, miss_ms=10.0):
    """The mean service time with every worker caching distinct hot
    classes: the yardstick of the load."""
    cumulative = zipf_weights(classes, exponent)
    cached = min(classes, workers * max(int(classes * cache_fraction), 1))
    hit = cumulative[cached - 1] / cumulative[-1]
    return hit * hit_ms + (1 - hit) * miss_ms


def trace(requests, workers, classes, exponent, cache_fraction, load,
          seed=0, hit_ms=1.0, miss_ms=10.0):
    """``[(arrival_ms, class), ...]``, the same for every policy."""
    rng = random.Random(seed)
    rate = load * workers / best_service_ms(
        workers, classes, exponent, cache_fraction, hit_ms, miss_ms)
    # Salted names: another seed puts the popular classes elsewhere.
    names = [f'r{rank}-{rng.getrandbits(32):08x}' for rank in range(classes)]
    picks = rng.choices(names, cum_weights=zipf_weights(classes, exponent),
                        k=requests)
    now = 0.0
    arrivals = []
    for rclass in picks:
        now += rng.expovariate(rate)
        arrivals.append((now, rclass))
    return arrivals


def simulate(policy, arrivals, workers, cache_size, history=500,
             hit_ms=1.0, miss_ms=10.0, **settings):
    """Run one policy over ``arrivals``; a dict of figures."""
    clock = [0.0]
    if policy == 'BoundedPool':
        # It measures service times, in simulated milliseconds.
        settings = dict(settings, clock=lambda: clock[0])
    pool = FACTORIES[policy](**settings)
    members = [_Worker(f'127.0.0.1:{8000 + i}', cache_size, history)
               for i in range(workers)]
    for worker in members:
        pool.new_resume(worker, {})
    n = len(arrivals)
    steady = range(n // 10, n * 6 // 10)
    leave, back, until = n * 6 // 10, n * 65 // 100, n * 75 // 100
    leaver = members[-1]
    returned = None
    before = collections.defaultdict(collections.Counter)
    after = collections.defaultdict(collections.Counter)
    done = []
    latencies = []
    hits = 0
    returned_count = 0
    sequence = itertools.count()
    start_time = arrivals[steady.start][0]
    end_time = arrivals[steady.stop - 1][0]
    areas = {}

    def complete_until(now):
        while done and done[0][0] <= now:
            end, _, worker, rclass, arrival = heapq.heappop(done)
            clock[0] = end
            pool.put(worker)
            worker.count(end, -1)
            resume = worker.learn(rclass, end - arrival)
            if resume is not None and worker.active:
                pool.new_resume(worker, resume)

    for worker in members:
        worker.active = True
    for index, (now, rclass) in enumerate(arrivals):
        if index in (steady.start, steady.stop):
            for worker in members:
                worker.count(arrivals[index - 1][0], 0)
                areas[worker] = worker.area - areas.get(worker, 0.0)
        complete_until(now)
        clock[0] = now
        if index == leave:
            leaver.active = False
            pool.remove(leaver)
        elif index == back:
            returned = _Worker(leaver.__name__, cache_size, history)
            returned.active = True
            returned.since = now
            pool.new_resume(returned, {})
        worker = pool.get(rclass)
        hit = worker.serve(rclass)
        end = max(now, worker.free_at) + (hit_ms if hit else miss_ms)
        worker.free_at = end
        worker.count(now, 1)
        heapq.heappush(done, (end, next(sequence), worker, rclass, now))
        if index in steady:
            latencies.append(end - now)
            hits += hit
        if n * 5 // 10 <= index < leave:
            before[rclass][worker.__name__] += 1
        elif leave <= index < back:
            after[rclass][worker.__name__] += 1
        elif back <= index < until and worker is returned:
            returned_count += 1

    latencies.sort()
    inflight = [area / (end_time - start_time) for area in areas.values()]
    mean_inflight = sum(inflight) / len(inflight)
    common = [c for c in before
              if sum(before[c].values()) >= 5 and sum(after[c].values()) >= 5]
    moved = sum(before[c].most_common(1)[0][0] != after[c].most_common(1)[0][0]
                for c in common)
    return dict(
        policy=policy,
        hit_rate=hits / len(steady),
        mean_ms=sum(latencies) / len(latencies),
        p99_ms=latencies[int(len(latencies) * 0.99)],
        max_over_mean=(max(inflight) / mean_inflight
                       if mean_inflight else 1.0),
        moved=moved / len(common) if common else 0.0,
        restart_share=returned_count / ((until - back) / workers),
    )


GRID = dict(workers=(4, 8), exponents=(0.8, 1.0, 1.2),
            cache_fractions=(0.05, 0.2), loads=(0.7, 1.5))


def compare(requests=100000, classes=1000, workers=GRID['workers'],
            exponents=GRID['exponents'],
            cache_fractions=GRID['cache_fractions'], loads=GRID['loads'],
            policies=POLICIES, seed=0, history=500, bounded=None):
    """Every policy on the same trace, for every parameter set.

    ``bounded`` holds settings for ``BoundedPool``.  A list of
    ``(parameters, {policy: figures})``.
    """
    results = []
    for n, exponent, fraction, load in itertools.product(
            workers, exponents, cache_fractions, loads):
        arrivals = trace(requests, n, classes, exponent, fraction, load,
                         seed=seed)
        cache_size = max(int(classes * fraction), 1)
        figures = {policy: simulate(
            policy, arrivals, n, cache_size, history=history,
            **(bounded or {}) if policy == 'BoundedPool' else {})
            for policy in policies}
        results.append((dict(workers=n, zipf=exponent, cache=fraction,
                             load=load), figures))
    return results


def goals(figures):
    """Which of the goals ``BoundedPool`` meets against ``BoundedLoads``.

    At least as balanced, no worse p99, at least half the hit rate that
    bounded loads give up against plain consistent hashing won back, and a
    returning worker at half a fair share or more.
    """
    ours, bounded = figures['BoundedPool'], figures['BoundedLoads']
    plain = figures['ConsistentHash']
    return dict(
        balance=ours['max_over_mean'] <= bounded['max_over_mean'] + 0.005,
        p99=ours['p99_ms'] <= bounded['p99_ms'],
        hit_rate=ours['hit_rate'] >= (
            bounded['hit_rate'] + plain['hit_rate']) / 2 - 0.0005,
        restart=ours['restart_share'] >= 0.5,
    )


def format_table(results):
    """The figures as text: a block per parameter set, a line per policy."""
    lines = []
    met = collections.Counter()
    complete = 0
    for parameters, figures in results:
        lines.append(
            '{workers} workers, Zipf {zipf}, cache {cache:.0%} of classes,'
            ' load {load}'.format(**parameters))
        lines.append(f'  {"policy":<17}{"hit":>7}{"mean ms":>10}'
                     f'{"p99 ms":>10}{"max/mean":>10}{"moved":>7}'
                     f'{"restart":>9}')
        for policy, f in figures.items():
            lines.append(
                f'  {policy:<17}{f["hit_rate"]:>7.1%}{f["mean_ms"]:>10.1f}'
                f'{f["p99_ms"]:>10.1f}{f["max_over_mean"]:>10.2f}'
                f'{f["moved"]:>7.0%}{f["restart_share"]:>9.2f}')
        if 'BoundedPool' in figures and 'BoundedLoads' in figures:
            reached = goals(figures)
            met.update(name for name, ok in reached.items() if ok)
            complete += all(reached.values())
            lines.append('  BoundedPool against BoundedLoads: ' + ', '.join(
                f'{name} {"met" if ok else "MISSED"}'
                for name, ok in reached.items()))
        lines.append('')
    lines.extend(summary(results))
    if met or complete:
        lines.append(
            f'BoundedPool meets every goal in {complete} of {len(results)}'
            ' parameter sets; ' + ', '.join(
                f'{name} in {met[name]}'
                for name in ('balance', 'p99', 'hit_rate', 'restart')))
    return '\n'.join(lines)


def summary(results):
    """Lines summing every policy up over all parameter sets: mean hit
    rate, p99 as a geometric mean of its ratio to ``BoundedLoads``',
    worst max/mean, mean share of classes moved, worst restart share."""
    policies = list(results[0][1]) if results else []
    if 'BoundedLoads' not in policies:
        return []
    lines = [f'All {len(results)} parameter sets:',
             f'  {"policy":<17}{"hit":>7}{"p99/BL":>10}{"max/mean":>10}'
             f'{"moved":>7}{"restart":>9}',
             f'  {"":<17}{"mean":>7}{"geomean":>10}{"worst":>10}'
             f'{"mean":>7}{"worst":>9}']
    for policy in policies:
        rows = [figures[policy] for _, figures in results]
        ratios = [f['p99_ms'] / figures['BoundedLoads']['p99_ms']
                  for f, (_, figures) in zip(rows, results)]
        lines.append(
            f'  {policy:<17}'
            f'{sum(f["hit_rate"] for f in rows) / len(rows):>7.1%}'
            f'{math.exp(sum(map(math.log, ratios)) / len(ratios)):>10.2f}'
            f'{max(f["max_over_mean"] for f in rows):>10.2f}'
            f'{sum(f["moved"] for f in rows) / len(rows):>7.0%}'
            f'{min(f["restart_share"] for f in rows):>9.2f}')
    lines.append('')
    return lines


def plot(results, path):
    """Hit rate against max/mean in-flight, a marker per policy and
    parameter set, one panel per load; written as PNG to ``path``."""
    import matplotlib
    import matplotlib.ticker
    matplotlib.use('Agg')
    from matplotlib import pyplot

    loads = sorted({parameters['load'] for parameters, _ in results})
    figure, axes = pyplot.subplots(
        1, len(loads), figsize=(6 * len(loads), 5), squeeze=False)
    markers = dict(zip(POLICIES, 'o^sDv<P'))
    for axis, load in zip(axes[0], loads):
        chosen = [figures for parameters, figures in results
                  if parameters['load'] == load]
        for policy in POLICIES:
            points = [(f[policy]['max_over_mean'], f[policy]['hit_rate'])
                      for f in chosen if policy in f]
            if points:
                axis.scatter([x for x, _ in points], [y for _, y in points],
                             label=policy, marker=markers[policy], alpha=0.8)
        axis.set_xscale('log')
        axis.xaxis.set_major_formatter(
            matplotlib.ticker.FormatStrFormatter('%g'))
        axis.xaxis.set_minor_formatter(
            matplotlib.ticker.FormatStrFormatter('%g'))
        axis.set_xlabel('max/mean in-flight requests per worker (log)')
        axis.set_ylabel('cache hit rate')
        axis.set_title(f'load {load} of the best possible capacity')
        axis.grid(True, alpha=0.3)
        axis.legend(fontsize='small')
    figure.tight_layout()
    figure.savefig(path, format='png', dpi=100)
    pyplot.close(figure)
