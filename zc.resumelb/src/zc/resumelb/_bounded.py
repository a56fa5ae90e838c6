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
worker that joined within the last ``class_history`` requests (a newcomer,
or a worker back from a restart) shares every hot class too: hot data is
warm after a few misses, so the newcomer is soon as fast as the others.

No request makes a worker's backlog exceed
``ceil(load_factor * (backlog + 1) / n)``, the bound of consistent hashing
with bounded loads (some worker is always below it).  A request whose
workers are all at the bound goes to the free worker whose résumé scores
the class best per outstanding request, where its data is likely warm, and
if no free worker knows the class, to the next free one in its home order.
"""
import bisect
import hashlib
import math

import zope.interface

from zc.resumelb.interfaces import IPool
from zc.resumelb.pool import PoolBase
from zc.resumelb.pool import _backlog_lines
from zc.resumelb.pool import _name
from zc.resumelb.pool import _Waiting

RING_POINTS = 160

# Classes seen this rarely (decayed count) are forgotten when the counts are
# pruned, so a stream of one-off classes does not grow the pool's memory.
_FORGET_BELOW = 0.05


def ring_hash(text):
    """A 64-bit hash that is the same in every process (unlike hash())."""
    return int.from_bytes(hashlib.blake2b(
        text.encode('utf-8', 'surrogatepass'), digest_size=8).digest(),
        'big')


def _positive(name, value, kind):
    try:
        value = kind(float(value)) if kind is int else kind(value)
    except (TypeError, ValueError):
        raise ValueError(f'{name} must be a number, got {value!r}') from None
    if value <= 0:
        raise ValueError(f'{name} must be positive, got {value!r}')
    return value


@zope.interface.implementer(IPool)
class BoundedPool(PoolBase):
    """Résumé routing with bounded loads and consistent-hash placement."""

    _defaults = dict(load_factor=1.25, hot_share=0.15, class_history=2000)

    def __init__(self, load_factor=None, hot_share=None, class_history=None,
                 single_version=False):
        super().__init__(single_version)
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
        self._given = dict(load_factor=load_factor,
                           hot_share=hot_share, class_history=class_history)
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
        """Apply ``load_factor``, ``hot_share`` and ``class_history``.

        Absent or None values restore the values given to the constructor,
        else the defaults (1.25, 0.15, 2000); strings are coerced.  The
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
            setattr(self, name, _positive(name, value, kind))
        if self.load_factor < 1:
            raise ValueError('load_factor must be at least 1,'
                             f' got {self.load_factor!r}')
        self._decay = 1.0 - 1.0 / self.class_history

    def _new_resume(self, worker, resume):
        worker.resume = resume
        if worker in self.workers:
            return
        if not hasattr(worker, 'backlog'):
            worker.backlog = 0
        self.workers.add(worker)
        self._members_changed()
        self._waiting.event.set()

    def _remove(self, worker):
        if worker not in self.workers:
            return
        self.workers.discard(worker)
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
        self._joined = {worker: self._joined.get(worker, self._generation)
                        for worker in self.workers}

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
        limit = math.ceil(
            self.load_factor * (self.backlog + 1) / len(self.workers))
        order = self.home_order(rclass)
        spread = self.spread(rclass)
        if spread > 1:
            workers = order[:spread] + self.newcomers()
        else:
            workers = order[:1]
        best = None
        for worker in workers:
            if worker.backlog < limit and (
                    best is None or worker.backlog < best.backlog):
                best = worker
        if best is None:
            best = self._overflow(rclass, order, limit)
        best.backlog += 1
        self.backlog += 1
        return best

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
        worker.backlog = max(worker.backlog - 1, 0)

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
