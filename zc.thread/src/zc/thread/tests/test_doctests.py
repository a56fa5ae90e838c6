"""The tutorial (README.rst) as a test."""
import doctest
import logging
import sys
import unittest
import warnings


class _CurrentStdout:
    """Writes to whatever sys.stdout is at the moment of writing.

    doctest swaps sys.stdout while an example runs; routing standard error
    through this makes it part of the example's output, as a user at a
    terminal would see it.
    """

    def write(self, text):
        return sys.stdout.write(text)

    def flush(self):
        sys.stdout.flush()


def setUp(test):
    test.saved_stderr = sys.stderr
    sys.stderr = _CurrentStdout()
    # The tutorial is an ordinary script that never configured logging:
    # the test runner's own handlers step aside while it runs.
    root = logging.getLogger()
    test.saved_handlers = root.handlers[:]
    for handler in test.saved_handlers:
        root.removeHandler(handler)
    test.catcher = warnings.catch_warnings()
    test.catcher.__enter__()
    # Python 3.12+ warns when forking while threads run; the tutorial's
    # multiprocessing queue has a feeder thread.
    warnings.filterwarnings(
        'ignore', '.*multi-threaded.*fork', DeprecationWarning)


def tearDown(test):
    test.catcher.__exit__(None, None, None)
    root = logging.getLogger()
    for handler in test.saved_handlers:
        root.addHandler(handler)
    sys.stderr = test.saved_stderr


def test_suite():
    return unittest.TestSuite([
        doctest.DocFileSuite(
            '../README.rst', setUp=setUp, tearDown=tearDown,
            globs={'__name__': '__main__'},
            optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE),
    ])
