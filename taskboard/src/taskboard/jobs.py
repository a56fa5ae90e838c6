"""Jobs: what the board asks the job runner to do, and doing it.

Web requests put ``(kind, argument)`` jobs on the board's zc.queue queue
in the same transaction as the change that asked for them, so a job exists
exactly when its change was committed.  The job runner pulls one job per
transaction: if it dies half-way, the job is still queued.
"""
import datetime
import logging

import ZODB.POSException

from taskboard.model import DIGESTS_KEPT
from taskboard.model import STATES

logger = logging.getLogger(__name__)


def recompute_stats(board, project):
    tasks = board.project_tasks(project)
    counts = {state: 0 for state in STATES}
    for task in tasks:
        counts[task.state] += 1
    counts['blocked'] = sum(
        1 for task in tasks
        if task.state != 'done' and board.is_blocked(task))
    board.stats[project] = counts


def write_digest(board, _argument=None):
    now = datetime.datetime.now(datetime.timezone.utc)
    lines = [f'Digest of {now:%Y-%m-%d %H:%M:%S} UTC']
    for person in board.people:
        open_tasks = [t for t in board.tasks.values()
                      if t.assignee == person and t.state != 'done']
        titles = ', '.join(t.title for t in open_tasks) or 'nothing'
        lines.append(f'{person}: {len(open_tasks)} open ({titles})')
    board.digests = (('\n'.join(lines),) + board.digests)[:DIGESTS_KEPT]


JOBS = {
    'stats': recompute_stats,
    'digest': write_digest,
}


def run_next_job(board):
    """Pull one job off the board's queue and do it; None when idle.

    Returns the job that was pulled.  A job that fails (or is of an unknown
    kind) is logged, noted in ``board.failed_jobs`` and dropped: left on
    the queue it would block every job behind it forever.  Its changes are
    rolled back; ZODB errors such as conflicts propagate, so that the
    whole transaction is retried.
    """
    if not len(board.jobs):
        return None
    kind, argument = board.jobs.pull()
    savepoint = board._p_jar.transaction_manager.savepoint()
    try:
        job = JOBS.get(kind)
        if job is None:
            raise ValueError(f'unknown kind of job {kind!r}')
        job(board, argument)
    except ZODB.POSException.POSError:
        raise
    except Exception as error:
        savepoint.rollback()
        logger.exception('job %r failed', (kind, argument))
        board.failed_jobs = ((f'{kind} {argument!r}: {error}',)
                             + board.failed_jobs)[:DIGESTS_KEPT]
    else:
        board.jobs_done += 1
    return (kind, argument)
