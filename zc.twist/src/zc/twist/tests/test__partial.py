"""Edge cases of zc.twist.Partial, without a running reactor.

When the connection pool has room, a Partial does all its work before the
call returns, so these tests need no reactor; waits and retries are driven
by a ``task.Clock``.
"""
import gc
import operator
import unittest

import BTrees.OOBTree
import transaction
import ZODB
import ZODB.POSException
from twisted.internet import defer
from twisted.internet import task
from twisted.python.failure import Failure as TwistedFailure
from ZEO.Exceptions import ClientDisconnected

import zc.twist
from zc.twist.tests.support import DatabaseTestCase
from zc.twist.tests.support import Demo
from zc.twist.tests.support import load_pickled_before_the_split
from zc.twist.tests.support import logged_failures
from zc.twist.tests.support import pickled_globals
from zc.twist.tests.support import root_stored_before_the_split


class PassThroughTests(DatabaseTestCase):

    def test_plain_callable_returns_its_result_directly(self):
        self.assertEqual(zc.twist.Partial(lambda a, b: a * b, 6)(7), 42)

    def test_plain_callable_exceptions_propagate(self):
        partial = zc.twist.Partial(int, 'not a number')
        with self.assertRaisesRegex(ValueError, 'not a number'):
            partial()

    def test_stored_and_call_time_arguments_are_merged(self):
        partial = zc.twist.Partial(
            lambda *args, **kw: (args, kw), 1, 2, a='stored', b='stored')
        self.assertEqual(partial(3, b='call'),
                         ((1, 2, 3), {'a': 'stored', 'b': 'call'}))
        self.assertEqual(partial.args, [1, 2, 3])
        self.assertEqual(partial.kwargs, {'a': 'stored', 'b': 'call'})

    def test_call_time_arguments_accumulate_on_repeated_calls(self):
        partial = zc.twist.Partial(lambda *args: args)
        partial(1)
        self.assertEqual(partial(2), (1, 2))

    def test_jarless_persistent_objects_and_methods_are_used_as_is(self):
        loose = Demo()
        self.assertEqual(zc.twist.Partial(loose, 3)(), 3)
        self.assertEqual(zc.twist.Partial(loose.decrement)(), 2)
        self.assertEqual(zc.twist.Partial(lambda d: d.count, loose)(), 2)
        loose_tree = BTrees.OOBTree.OOBTree()
        zc.twist.Partial(loose_tree.insert, 'a', 1)()
        zc.twist.Partial(loose_tree.__setitem__, 'b', 2)()
        self.assertEqual(dict(loose_tree), {'a': 1, 'b': 2})

    def test_no_connection_is_opened_without_persistent_arguments(self):
        before = len(self.db.pool.all)
        zc.twist.Partial(len, [1])()
        self.assertEqual(len(self.db.pool.all), before)


class OutcomeTests(DatabaseTestCase):

    def test_generic_error_aborts_and_fails(self):
        jars = []

        def change_then_fail(demo):
            jars.append(demo._p_jar)
            demo.count = 99
            raise ValueError('bad value 99')

        partial = zc.twist.Partial(change_then_fail, self.demo)
        failure = self.outcome(partial())
        self.assertIsInstance(failure, zc.twist.Failure)
        self.assertIs(failure.check(ValueError), ValueError)
        self.assertEqual(failure.getErrorMessage(), 'bad value 99')
        self.assertIsNone(failure.tb)
        self.assertIsNone(failure.value.__traceback__)
        self.assertEqual(failure.frames[0][0], '_attempt')
        self.assertEqual(failure.frames[-1][0], 'change_then_fail')
        self.assertIsNone(jars[0].opened)
        self.assertEqual(self.fresh(self.demo).count, 0)
        self.assertEqual(partial.attempt_count, 1)
        self.assertEqual(partial.transaction_error_count, 0)
        self.assertEqual(self.open_connections(), 1)

    def test_conflict_is_retried_in_a_connection_with_the_newest_state(self):
        seen = []

        def add_one(demo):
            seen.append(demo.count)
            if partial.attempt_count == 1:
                self.commit_elsewhere(demo)
            return demo(1)

        partial = zc.twist.Partial(add_one, self.demo)
        self.assertEqual(self.outcome(partial()), 101)
        self.assertEqual(seen, [0, 100])
        self.assertEqual(
            (partial.attempt_count, partial.transaction_error_count), (2, 1))
        self.assertEqual(self.fresh(self.demo).count, 101)
        self.assertEqual(self.open_connections(), 1)

    def always_conflicting(self):
        def conflict(demo):
            demo.count
            self.commit_elsewhere(demo, 1)
            demo(1000)
        return zc.twist.Partial(conflict, self.demo)

    def test_gives_up_after_five_transaction_errors(self):
        partial = self.always_conflicting()
        failure = self.outcome(partial())
        self.assertIsInstance(failure, zc.twist.Failure)
        self.assertTrue(failure.check(ZODB.POSException.ConflictError))
        self.assertEqual(
            (partial.attempt_count, partial.transaction_error_count), (5, 5))
        self.assertIn('ZODB.POSException.ConflictError: database conflict',
                      failure.getTraceback())
        self.assertEqual(self.fresh(self.demo).count, 5)
        self.assertEqual(self.open_connections(), 1)

    def test_max_transaction_errors_of_two(self):
        partial = self.always_conflicting()
        partial.max_transaction_errors = 2
        self.outcome(partial())
        self.assertEqual(partial.attempt_count, 2)

    def test_max_transaction_errors_of_one_and_zero_mean_no_retry(self):
        for limit in (0, 1):
            partial = self.always_conflicting()
            partial.max_transaction_errors = limit
            self.assertIsInstance(self.outcome(partial()), zc.twist.Failure)
            self.assertEqual(partial.attempt_count, 1)

    def test_max_transaction_errors_none_retries_until_success(self):
        # More retries than the recursion limit would allow, were each
        # retry a nested call.
        retries = 400

        def conflict_many_times(demo):
            demo.count
            if partial.attempt_count <= retries:
                self.commit_elsewhere(demo, 1)
            return demo(1000)

        partial = zc.twist.Partial(conflict_many_times, self.demo)
        partial.max_transaction_errors = None
        self.assertEqual(self.outcome(partial()), 1000 + retries)
        self.assertEqual(partial.transaction_error_count, retries)

    def test_read_conflict_raised_by_the_callable_is_retried(self):
        def read_conflict(demo):
            if partial.attempt_count == 1:
                raise ZODB.POSException.ReadConflictError('stale read')
            return demo(1)

        partial = zc.twist.Partial(read_conflict, self.demo)
        self.assertEqual(self.outcome(partial()), 1)
        self.assertEqual(partial.transaction_error_count, 1)

    def test_poskeyerror_is_not_retried_and_is_raised_again(self):
        unsaved = Demo()
        self.conn.add(unsaved)  # an oid the new connection cannot load
        partial = zc.twist.Partial(unsaved)
        with logged_failures() as logged:
            failure = self.outcome(partial())
            gc.collect()
        self.assertTrue(failure.check(ZODB.POSException.POSKeyError))
        self.assertEqual(partial.attempt_count, 1)
        self.assertEqual(self.open_connections(), 1)
        # Raised again into the internal Deferred, reported as unhandled.
        self.assertEqual([f.type for f in logged],
                         [ZODB.POSException.POSKeyError])
        self.assertIsNone(failure.value.__traceback__)

    def test_keyboard_interrupt_is_reported_and_raised_again(self):
        def interrupted(demo):
            demo(1)
            raise KeyboardInterrupt()

        partial = zc.twist.Partial(interrupted, self.demo)
        with logged_failures() as logged:
            failure = self.outcome(partial())
            gc.collect()
        self.assertIsInstance(failure, zc.twist.Failure)
        self.assertTrue(failure.check(KeyboardInterrupt))
        self.assertEqual([f.type for f in logged], [KeyboardInterrupt])
        self.assertEqual(self.fresh(self.demo).count, 0)
        self.assertEqual(self.open_connections(), 1)

    def test_returned_failure_is_committed_and_sanitized(self):
        def fail_softly(demo):
            demo(7)
            try:
                1 / 0
            except ZeroDivisionError:
                return TwistedFailure()

        failure = self.outcome(zc.twist.Partial(fail_softly, self.demo)())
        self.assertIsInstance(failure, zc.twist.Failure)
        self.assertTrue(failure.check(ZeroDivisionError))
        self.assertIsNone(failure.tb)
        self.assertEqual(self.fresh(self.demo).count, 7)

    def test_returned_deferred_is_chained(self):
        later = defer.Deferred()
        d = zc.twist.Partial(lambda demo: later, self.demo)()
        self.assertFalse(d.called)
        later.callback('later')
        self.assertEqual(self.outcome(d), 'later')

    def test_closed_database_fails_with_a_clear_message(self):
        db = ZODB.DB(None)
        tm = transaction.TransactionManager()
        conn = db.open(transaction_manager=tm)
        demo = conn.root()['demo'] = Demo()
        tm.commit()
        partial = zc.twist.Partial(demo)
        conn.close()
        db.close()
        failure = self.outcome(partial())
        self.assertTrue(failure.check(ZODB.POSException.ConnectionStateError))
        self.assertIn('is closed', failure.getErrorMessage())
        self.assertIn(repr(db), failure.getErrorMessage())
        self.assertEqual(partial.attempt_count, 0)

    def test_other_open_errors_fail_the_deferred(self):
        class Broken:
            databases = {}
            database_name = 'broken'
            pool = self.db.pool

            def getPoolSize(self):
                return 10

            def open(self, transaction_manager):
                raise OSError('disk on fire')

        broken = Broken()
        broken.databases['broken'] = broken
        failure = self.outcome(zc.twist.get_connection(broken))
        self.assertTrue(failure.check(OSError))
        self.assertIsInstance(failure, zc.twist.Failure)

    def test_nested_persistent_objects_are_not_loaded_again(self):
        # The documented gotcha: the Demo inside the list still belongs to
        # the caller's connection, so the Partial's commit misses it.
        def bump_all(demo, demos):
            return [d(1) for d in [demo, *demos]]

        d = zc.twist.Partial(bump_all, self.demo, [self.other])()
        self.assertEqual(self.outcome(d), [1, 1])
        self.tm.abort()
        self.assertEqual((self.demo.count, self.other.count), (1, 0))

    def test_nested_objects_of_a_closed_connection_fail_and_abort(self):
        db = ZODB.DB(None)
        tm = transaction.TransactionManager()
        conn = db.open(transaction_manager=tm)
        stale = conn.root()['stale'] = Demo()
        tm.commit()
        conn.cacheMinimize()
        conn.close()
        db.close()

        def bump_all(demo, demos):
            demo(1)
            return [d(1) for d in demos]

        with logged_failures() as logged:
            failure = self.outcome(
                zc.twist.Partial(bump_all, self.demo, [stale])())
            gc.collect()
        self.assertEqual(len(logged), 1)
        self.assertIsInstance(failure, zc.twist.Failure)
        self.assertTrue(failure.check(ZODB.POSException.ConnectionStateError))
        self.assertIn('connection is closed', failure.getErrorMessage())
        self.assertEqual(self.fresh(self.demo).count, 0)


class ClientDisconnectedTests(DatabaseTestCase):

    def delays(self):
        delays = []
        for _ in range(50):
            calls = self.clock.getDelayedCalls()
            if not calls:
                break
            [call] = calls
            delays.append(call.getTime() - self.clock.seconds())
            self.clock.advance(delays[-1])
        return delays

    def test_disconnect_during_call_backs_off_and_retries(self):
        def unreachable(demo):
            if partial.attempt_count < 15:
                raise ClientDisconnected('server gone')
            return demo(1)

        partial = zc.twist.Partial(unreachable, self.demo)
        d = partial.setReactor(self.clock)()
        self.assertFalse(d.called)
        self.assertEqual(self.delays(),
                         [5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 55, 60, 60,
                          60])
        self.assertEqual(self.outcome(d), 1)
        self.assertEqual(partial.transaction_error_count, 0)
        self.assertEqual(partial.attempt_count, 15)
        self.assertEqual(partial.backoff, 60)
        self.assertEqual(self.open_connections(), 1)

    def test_disconnect_during_commit_with_custom_schedule(self):
        def unreachable_at_commit(demo):
            demo(1)
            if partial.attempt_count < 12:
                demo._p_jar.transaction_manager.get().addBeforeCommitHook(
                    self.raise_disconnected)

        partial = zc.twist.Partial(unreachable_at_commit, self.demo)
        partial.initial_backoff = 4
        partial.backoff_increment = 2
        partial.max_backoff = 21
        d = partial.setReactor(self.clock)()
        self.assertEqual(self.delays(),
                         [4, 6, 8, 10, 12, 14, 16, 18, 20, 21, 21])
        self.assertIsNone(self.outcome(d))
        self.assertEqual(self.fresh(self.demo).count, 1)
        self.assertEqual(partial.transaction_error_count, 0)

    def raise_disconnected(self):
        raise ClientDisconnected('lost during commit')

    def test_disconnects_are_retried_beyond_the_transaction_error_limit(self):
        def unreachable(demo):
            if partial.attempt_count <= 7:
                raise ClientDisconnected()
            return 'done'

        partial = zc.twist.Partial(unreachable, self.demo)
        partial.max_transaction_errors = 1
        d = partial.setReactor(self.clock)()
        self.delays()
        self.assertEqual(self.outcome(d), 'done')

    def test_backoff_is_not_reset_by_success(self):
        def once(demo):
            if partial.attempt_count == 1:
                raise ClientDisconnected()

        partial = zc.twist.Partial(once, self.demo).setReactor(self.clock)
        d = partial()
        self.clock.advance(5)
        self.outcome(d)
        self.assertEqual(partial.backoff, 5)


class ReactorTests(unittest.TestCase):

    def test_partial_provides_its_interface(self):
        from zope.interface.verify import verifyObject
        self.assertTrue(verifyObject(zc.twist.IPartial,
                                     zc.twist.Partial(len)))

    def test_references_provide_their_interface(self):
        from zope.interface.verify import verifyObject
        db = ZODB.DB(None)
        self.addCleanup(db.close)
        conn = db.open()
        self.addCleanup(conn.close)
        ref = zc.twist.Reference(conn.root())
        self.assertTrue(verifyObject(zc.twist.IDeferredReference, ref))

    def test_set_reactor_returns_the_partial(self):
        partial = zc.twist.Partial(len)
        clock = task.Clock()
        self.assertIs(partial.setReactor(clock), partial)
        self.assertIs(partial.getReactor(), clock)


class NamesTests(unittest.TestCase):

    def test_explosive_errors_are_exits_interrupts_and_storage_errors(self):
        self.assertEqual(
            set(zc.twist.EXPLOSIVE_ERRORS),
            {SystemExit, KeyboardInterrupt, ZODB.POSException.POSError})

    def test_there_is_no_c_extension(self):
        import importlib.util
        self.assertIsNone(importlib.util.find_spec('zc.twist._methodwrapper'))



class StoredPartialTests(unittest.TestCase):
    """Partials stored by earlier versions (in a queue of work, say) load
    and run: their pickles name zc.twist.Partial."""

    def test_partial_pickled_before_the_split_still_loads_and_runs(self):
        partial = load_pickled_before_the_split()['partial']
        self.assertIs(type(partial), zc.twist.Partial)
        self.assertEqual(partial(), 42)

    def test_partial_stored_in_a_database_before_the_split_still_runs(self):
        with root_stored_before_the_split() as root:
            self.assertEqual(root['partial'](), 42)

    def test_partials_are_still_pickled_under_the_package_path(self):
        names = pickled_globals(zc.twist.Partial(operator.add, 40, 2))
        self.assertIn('zc.twist Partial', names)
        self.assertFalse([n for n in names if n.startswith('zc.twist._')])
