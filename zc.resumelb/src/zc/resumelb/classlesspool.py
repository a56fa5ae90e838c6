"""A pool that ignores request classes: least-backlog, least recently used.

The baseline against which the résumé pool is measured, and a sensible
choice for applications without a cache working set.
"""
import collections

import zope.interface

from zc.resumelb.interfaces import IPool
from zc.resumelb.pool import PoolBase
from zc.resumelb.pool import _backlog_lines
from zc.resumelb.pool import _Waiting


def classifier(environ):
    """Every request is of the class ``''``."""
    return ''


@zope.interface.implementer(IPool)
class ClasslessPool(PoolBase):
    """Give each request to an idle worker, else to the least busy one."""

    def __init__(self, single_version=False):
        super().__init__(single_version)
        self.workers = set()
        self._lru = collections.OrderedDict()
        self.backlog = 0
        self._waiting = _Waiting()

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
        """This pool has no settings."""

    def _new_resume(self, worker, resume):
        worker.resume = resume
        if worker in self.workers:
            return
        worker.backlog = 0
        self.workers.add(worker)
        self._lru[worker] = None
        self._lru.move_to_end(worker, last=False)
        self._waiting.event.set()

    def _remove(self, worker):
        if worker not in self.workers:
            return
        self.workers.discard(worker)
        del self._lru[worker]
        if not self.workers:
            self._waiting.event.clear()

    def get(self, rclass=None, timeout=None):
        """The first idle worker in LRU order, else the least busy one."""
        if not self._waiting.wait(self.workers, timeout):
            return None
        best = None
        for worker in self._lru:
            if worker.backlog == 0:
                best = worker
                break
            if best is None or worker.backlog < best.backlog:
                best = worker
        self._lru.move_to_end(best)
        best.backlog += 1
        self.backlog += 1
        return best

    def put(self, worker):
        """The request given to ``worker`` started responding or failed."""
        self.backlog = max(self.backlog - 1, 0)
        worker.backlog = max(worker.backlog - 1, 0)

    def __repr__(self):
        lines = self._version_lines()
        lines.append('Backlogs:')
        lines.append(f'  overall backlog: {self.backlog}'
                     f' Avg: {self.mbacklog}')
        lines.extend(_backlog_lines(self.workers))
        return '\n'.join(lines)
