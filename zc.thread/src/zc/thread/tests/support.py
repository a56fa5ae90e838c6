"""What the tests share: picklable child functions and a stand-in for the
thread and process classes."""
import logging
import os
import sys
from unittest import mock

import zc.thread


def report_pid(queue):
    """Module-level, hence picklable for the spawn and forkserver methods."""
    queue.put(os.getpid())


def fail_quietly():
    """Fail in a child process without cluttering the test output."""
    sys.stderr = open(os.devnull, 'w')
    logging.disable()
    raise ValueError('expected in a test')


class FactoryMixin:
    """Replace the thread or process class with a mock and run targets by hand."""

    kind = None
    factory_path = None

    def setUp(self):
        patcher = mock.patch(self.factory_path)
        self.factory = patcher.start()
        self.addCleanup(patcher.stop)
        self.created = self.factory.return_value
        self.make = getattr(zc.thread, self.kind)

    def target(self):
        return self.factory.call_args.kwargs['target']

    def run_target(self, *args, **kwargs):
        return self.target()(*args, **kwargs)
