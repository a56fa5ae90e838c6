"""Worker pools: which worker gets the next request of a class."""
import collections
import logging

import gevent.event
import zope.interface

from zc.resumelb.interfaces import IPool

logger = logging.getLogger('zc.resumelb.lb')


def _name(worker):
    return getattr(worker, '__name__', None) or repr(worker)


def _sorted(workers):
    return sorted(workers, key=_name)


class _Waiting:
    """An event that is set while the pool has active workers."""

    def __init__(self):
        self.event = gevent.event.Event()

    def wait(self, workers, timeout):
        if not workers:
            self.event.wait(timeout)
        return bool(workers)


class PoolBase:
    """Single-version bookkeeping and ``status()``, shared by the pools.

    In single-version mode only workers of the *active* version get work;
    the version with the most workers becomes active (ties keep the active
    one, otherwise the version seen first wins).
    """

    def __init__(self, single_version):
        self.single_version = single_version
        if single_version:
            self.byversion = {}
            self.version = None
            self._version_active = False

    # Subclasses provide _new_resume(worker, resume) and _remove(worker).

    def new_resume(self, worker, resume):
        """Record ``worker``'s (new) résumé; a new worker joins the pool."""
        if not self.single_version:
            return self._new_resume(worker, resume)
        version = getattr(worker, 'version', None)
        self.byversion.setdefault(version, set()).add(worker)
        if not self._version_active:
            self._activate(version)
        if version == self.version:
            self._new_resume(worker, resume)
        else:
            worker.resume = resume
            self._check_quorum()

    def remove(self, worker):
        """Take ``worker`` out of the pool (its backlog is ``put`` later)."""
        if not self.single_version:
            return self._remove(worker)
        version = getattr(worker, 'version', None)
        members = self.byversion.get(version)
        if members is not None:
            members.discard(worker)
            if not members:
                del self.byversion[version]
        if self._version_active and version == self.version:
            self._remove(worker)
            self._check_quorum()

    def _activate(self, version):
        self.version = version
        self._version_active = True
        logger.info('VERSION: %s', version)

    def _check_quorum(self):
        best = None
        best_count = 0
        for version, members in self.byversion.items():
            if len(members) > best_count:
                best, best_count = version, len(members)
        if best is None or best == self.version:
            return
        if best_count == len(self.byversion.get(self.version, ())):
            return
        for worker in _sorted(self.workers):
            self._remove(worker)
        self._activate(best)
        for worker in _sorted(self.byversion[best]):
            self._new_resume(worker, getattr(worker, 'resume', None) or {})

    def _version_lines(self):
        if not self.single_version:
            return []
        lines = [f'Version: {self.version}']
        for version, members in self.byversion.items():
            if version != self.version and members:
                lines.append(f'  Inactive: {version}: {_sorted(members)}')
        return lines

    def status(self):
        """A JSON-able summary of backlogs, for the status server."""
        return dict(
            backlog=self.backlog,
            mean_backlog=self.mbacklog,
            workers=[
                [_name(w), w.backlog, getattr(w, 'mbacklog', w.backlog),
                 getattr(w, 'oldest_time', None)]
                for w in _sorted(self.workers)],
            workers_ex=[
                [_name(w), _queued(w)] for w in _sorted(self.workers)],
        )


def _queued(worker):
    queue = getattr(worker, 'write_queue', None)
    return queue.qsize() if queue is not None else 0


def _decay_backlog(obj, decay):
    obj.dbacklog = obj.dbacklog * decay + obj.backlog
    obj.nbacklog = obj.nbacklog * decay + 1
    obj.mbacklog = obj.dbacklog / obj.nbacklog


def _init_backlog(worker):
    # A re-activated worker (single-version switch) keeps its backlog.
    if not hasattr(worker, 'backlog'):
        worker.backlog = 0
    if not hasattr(worker, 'dbacklog'):
        worker.dbacklog = worker.backlog
    if not hasattr(worker, 'nbacklog'):
        worker.nbacklog = 0
    if not hasattr(worker, 'mbacklog'):
        worker.mbacklog = worker.backlog


@zope.interface.implementer(IPool)
class Pool(PoolBase):
    """The résumé pool: send a class to skilled, not overloaded workers."""

    _defaults = dict(unskilled_score=1.0, variance=1.0, backlog_history=9)

    def __init__(self, unskilled_score=None, variance=None,
                 backlog_history=None, single_version=False):
        super().__init__(single_version)
        self.workers = set()
        self.nworkers = 0
        self._lru = collections.OrderedDict()
        self.skilled = {}
        self.backlog = 0
        self.dbacklog = self.nbacklog = self.mbacklog = 0
        self._waiting = _Waiting()
        self.update_settings(dict(
            unskilled_score=unskilled_score, variance=variance,
            backlog_history=backlog_history))

    def update_settings(self, settings):
        """Apply ``unskilled_score``, ``variance``, ``backlog_history``.

        Absent or None values restore defaults; others are coerced.
        """
        for name, default in self._defaults.items():
            value = settings.get(name)
            if value is None:
                value = default
            elif name == 'backlog_history':
                value = int(float(value))
            else:
                value = float(value)
            setattr(self, name, value)
        self._update_decay()

    def _update_decay(self):
        self.worker_decay = 1.0 - 1.0 / (2 * self.backlog_history)
        if self.nworkers > 0:
            self.decay = 1.0 - 1.0 / (
                2 * self.backlog_history * self.nworkers)
        elif not hasattr(self, 'decay'):
            self.decay = self.worker_decay

    def _new_resume(self, worker, resume):
        if worker in self.workers:
            self._forget_skills(worker)
        else:
            _init_backlog(worker)
            self.workers.add(worker)
            self.nworkers = len(self.workers)
            self._update_decay()
            self._lru[worker] = None
            self._lru.move_to_end(worker, last=False)
            self._waiting.event.set()
        worker.resume = resume
        for rclass, score in resume.items():
            self.skilled.setdefault(rclass, set()).add((score, worker))

    def _forget_skills(self, worker):
        for rclass, score in getattr(worker, 'resume', {}).items():
            skilled = self.skilled.get(rclass)
            if skilled is not None:
                skilled.discard((score, worker))

    def _remove(self, worker):
        if worker not in self.workers:
            return
        self._forget_skills(worker)
        del self._lru[worker]
        self.workers.discard(worker)
        self.nworkers = len(self.workers)
        if self.nworkers:
            self._update_decay()
        else:
            self._waiting.event.clear()

    def get(self, rclass, timeout=None):
        """Choose a worker for a request of class ``rclass``.

        Waits up to ``timeout`` seconds (None: forever) while the pool is
        empty, then returns None.
        """
        if not self._waiting.wait(self.workers, timeout):
            return None
        skilled = self.skilled.setdefault(rclass, set())
        max_backlog = max(self.variance * self.mbacklog / self.nworkers, 1)
        lru = self._lru
        front = next(iter(lru))
        min_backlog = front.mbacklog + 1

        best = None
        if skilled:
            scores = {worker: score for score, worker in skilled}
            best_score = 0
            for worker in lru:
                score = scores.get(worker)
                if score is None:
                    continue
                if worker.mbacklog - min_backlog > max_backlog:
                    continue
                backlog = worker.backlog
                if backlog > 1:
                    score /= backlog
                if score > best_score:
                    best_score, best = score, worker

        if best is None:
            best = front
            if rclass not in best.resume:
                best.resume[rclass] = self.unskilled_score
                skilled.add((self.unskilled_score, best))

        lru.move_to_end(best)
        best.backlog += 1
        _decay_backlog(best, self.worker_decay)
        self.backlog += 1
        _decay_backlog(self, self.decay)
        return best

    def put(self, worker):
        """A request given to ``worker`` started its response (or failed)."""
        self.backlog = max(self.backlog - 1, 0)
        _decay_backlog(self, self.decay)
        worker.backlog = max(worker.backlog - 1, 0)
        _decay_backlog(worker, self.worker_decay)

    def __repr__(self):
        lines = self._version_lines()
        lines.append('Request classes:')
        for rclass, skilled in sorted(self.skilled.items()):
            if not skilled:
                continue
            entries = sorted(skilled, key=lambda e: (e[0], _name(e[1])))
            lines.append(f'  {rclass}: ' + ', '.join(
                f'{w!r}({score},{w.mbacklog})' for score, w in entries))
        lines.append('Backlogs:')
        average = self.mbacklog / self.nworkers if self.nworkers else None
        lines.append(f'  overall backlog: {self.backlog}'
                     f' Decayed: {self.mbacklog} Avg: {average}')
        lines.extend(_backlog_lines(self.workers))
        return '\n'.join(lines)


def _backlog_lines(workers):
    bybacklog = {}
    for worker in workers:
        bybacklog.setdefault(worker.backlog, []).append(worker)
    return [f'  {backlog}: {_sorted(members)}'
            for backlog, members in sorted(bybacklog.items())]
