"""What the board's server processes share."""
import logging
import signal
import sys

#: The job runner logs this once it drains the queue.
READY = 'draining jobs every'


def exit_on_sigterm():
    """Make SIGTERM a clean exit until a server loop takes it over.

    A process stopped while it still connects to ZEO then closes what it
    opened instead of dying on the spot.
    """
    def exit(signum, frame):
        raise SystemExit(0)
    signal.signal(signal.SIGTERM, exit)


def configure_logging():
    """INFO to standard output, but only warnings from the ZEO client."""
    logging.basicConfig(level=logging.INFO, stream=sys.stdout,
                        format='%(name)s %(levelname)s %(message)s')
    logging.getLogger('ZEO').setLevel(logging.WARNING)
