"""What happens when the function of a thread or process fails."""
import logging
import os
import pathlib
import subprocess
import sys
import tempfile
import textwrap
import unittest
from unittest import mock

import zc.thread
from zc.thread.tests.support import FactoryMixin


class ThreadFailureTests(FactoryMixin, unittest.TestCase):

    kind = 'Thread'
    factory_path = 'threading.Thread'

    def test_failure_is_kept_logged_and_printed(self):
        error = ValueError('bad', 1)

        def fails():
            raise error

        with mock.patch('logging.getLogger') as getLogger, \
                mock.patch('traceback.print_exc') as print_exc:
            self.make(fails)
            self.assertIsNone(self.run_target())
        self.assertIsNone(self.created.value)
        self.assertIs(self.created.exception, error)
        self.assertEqual(getLogger.call_args, mock.call(__name__ + '.fails'))
        getLogger.return_value.exception.assert_called_once_with(
            'Exception in %s', self.kind)
        print_exc.assert_called_once_with()

    def test_arguments_that_do_not_fit_store_a_type_error(self):
        def takes_none():
            pass

        with mock.patch('logging.getLogger'), \
                mock.patch('traceback.print_exc'):
            self.make(takes_none, args=(1, 2))
            self.assertEqual(self.factory.call_args.kwargs['args'], (1, 2))
            self.run_target(1, 2)
        self.assertIsInstance(self.created.exception, TypeError)

    def test_nothing_is_reported_while_exiting(self):
        def fails():
            raise ValueError

        self.addCleanup(setattr, zc.thread, 'exiting', zc.thread.exiting)
        zc.thread.exiting = True
        with mock.patch('logging.getLogger') as getLogger, \
                mock.patch('traceback.print_exc') as print_exc:
            self.make(fails)
            self.run_target()
        getLogger.return_value.exception.assert_not_called()
        print_exc.assert_not_called()
        self.assertIsInstance(self.created.exception, ValueError)

    def test_set_exiting_sets_the_module_flag(self):
        self.addCleanup(setattr, zc.thread, 'exiting', zc.thread.exiting)
        zc.thread.exiting = False
        self.assertIsNone(zc.thread.set_exiting())
        self.assertIs(zc.thread.exiting, True)

    def test_restart_sleeps_and_retries_until_base_exception(self):
        calls = []

        def fails_twice_then_exits():
            calls.append(1)
            if len(calls) < 3:
                raise ValueError(len(calls))
            raise BaseException('stop')

        with mock.patch('logging.getLogger'), \
                mock.patch('traceback.print_exc'), \
                mock.patch('time.sleep') as sleep:
            self.make(fails_twice_then_exits, restart=9)
            with self.assertRaisesRegex(BaseException, 'stop'):
                self.run_target()
        self.assertEqual(len(calls), 3)
        sleep.assert_called_with(9)
        self.assertEqual(sleep.call_count, 2)
        self.assertEqual(self.created.exception.args, (2,))

    def test_success_after_restart_keeps_the_last_exception(self):
        calls = []

        def fails_once():
            calls.append(1)
            if len(calls) == 1:
                raise KeyError('first')
            return 'second'

        with mock.patch('logging.getLogger'), \
                mock.patch('traceback.print_exc'), \
                mock.patch('time.sleep') as sleep:
            self.make(fails_once, restart=True)
            self.run_target()
        sleep.assert_called_once_with(True)
        self.assertEqual(self.created.value, 'second')
        self.assertIsInstance(self.created.exception, KeyError)

    def test_base_exceptions_are_neither_caught_nor_stored(self):
        def interrupted():
            raise KeyboardInterrupt

        with mock.patch('logging.getLogger') as getLogger:
            self.make(interrupted)
            with self.assertRaises(KeyboardInterrupt):
                self.run_target()
        self.assertIsNone(self.created.exception)
        getLogger.assert_not_called()


class ProcessFailureTests(ThreadFailureTests):

    kind = 'Process'
    factory_path = 'multiprocessing.Process'


class StandardErrorTests(unittest.TestCase):
    """A failing thread's traceback reaches standard error exactly once,
    in a real script run by a fresh interpreter."""

    SCRIPT = '''
        import logging
        import sys
        {configure}
        import zc.thread

        @zc.thread.Thread
        def fails():
            raise ValueError('from the thread')

        fails.join(30)
        print('exception kept:', repr(fails.exception))
    '''

    def run_script(self, configure=''):
        script = textwrap.dedent(self.SCRIPT).format(configure=configure)
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
        done = subprocess.run(
            [sys.executable, '-c', script], capture_output=True, text=True,
            env=env, timeout=60, cwd=self.tmpdir)
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertIn("ValueError('from the thread')", done.stdout)
        return done.stderr

    def setUp(self):
        tmpdir = tempfile.TemporaryDirectory(prefix='zc.thread-')
        self.addCleanup(tmpdir.cleanup)
        self.tmpdir = tmpdir.name

    def assert_one_traceback(self, text):
        self.assertEqual(text.count('Traceback (most recent call last)'), 1,
                         text)
        self.assertEqual(text.count('ValueError: from the thread'), 1, text)

    def test_script_without_logging_configured_shows_the_traceback_once(self):
        stderr = self.run_script()
        self.assert_one_traceback(stderr)
        self.assertIn('Exception in Thread', stderr)

    def test_script_logging_to_stderr_shows_the_traceback_once(self):
        stderr = self.run_script('logging.basicConfig()')
        self.assert_one_traceback(stderr)
        self.assertIn('ERROR:__main__.fails:Exception in Thread', stderr)

    def test_script_logging_to_a_file_still_prints_the_traceback_once(self):
        stderr = self.run_script(
            "logging.basicConfig(filename='log.txt')")
        self.assert_one_traceback(stderr)
        self.assertNotIn('Exception in Thread', stderr)
        self.assert_one_traceback(
            pathlib.Path(self.tmpdir, 'log.txt').read_text())

    def test_errors_not_enabled_for_the_logger_are_printed(self):
        stderr = self.run_script(
            "logging.getLogger().setLevel(logging.CRITICAL)")
        self.assert_one_traceback(stderr)
        self.assertNotIn('Exception in Thread', stderr)


class LoggingDestinationTests(unittest.TestCase):
    """Where the runner looks to know whether logging shows the traceback."""

    def setUp(self):
        self.logger = logging.getLogger('zc.thread.tests.destination')
        self.addCleanup(setattr, self.logger, 'propagate', True)

    def test_a_handler_writing_to_stderr_shows_the_record(self):
        from zc.thread._runner import _logging_writes_to_stderr
        handler = logging.StreamHandler(sys.stderr)
        self.logger.addHandler(handler)
        self.addCleanup(self.logger.removeHandler, handler)
        self.logger.propagate = False
        self.assertTrue(_logging_writes_to_stderr(self.logger))

    def test_a_handler_writing_elsewhere_does_not(self):
        from zc.thread._runner import _logging_writes_to_stderr
        handler = logging.NullHandler()
        self.logger.addHandler(handler)
        self.addCleanup(self.logger.removeHandler, handler)
        self.logger.propagate = False
        self.assertFalse(_logging_writes_to_stderr(self.logger))

    def test_a_stand_in_for_a_logger_is_not_looked_into(self):
        from zc.thread._runner import _logging_writes_to_stderr
        self.assertFalse(_logging_writes_to_stderr(mock.Mock()))
