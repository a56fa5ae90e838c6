"""Creating threads and processes: names, options, start methods."""
import multiprocessing
import os
import threading
import unittest
import warnings
from unittest import mock

import zc.thread
from zc.thread.tests.support import FactoryMixin
from zc.thread.tests.support import fail_quietly
from zc.thread.tests.support import report_pid


class ThreadCreationTests(FactoryMixin, unittest.TestCase):

    kind = 'Thread'
    factory_path = 'threading.Thread'

    def test_decorator_creates_and_starts_a_daemon(self):
        @self.make
        def foo():
            return 'done'

        self.assertIs(foo, self.created)
        self.factory.assert_called_once_with(
            target=mock.ANY, name=__name__ + '.foo', args=(), kwargs={})
        self.assertIs(self.created.daemon, True)
        self.created.start.assert_called_once_with()
        self.assertIsNone(self.created.value)
        self.assertIsNone(self.created.exception)
        self.assertIsNone(self.run_target())
        self.assertEqual(self.created.value, 'done')
        self.assertIsNone(self.created.exception)

    def test_daemon_is_set_by_attribute_not_by_constructor(self):
        self.make(lambda: None)
        self.assertNotIn('daemon', self.factory.call_args.kwargs)
        self.created.setDaemon.assert_not_called()

    def test_name_uses_name_not_qualname(self):
        def local():
            pass

        self.make(local)
        self.assertEqual(self.factory.call_args.kwargs['name'],
                         __name__ + '.local')

    def test_name_renders_missing_attributes_as_none(self):
        class Nameless:
            __slots__ = ()

            def __call__(self):
                pass

            def __getattribute__(self, name):
                if name in ('__module__', '__name__'):
                    raise AttributeError(name)
                return object.__getattribute__(self, name)

        self.make(Nameless())
        self.assertEqual(self.factory.call_args.kwargs['name'], 'None.None')

    def test_options_are_forwarded(self):
        def f(*args, **kwargs):
            return args, kwargs

        @self.make(args=(1,), kwargs=dict(a=2), daemon=False, start=False)
        def created(*args, **kwargs):
            return args, kwargs

        self.factory.assert_called_once_with(
            target=mock.ANY, name=__name__ + '.created', args=(1,),
            kwargs=dict(a=2))
        self.assertIs(self.created.daemon, False)
        self.created.start.assert_not_called()
        self.run_target(1, a=2)
        self.assertEqual(self.created.value, ((1,), dict(a=2)))

    def test_empty_kwargs_become_a_fresh_dict(self):
        self.make(lambda: None, kwargs=None)
        first = self.factory.call_args.kwargs['kwargs']
        self.make(lambda: None, kwargs={})
        second = self.factory.call_args.kwargs['kwargs']
        self.assertEqual(first, {})
        self.assertIsNot(first, second)

    def test_name_option_replaces_the_generated_name(self):
        self.make(lambda: None, name='worker-1')
        self.assertEqual(self.factory.call_args.kwargs['name'], 'worker-1')

    def test_unknown_option_raises_type_error_when_applied(self):
        decorator = self.make(colour='blue')
        with self.assertRaisesRegex(TypeError, 'colour'):
            decorator(lambda: None)
        with self.assertRaisesRegex(TypeError, 'colour'):
            self.make(lambda: None, colour='blue')
        self.factory.assert_not_called()

    def test_options_are_keyword_only(self):
        with self.assertRaises(TypeError):
            self.make(lambda: None, True)

    def test_a_non_callable_is_refused_with_its_repr(self):
        with self.assertRaisesRegex(TypeError, "callable, got 'text'"):
            self.make('text')


class ProcessCreationTests(ThreadCreationTests):

    kind = 'Process'
    factory_path = 'multiprocessing.Process'

    def test_context_name_selects_the_start_method(self):
        with mock.patch('multiprocessing.get_context') as get_context:
            self.make(lambda: None, context='spawn', start=False)
        get_context.assert_called_once_with('spawn')
        get_context.return_value.Process.assert_called_once_with(
            target=mock.ANY, name=mock.ANY, args=(), kwargs={})
        self.factory.assert_not_called()

    def test_context_object_is_used_as_is(self):
        context = mock.Mock()
        created = self.make(lambda: None, context=context)
        self.assertIs(created, context.Process.return_value)


class ThreadContextTests(unittest.TestCase):

    def test_threads_take_no_context(self):
        with self.assertRaisesRegex(TypeError, 'context'):
            zc.thread.Thread(lambda: None, context='spawn')


class RealThreadTests(unittest.TestCase):

    def test_value_after_join(self):
        thread = zc.thread.Thread(lambda: 42)
        self.assertIsInstance(thread, threading.Thread)
        thread.join(30)
        self.assertEqual(thread.value, 42)
        self.assertIsNone(thread.exception)

    def test_the_wrapper_holds_no_closure(self):
        thread = zc.thread.Thread(lambda: None, start=False)
        self.assertIsNone(getattr(thread._target, '__closure__', None))


class RealProcessTests(unittest.TestCase):

    def run_under(self, method):
        if method not in multiprocessing.get_all_start_methods():
            self.skipTest(f'{method} is not available on this platform')
        context = multiprocessing.get_context(method)
        queue = context.Queue()
        with warnings.catch_warnings():
            warnings.filterwarnings(
                'ignore', '.*multi-threaded.*fork', DeprecationWarning)
            process = zc.thread.Process(report_pid, args=(queue,),
                                        context=context)
        child_pid = queue.get(timeout=60)
        process.join(60)
        self.assertNotEqual(child_pid, os.getpid())
        self.assertEqual(process.pid, child_pid)
        self.assertEqual(process.exitcode, 0)
        self.assertIsNone(process.value)
        self.assertIsNone(process.exception)

    def test_child_started_by_fork_runs_the_function(self):
        self.run_under('fork')

    def test_child_started_by_spawn_runs_the_function(self):
        self.run_under('spawn')

    def test_child_started_by_forkserver_runs_the_function(self):
        self.run_under('forkserver')

    def test_default_start_method(self):
        queue = multiprocessing.Queue()
        process = zc.thread.Process(report_pid, args=(queue,))
        self.assertIsInstance(process, multiprocessing.Process)
        self.assertNotEqual(queue.get(timeout=60), os.getpid())
        process.join(60)

    def test_failing_function_exits_zero(self):
        context = multiprocessing.get_context('spawn')
        process = zc.thread.Process(fail_quietly, context=context)
        process.join(60)
        self.assertEqual(process.exitcode, 0)
