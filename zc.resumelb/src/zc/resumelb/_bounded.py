"""The bounded résumé pool: cache affinity with a hard bound on imbalance.

Every request class has a *home order*: the workers as met walking a hash
ring (160 points per worker, as nginx's and HAProxy's consistent hashing
place them) from the class's own point.  Every load balancer computes the
same order, so several LBs agree where a class lives before any worker has
a résumé, and a worker that leaves moves only its own classes, which come
back to it when it returns.

The pool also counts how often each class was asked for recently (over
about ``class_history`` requests).  A class asked for more than
``hot_share`` of one worker's fair share is spread over the first workers
of its home order, as many as keep its part on each below that, and takes
the least busy of them: a hot class occupies as many workers as its load
needs and no more, and the cold classes of its home can stay there.  A
worker that joined the running pool (a newcomer, or a worker back from a
restart) is the first choice for every hot class while it has been given
no more than a fair share of the requests since it joined, over its first
``_CATCH_UP`` times ``class_history`` requests: hot data is warm after a
few misses, so the newcomer is soon as fast as the others and serves its
share, while its own classes, misses all at first, fill its cache.

No worker is meant to get more than ``ceil(load_factor * (backlog + 1) /
n)`` outstanding requests, the bound of consistent hashing with bounded
loads (some worker is always below it).  Applied to every request, as
consistent hashing with bounded loads does, that bound costs hits: at a
moderate load a worker with two requests in hand is often at it, and a
request sent away from its home is a miss at the other worker that also
pushes one of that worker's own classes out of its cache.  What matters
for balance is the load a worker carries over time, so the pool keeps,
for every worker, its backlog averaged over about the last
``class_history`` requests.  A request whose home is at the bound still
goes home while that home's average is within ``balance`` times the
workers' mean (1.2 by default, tighter than the bound).  A home above it
sheds load the way that keeps caches useful: the class of the request
that finds it at the bound *moves*, to the worker the request goes to,
and its later requests go there too, so the class is cached in one place
again.  Moves are forgotten when a worker joins (it gets its classes
back) and with the class.

The pool also measures, from the calls it gets anyway, how long each
worker takes per request (the time from ``get`` to ``put``, or from the
worker's previous ``put`` while it was busy; a worker serves its requests
in order), and how much longer a request takes away from its homes than
at home (the price of a cache miss, mostly).  With a finite ``patience``
a request at a balanced home past the bound still moves when that saves
more waiting than ``patience`` times that price for every request the
other worker holds; the default, unlimited, leaves balance to the
averages.  Until the pool has measured both prices, and while a newcomer
warms up, the bound is hard.

The pool also learns which requests are likely cache misses.  It keeps,
for each worker, the order in which it last gave it each class
(``_recency``), and measures what requests cost by the number of other
classes their worker was given since their class was last given there
(quarter octaves of it): requests for a class given to a worker shortly
before are fast there (hits), those for a class with many others given
there since, or never given there, are slow (misses).  A request that is
likely a miss at its home costs a miss wherever it goes, so it goes where
its class is likely still warm if anywhere, else to the worker with the
least expected work (the measured cost of each outstanding request,
summed), unless its home is within ``balance`` of that; there the class
moves.  The work that unbalances workers is misses, so placing them by
expected work balances the pool without losing hits, and cold classes
that stay home keep the caches partitioned as the ring partitions them.
A newcomer below the bound keeps its own classes, misses or not: that is
how it gets its share.

A request that leaves its home goes to the worker below the bound whose
résumé scores the class best per outstanding request, where its data is
likely warm, and if no worker below the bound knows the class, to the
next one in its home order.
"""
import bisect
import collections
import hashlib
import math
import time

import zope.interface

from zc.resumelb._recency import Recency
from zc.resumelb.interfaces import IPool
from zc.resumelb.pool import PoolBase
from zc.resumelb.pool import _backlog_lines
from zc.resumelb.pool import _name
from zc.resumelb.pool import _Waiting

RING_POINTS = 160

# Classes seen this rarely (decayed count) are forgotten when the counts are
# pruned, so a stream of one-off classes does not grow the pool's memory.
_FORGET_BELOW = 0.05

# The weight of one completion in the measured times: about the last 20
# requests of a worker count, so a worker whose cache warms up (or is lost)
# is seen as faster (or slower) within a few dozen requests.
_MEASURE_WEIGHT = 0.05

# An unbalanced home moves at most one class per this fraction of
# ``class_history`` requests.
_SHED_EVERY = 20

# Each worker's recency keeps this many times ``class_history`` classes.
_RECENCY_LIMIT = 8

# The cost table's key for a class never given to that worker.
_NEVER = -1

# The weight of one completion in the cost table: a table entry follows
# about the last 100 requests at its distance.
_COST_WEIGHT = 0.01

# A distance is cold when its requests cost at least this share of the way
# from the cheapest distance's time to a never-seen class's: mostly misses.
_COLD_SHARE = 0.8

# A worker that joins a running pool is first for the hot classes while it
# has had no more than a fair share of the requests since it joined, for
# this many times ``class_history`` requests: by then the decayed counts
# have long forgotten the requests before it joined.
_CATCH_UP = 8


def ring_hash(text):
    """A 64-bit hash that is the same in every process (unlike hash())."""
    return int.from_bytes(hashlib.blake2b(
        text.encode('utf-8', 'surrogatepass'), digest_size=8).digest(),
        'big')


def _average(average, sample):
    if average is None:
        return sample
    return average + _MEASURE_WEIGHT * (sample - average)


def _positive(name, value, kind, zero=False):
    try:
        value = float(value)
    except (TypeError, ValueError):
        raise ValueError(f'{name} must be a number, got {value!r}') from None
    if math.isnan(value) or math.isinf(value) and name != 'patience':
        raise ValueError(f'{name} must be a finite number, got {value!r}')
    value = kind(value)
    if value < 0 or value == 0 and not zero:
        raise ValueError(f'{name} must be {"zero or " * zero}positive,'
                         f' got {value!r}')
    return value


@zope.interface.implementer(IPool)
class BoundedPool(PoolBase):
    """Résumé routing with bounded loads and consistent-hash placement."""

    _defaults = dict(load_factor=1.25, hot_share=0.3, class_history=2000,
                     patience=math.inf, balance=1.2)

    def __init__(self, load_factor=None, hot_share=None, class_history=None,
                 patience=None, balance=None, single_version=False,
                 clock=time.monotonic):
        super().__init__(single_version)
        # The simulation gives its own clock; the LB the real one.
        self.clock = clock
        # Per worker: (when, served at home) of each outstanding request,
        # oldest first (a worker serves in order), when it last answered,
        # and its measured time per request.
        self._outstanding = {}
        self._answered = {}
        self._service = {}
        # Measured time per request served at home and away from it.
        self._at_home = None
        self._away = None
        self.workers = set()
        self.backlog = 0
        self._waiting = _Waiting()
        self._ring_keys = []
        self._ring = []
        self._orders = {}
        self._counts = {}
        self._total = 0.0
        self._generation = 0
        self._joined = {}
        # Per worker, its backlog averaged over the requests since it
        # joined, as (average, generation it was brought up to).  A backlog
        # changes only in get and put, so the average is brought up to date
        # only then and when it is read: nothing is done per worker and
        # request.
        self._average_backlog = {}
        # The sum of the averages of all workers is their backlogs
        # (``_member_backlog``) plus how far the averages lag behind
        # (``_lag``, which decays with every request like each average).
        self._member_backlog = 0
        self._lag = 0.0
        self._lag_generation = 0
        # Classes moved off a home that carried more than its share.
        self._moved = {}
        # When each worker last shed a class.
        self._shed = {}
        # Per worker, the classes it was given, in the order last given; the
        # measured time per request by how many other classes its worker
        # was given since its class was last given there.
        self._recency = {}
        self._cost = {}
        self._cold_from = None
        self._work = {}
        # Per worker, the requests given to it, decayed, as (count,
        # generation it was brought up to).
        self._requests_given = {}
        # When a worker last joined the running pool.
        self._last_join = -math.inf
        self._puts = 0
        self._given = dict(load_factor=load_factor, hot_share=hot_share,
                           class_history=class_history, patience=patience,
                           balance=balance)
        self.update_settings({})

    @property
    def nworkers(self):
        return len(self.workers)

    @property
    def mbacklog(self):
        """The mean backlog per worker, or None without workers."""
        if not self.workers:
            return None
        return self.backlog / len(self.workers)

    def update_settings(self, settings):
        """Apply ``load_factor``, ``hot_share``, ``class_history``,
        ``patience`` and ``balance``.

        Absent or None values restore the values given to the constructor,
        else the defaults (1.25, 0.3, 2000, unlimited, 1.2); strings are
        coerced (``inf`` is unlimited patience).  The
        résumé pool's settings (``variance`` and so on) are ignored, so one
        settings node or command line serves either pool.
        """
        for name, default in self._defaults.items():
            value = settings.get(name)
            if value is None:
                value = self._given[name]
            if value is None:
                value = default
            kind = int if name == 'class_history' else float
            setattr(self, name, _positive(
                name, value, kind, zero=name == 'patience'))
        for name in ('load_factor', 'balance'):
            if getattr(self, name) < 1:
                raise ValueError(f'{name} must be at least 1,'
                                 f' got {getattr(self, name)!r}')
        self._decay = 1.0 - 1.0 / self.class_history
        self._catch_up_for = _CATCH_UP * self.class_history

    def _new_resume(self, worker, resume):
        worker.resume = resume
        if worker in self.workers:
            return
        if not hasattr(worker, 'backlog'):
            worker.backlog = 0
        self.workers.add(worker)
        self._settle_lag()
        self._member_backlog += worker.backlog
        self._average_backlog[worker] = (float(worker.backlog),
                                         self._generation)
        self._members_changed()
        self._waiting.event.set()

    def _remove(self, worker):
        if worker not in self.workers:
            return
        self._settle_lag()
        average = self._settled_average(worker)
        self._member_backlog -= worker.backlog
        self._lag -= average - worker.backlog
        del self._average_backlog[worker]
        self.workers.discard(worker)
        self._outstanding.pop(worker, None)
        self._answered.pop(worker, None)
        self._service.pop(worker, None)
        self._shed.pop(worker, None)
        self._work.pop(worker, None)
        self._requests_given.pop(worker, None)
        self._recency.pop(worker, None)
        self._moved = {rclass: to for rclass, to in self._moved.items()
                       if to is not worker}
        self._members_changed()
        if not self.workers:
            self._waiting.event.clear()

    def _members_changed(self):
        points = sorted(
            (ring_hash(f'{_name(w)}-{i}'), _name(w), w)
            for w in self.workers for i in range(RING_POINTS))
        self._ring_keys = [key for key, _, _ in points]
        self._ring = [worker for _, _, worker in points]
        self._orders.clear()
        if any(worker not in self._joined for worker in self.workers):
            # A worker that joins gets the classes of its ring arc back.
            self._moved.clear()
        # In ring order, so that runs with the same workers are alike.
        self._joined = {worker: self._joined.get(worker, self._generation)
                        for worker in dict.fromkeys(self._ring)}
        if self._generation >= self.class_history and any(
                joined == self._generation
                for joined in self._joined.values()):
            self._last_join = self._generation

    def home_order(self, rclass):
        """The active workers as met on the ring from ``rclass``'s point."""
        order = self._orders.get(rclass)
        if order is None:
            ring = self._ring
            order = []
            if ring:
                i = bisect.bisect(self._ring_keys, ring_hash(rclass))
                n = len(self.workers)
                for step in range(len(ring)):
                    worker = ring[(i + step) % len(ring)]
                    if worker not in order:
                        order.append(worker)
                        if len(order) == n:
                            break
            self._orders[rclass] = order
        return order

    def share(self, rclass):
        """``rclass``'s decayed share of the requests seen recently."""
        entry = self._counts.get(rclass)
        if entry is None or not self._total:
            return 0.0
        generation, count = entry
        return count * self._decay ** (self._generation - generation) / (
            self._total)

    def spread(self, rclass):
        """Over how many workers ``rclass``'s share calls to spread it."""
        n = len(self.workers)
        wanted = math.ceil(self.share(rclass) * n / self.hot_share)
        return min(max(wanted, 1), n)

    def _count(self, rclass):
        self._generation += 1
        generation = self._generation
        self._total = self._total * self._decay + 1
        entry = self._counts.get(rclass)
        if entry is None:
            self._counts[rclass] = [generation, 1.0]
        else:
            entry[1] = entry[1] * self._decay ** (generation - entry[0]) + 1
            entry[0] = generation
        if generation % self.class_history == 0:
            self._prune()

    def _prune(self):
        for rclass, (generation, count) in list(self._counts.items()):
            if count * self._decay ** (
                    self._generation - generation) < _FORGET_BELOW:
                del self._counts[rclass]
                self._orders.pop(rclass, None)
                self._moved.pop(rclass, None)
        if len(self._orders) > 2 * len(self._counts) + 1000:
            self._orders.clear()

    def get(self, rclass, timeout=None):
        """Choose a worker for a request of class ``rclass``.

        Waits up to ``timeout`` seconds (None: forever) while the pool is
        empty, then returns None.
        """
        if not self._waiting.wait(self.workers, timeout):
            return None
        self._count(rclass)
        now = self.clock()
        at_home = True
        order = self.home_order(rclass)
        spread = self.spread(rclass)
        limit = math.ceil(
            self.load_factor * (self.backlog + 1) / len(self.workers))
        if spread > 1:
            best = min(order[:spread] + self.newcomers(),
                       key=lambda worker: worker.backlog)
            # A worker that joins a running pool catches up on hot
            # classes: one miss each, then hits.
            if self._generation - self._last_join < self._catch_up_for:
                behind = [worker for worker in self.catching_up()
                          if worker.backlog < limit]
                if behind:
                    best = min(behind, key=lambda worker: worker.backlog)
        else:
            best = self._moved.get(rclass) or order[0]
            # A newcomer's own classes come back to it although its cache
            # is cold: that is how it gets its share of the work.
            if self.likely_miss(rclass, best) and not (
                    best.backlog < limit and best in self.newcomers()):
                best = self._place_cold(rclass, order, best, limit)
                if best is order[0]:
                    self._moved.pop(rclass, None)
                else:
                    self._moved[rclass] = best
                at_home = False
        if at_home and best.backlog >= limit:
            other = self._overflow(rclass, order, limit)
            self._settle_lag()
            mean = (self._member_backlog + self._lag) / len(self.workers)
            # Too new a worker has no average to speak of: the bound is
            # hard for it.  A few requests more than a tiny mean are not an
            # imbalance either: like the bound, count one request more.
            settled = (self._generation - self._joined[best]
                       >= self.class_history)
            balanced = self._settled_average(best) <= self.balance * (
                mean + 1 / len(self.workers))
            if not (settled and balanced
                    and self._worth_staying(best, other)):
                # One class at a time: a class moved onto a full cache
                # pushes another out, and shedding faster than the average
                # can follow would make the receiver shed in turn.
                if spread == 1 and settled and not balanced and (
                        self._generation - self._shed.get(best, -math.inf)
                        >= self.class_history / _SHED_EVERY):
                    self._moved[rclass] = other
                    self._shed[best] = self._generation
                best = other
                at_home = False
        distance = self._distance(rclass, best)
        expected = self._expected(rclass, best, distance)
        self._work[best] = self._work.get(best, 0.0) + expected
        recency = self._recency.get(best)
        if recency is None:
            recency = self._recency[best] = Recency(
                _RECENCY_LIMIT * self.class_history)
        recency.give(rclass)
        if self._generation - self._joined[best] < self._catch_up_for:
            self._requests_given[best] = (self._given_since(best) + 1,
                                         self._generation)
        self._change_backlog(best, 1)
        self.backlog += 1
        self._outstanding.setdefault(best, collections.deque()).append(
            (now, at_home, distance, expected))
        return best

    def _distance(self, rclass, worker):
        """How long ago ``rclass`` was last given to ``worker``, as the
        cost table's key: quarter octaves of the number of other classes
        ``worker`` was given since, or ``_NEVER``."""
        recency = self._recency.get(worker)
        since = recency.since(rclass) if recency is not None else None
        if since is None:
            return _NEVER
        return int(4 * math.log2(since + 1))

    def _place_cold(self, rclass, order, target, limit):
        """Where a request that is likely a miss at ``target`` goes.

        Where its class is likely still warm, if any; else, as it costs a
        miss anywhere, to the worker expected to be done soonest, unless
        ``target`` is within ``balance`` of it: cold classes that stay at
        their homes keep the caches partitioned as the ring partitions
        them.
        """
        warm = self._warmest(rclass)
        if warm is not None and warm.backlog < limit:
            return warm
        work = self._work
        least = min((worker for worker in order if worker.backlog < limit),
                    key=lambda worker: work.get(worker, 0.0))
        if target.backlog >= limit or (
                work.get(least, 0.0) * self.balance
                + self._expected(rclass, least) <= work.get(target, 0.0)):
            return least
        return target

    def _warmest(self, rclass):
        """The worker given fewest other classes since it was given
        ``rclass``, if its data is likely still warm there."""
        since = {worker: recency.since(rclass)
                 for worker, recency in self._recency.items()
                 if rclass in recency}
        if not since:
            return None
        worker = min(since, key=since.get)
        if self.likely_miss(rclass, worker):
            return None
        return worker

    def _expected(self, rclass, worker, distance=None):
        """The measured time a request of ``rclass`` takes at ``worker``
        (1 before anything is measured, so that work counts requests)."""
        if distance is None:
            distance = self._distance(rclass, worker)
        entry = self._cost.get(distance)
        if entry is None:
            entry = self._cost.get(_NEVER)
        return entry[0] if entry else 1.0

    def likely_miss(self, rclass, worker):
        """Whether a request of ``rclass`` is likely a cache miss at
        ``worker``, as measured: the class was given there too long ago, or
        never.  False until the pool has seen that such requests take
        longer."""
        cold_from = self._cold_from
        if cold_from is None:
            return False
        distance = self._distance(rclass, worker)
        return distance == _NEVER or distance >= cold_from

    def _learn_cost(self, distance, took):
        entry = self._cost.get(distance)
        if entry is None:
            self._cost[distance] = [took, 1]
        else:
            entry[0] += max(_COST_WEIGHT, 1 / (entry[1] + 1)) * (
                took - entry[0])
            entry[1] += 1
        self._puts += 1
        if self._puts % 100 == 0:
            self._cold_from = self._cold_threshold()

    def _cold_threshold(self):
        """The shortest distance from which on every measured distance
        costs at least ``_COLD_SHARE`` of the way from the cheapest to
        never; None while caching is not seen to matter (never costs less
        than twice the cheapest), while no distance is seen to be cold (a
        class never given to a worker is then as well at its home as
        anywhere) and until it is measured."""
        known = {distance: cost for distance, (cost, samples)
                 in self._cost.items() if samples >= 10}
        never = known.pop(_NEVER, None)
        if never is None or not known:
            return None
        hot = min(known.values())
        if never < 2 * hot:
            return None
        threshold = hot + _COLD_SHARE * (never - hot)
        cold_from = None
        for distance in sorted(known, reverse=True):
            if known[distance] < threshold:
                break
            cold_from = distance
        return cold_from

    def average_backlog(self, worker):
        """``worker``'s backlog averaged over about the last
        ``class_history`` requests (each request sees every worker's
        backlog as it arrives)."""
        return self._settled_average(worker)

    def _settled_average(self, worker):
        """``worker``'s averaged backlog, brought up to this request: its
        backlog has been the same since it was last brought up."""
        average, generation = self._average_backlog[worker]
        steps = self._generation - generation
        if steps:
            backlog = worker.backlog
            average = backlog + (average - backlog) * self._decay ** steps
            self._average_backlog[worker] = (average, self._generation)
        return average

    def _settle_lag(self):
        steps = self._generation - self._lag_generation
        if steps:
            self._lag *= self._decay ** steps
            self._lag_generation = self._generation

    def _change_backlog(self, worker, change):
        if worker in self._average_backlog:
            # The requests so far saw the backlog before the change.
            self._settled_average(worker)
            self._settle_lag()
            self._member_backlog += change
            self._lag -= change
        worker.backlog += change

    def moved(self, rclass):
        """The worker ``rclass`` was moved to, or None."""
        return self._moved.get(rclass)

    def status(self):
        """The résumé pool's summary, with the settings in force and how
        many classes moved."""
        status = super().status()
        status['settings'] = {
            name: 'inf' if getattr(self, name) == math.inf
            else getattr(self, name) for name in self._defaults}
        status['moved_classes'] = len(self._moved)
        return status

    def service_time(self, worker):
        """``worker``'s measured time per request, or None."""
        return self._service.get(worker)

    def _worth_staying(self, home, other):
        """Whether ``home`` is expected to finish the request sooner than
        ``other``, which it costs more, as measured."""
        if self._away is None or self._at_home is None:
            return False
        if self._generation > self.class_history and self.newcomers():
            # A newcomer is filling up: moved requests help it warm.
            return False
        service = self._service
        if home not in service or other not in service:
            return False
        if self.patience == math.inf:
            return True
        saved = home.backlog * service[home] - other.backlog * service[other]
        return saved <= self.patience * (self._away - self._at_home) * (
            other.backlog + 1)

    def _given_since(self, worker):
        """The requests given to ``worker``, decayed as the class counts
        are, up to this request."""
        count, generation = self._requests_given.get(
            worker, (0.0, self._generation))
        return count * self._decay ** (self._generation - generation)

    def catching_up(self):
        """Workers that joined the running pool within the last
        ``_CATCH_UP`` times ``class_history`` requests and have been given
        no more than a fair share of the requests since (decayed as the
        class counts are)."""
        now = self._generation
        behind = []
        for worker, joined in self._joined.items():
            if joined < self.class_history or (
                    now - joined >= self._catch_up_for):
                continue
            since = (1 - self._decay ** (now - joined)) / (1 - self._decay)
            if self._given_since(worker) <= since / len(self.workers):
                behind.append(worker)
        return behind

    def newcomers(self):
        """Workers that joined within the last ``class_history`` requests."""
        since = self._generation - self.class_history
        return [worker for worker, joined in self._joined.items()
                if joined > since]

    def _overflow(self, rclass, order, limit):
        best = None
        best_score = 0
        for worker in order:
            if worker.backlog < limit:
                score = (worker.resume or {}).get(rclass, 0)
                score = score / (worker.backlog + 1)
                if score > best_score:
                    best_score, best = score, worker
        if best is None:
            best = next(w for w in order if w.backlog < limit)
        return best

    def put(self, worker):
        """A request given to ``worker`` started its response (or failed)."""
        self.backlog = max(self.backlog - 1, 0)
        if worker.backlog > 0:
            self._change_backlog(worker, -1)
        outstanding = self._outstanding.get(worker)
        if not outstanding:
            return
        now = self.clock()
        given, at_home, distance, expected = outstanding.popleft()
        # Nothing outstanding is no work, whatever rounding left over.
        self._work[worker] = self._work[worker] - expected if outstanding \
            else 0.0
        took = now - max(given, self._answered.get(worker, given))
        self._answered[worker] = now
        if took <= 0:
            return
        self._service[worker] = _average(self._service.get(worker), took)
        self._learn_cost(distance, took)
        if at_home:
            self._at_home = _average(self._at_home, took)
        else:
            self._away = _average(self._away, took)

    def __repr__(self):
        lines = self._version_lines()
        lines.append('Spread classes:')
        for rclass in sorted(self._counts,
                             key=lambda c: (-self.share(c), c)):
            spread = self.spread(rclass)
            if spread > 1:
                lines.append(f'  {rclass}: {self.share(rclass):.3f} over'
                             f' {self.home_order(rclass)[:spread]}')
        lines.append('Backlogs:')
        lines.append(f'  overall backlog: {self.backlog}'
                     f' Avg: {self.mbacklog}')
        lines.extend(_backlog_lines(self.workers))
        return '\n'.join(lines)
