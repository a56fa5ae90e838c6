"""The job runner: a Twisted process draining the board's job queue.

Every ``interval`` seconds it runs ``run_next_job`` through a
``zc.twist.Partial``, which opens its own connection, commits and retries
conflicts with the web workers; while jobs keep coming it runs them back
to back.  SIGTERM stops the reactor between two jobs.
"""
import argparse
import logging
import sys

import zc.twist
from twisted.internet import reactor
from twisted.internet import task

from taskboard.jobs import run_next_job
from taskboard.processes import configure_logging
from taskboard.processes import READY
from taskboard.processes import exit_on_sigterm
from taskboard.storage import open_db

logger = logging.getLogger('taskboard.runner')


def drain(board):
    """Run jobs until the queue is empty; a Deferred firing then."""
    deferred = zc.twist.Partial(run_next_job, board)()

    def ran(job):
        if job is None:
            return None
        logger.info('ran job %r', job)
        return drain(board)

    def failed(failure):
        logger.error('job failed: %s', failure.getErrorMessage())

    return deferred.addCallbacks(ran, failed)


def main(args=None):
    parser = argparse.ArgumentParser(prog='taskboard-jobs')
    parser.add_argument('--db', required=True,
                        help='zeo:HOST:PORT or postgresql:DSN')
    parser.add_argument('--interval', type=float, default=0.5)
    options = parser.parse_args(args)
    configure_logging()
    exit_on_sigterm()
    db = open_db(options.db)
    try:
        # Partial loads the board again in a connection of its own; this
        # one only keeps a reference to hand it.
        connection = db.open()
        board = connection.root()['taskboard']
        loop = task.LoopingCall(drain, board)
        loop.start(options.interval)
        logger.info(READY + ' %s seconds', options.interval)
        reactor.run()  # until SIGTERM, which stops the reactor
        connection.close()
    finally:
        db.close()
    return 0


if __name__ == '__main__':
    sys.exit(main())
