"""The job runner: a Twisted process draining the board's job queue.

Every ``interval`` seconds it runs ``run_next_job`` through a
``zc.twist.Partial``, which opens its own connection, commits and retries
conflicts with the web workers; while jobs keep coming it runs them back
to back.  SIGTERM stops the reactor between two jobs.
"""
import argparse
import logging
import sys

import ZEO
import zc.twist
from twisted.internet import reactor
from twisted.internet import task
from zc.resumelb import util

from taskboard.processes import configure_logging
from taskboard.processes import exit_on_sigterm
from taskboard.jobs import run_next_job

logger = logging.getLogger('taskboard.runner')
#: Logged once the runner drains the queue.
READY = 'draining jobs every'


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
    parser.add_argument('--zeo', required=True, metavar='HOST:PORT')
    parser.add_argument('--interval', type=float, default=0.5)
    options = parser.parse_args(args)
    configure_logging()
    exit_on_sigterm()
    db = ZEO.DB(util.parse_addr(options.zeo, '127.0.0.1'))
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
