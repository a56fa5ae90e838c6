"""One worker process: the board application behind zc.resumelb's worker.

Started by the launcher; serves until SIGTERM, lets the requests in
progress finish, then closes its ZEO connection.
"""
import argparse
import sys

from zc.resumelb import util
from zc.resumelb.worker import Worker

from taskboard.processes import configure_logging
from taskboard.processes import exit_on_sigterm
from taskboard.resources import with_resources
from taskboard.status import Status
from taskboard.storage import open_db
from taskboard.web import Application


def main(args=None):
    parser = argparse.ArgumentParser(prog='taskboard-worker')
    parser.add_argument('--db', required=True,
                        help='zeo:HOST:PORT or postgresql:DSN')
    parser.add_argument('--address', required=True, metavar='HOST:PORT')
    parser.add_argument('--lb-status', required=True, metavar='PATH')
    parser.add_argument('--peer', action='append', default=[],
                        metavar='HOST:PORT',
                        help='every worker, for the status page')
    parser.add_argument('--resume-file')
    parser.add_argument('--history', type=int, default=20)
    options = parser.parse_args(args)
    configure_logging()
    exit_on_sigterm()
    db = open_db(options.db)
    try:
        status = Status(options.lb_status,
                        [util.parse_addr(p, '127.0.0.1')
                         for p in options.peer])
        app = with_resources(
            Application(db, status=status, name=options.address))
        # The application blocks on ZEO; threads keep the worker's event
        # loop free to talk to the load balancer meanwhile.
        worker = Worker(app, util.parse_addr(options.address, '127.0.0.1'),
                        history=options.history, threads=4,
                        resume_file=options.resume_file)
        util.run_until_sigterm(worker.shutdown)
    finally:
        db.close()
    return 0


if __name__ == '__main__':
    sys.exit(main())
