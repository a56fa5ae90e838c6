"""Edge cases of zc.twist.Partial, without a running reactor.

When the connection pool has room, a Partial does all its work before the
call returns, so these tests need no reactor; waits and retries are driven
by a ``task.Clock``.
"""
import contextlib
import gc
import unittest

import BTrees.OOBTree
import transaction
import ZODB
import ZODB.POSException
from twisted.internet import defer
from twisted.internet import task
from twisted.logger import globalLogBeginner
from twisted.logger import globalLogPublisher
from twisted.python.failure import Failure as TwistedFailure
from ZEO.Exceptions import ClientDisconnected

import zc.twist
from zc.twist.tests.examples import Demo


@contextlib.contextmanager
def logged_failures():
    """Collect the failures Twisted logs, instead of printing them.

    Until an application begins logging, Twisted prints critical events
    (such as unhandled errors in Deferreds) to standard error through a
    temporary observer; it is set aside so the test output stays clean.
    """
    failures = []

    def observe(event):
        if 'log_failure' in event:
            failures.append(event['log_failure'])

    temporary = getattr(globalLogBeginner, '_temporaryObserver', None)
    if temporary is not None:
        globalLogPublisher.removeObserver(temporary)
    globalLogPublisher.addObserver(observe)
    try:
        yield failures
    finally:
        globalLogPublisher.removeObserver(observe)
        if temporary is not None:
            globalLogPublisher.addObserver(temporary)


class DatabaseTestCase(unittest.TestCase):
    """A database with a Demo and a BTree, and the test's own connection."""

    def setUp(self):
        self.db = ZODB.DB(None, database_name='main')
        self.tm = transaction.TransactionManager()
        self.conn = self.db.open(transaction_manager=self.tm)
        root = self.conn.root()
        self.demo = root['demo'] = Demo()
        self.other = root['other'] = Demo()
        self.tree = root['tree'] = BTrees.OOBTree.OOBTree()
        self.tm.commit()
        self.clock = task.Clock()

    def tearDown(self):
        self.tm.abort()
        self.conn.close()
        self.db.close()

    def fresh(self, obj):
        """``obj`` as the newest committed state shows it."""
        self.tm.begin()
        return obj

    def outcome(self, d):
        """The result of a fired Deferred, or the failure it carries."""
        self.assertTrue(d.called, 'the Deferred should have fired already')
        results = []
        d.addBoth(results.append)
        return results[0]

    def open_connections(self):
        return len(self.db.pool.all) - len(self.db.pool.available)

    def commit_elsewhere(self, obj, amount=100):
        """Change ``obj`` in another connection and commit there."""
        tm = transaction.TransactionManager()
        conn = self.db.open(transaction_manager=tm)
        conn.get(obj._p_oid).count += amount
        tm.commit()
        conn.close()


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


class ReferenceTests(DatabaseTestCase):

    def test_persistent_callable(self):
        d = zc.twist.Partial(self.demo)()
        self.assertEqual(self.outcome(d), 1)
        self.assertEqual(self.fresh(self.demo).count, 1)

    def test_persistent_method(self):
        d = zc.twist.Partial(self.demo.decrement, 3)()
        self.assertEqual(self.outcome(d), -3)
        self.assertEqual(self.fresh(self.demo).count, -3)

    def test_method_wrapper_of_a_btree(self):
        d = zc.twist.Partial(self.tree.__setitem__, 'foo', 'bar')()
        self.assertIsNone(self.outcome(d))
        self.assertEqual(dict(self.fresh(self.tree)), {'foo': 'bar'})

    def test_builtin_method_of_a_btree(self):
        d = zc.twist.Partial(self.tree.insert, 'foo')('bar')
        self.assertEqual(self.outcome(d), 1)
        self.assertEqual(dict(self.fresh(self.tree)), {'foo': 'bar'})

    def test_references_remember_database_oid_and_method_name(self):
        ref = zc.twist.Partial(self.tree.insert).call
        self.assertTrue(zc.twist.IDeferredReference.providedBy(ref))
        self.assertIs(ref.db, self.db)
        self.assertEqual(ref.oid, self.tree._p_oid)
        self.assertEqual(ref.name, 'insert')

    def test_builtin_functions_are_not_references(self):
        self.assertIs(zc.twist.Reference(len), len)

    def test_making_a_reference_does_not_load_a_ghost(self):
        self.conn.cacheMinimize()
        self.assertIsNone(self.demo._p_changed)  # a ghost
        zc.twist.Partial(self.demo, self.other, key=self.tree)
        self.assertIsNone(self.demo._p_changed)
        self.assertIsNone(self.tree._p_changed)
        self.assertIsNone(self.other._p_changed)

    def test_direct_reference_needs_a_jarred_object(self):
        with self.assertRaisesRegex(ValueError, 'with a connection'):
            zc.twist.DeferredReferenceToPersistent(Demo())

    def test_all_arguments_load_in_one_fresh_connection(self):
        seen = {}

        def record(first, second, *, third, fourth):
            seen['jars'] = {o._p_jar for o in (first, second, third, fourth)}
            seen['tm'] = first._p_jar.transaction_manager
            return 'ok'

        partial = zc.twist.Partial(record, self.demo, third=self.tree)
        d = partial(self.other, fourth=self.conn.root())
        self.assertEqual(self.outcome(d), 'ok')
        [jar] = seen['jars']
        self.assertIsNot(jar, self.conn)
        self.assertIsNot(seen['tm'], transaction.manager)
        self.assertIsNot(seen['tm'], self.tm)
        self.assertIsNone(jar.opened, 'the connection should be closed')
        self.assertEqual(self.open_connections(), 1)

    def test_each_call_gets_a_new_transaction_manager(self):
        managers = []

        def record(demo):
            managers.append(demo._p_jar.transaction_manager)

        zc.twist.Partial(record, self.demo)()
        zc.twist.Partial(record, self.demo)()
        self.assertIsNot(managers[0], managers[1])

    def test_deferred_callback_argument_is_loaded_again(self):
        d = defer.Deferred()
        d.addCallback(zc.twist.Partial(Demo.__call__, amount=2))
        d.callback(self.demo)
        self.assertEqual(self.outcome(d), 2)
        self.assertEqual(self.fresh(self.demo).count, 2)

    def test_callbacks_run_after_commit_and_close(self):
        jars = []

        def record(demo):
            jars.append(demo._p_jar)
            return demo(5)

        def check(result):
            self.assertIsNone(jars[0].opened)
            tm = transaction.TransactionManager()
            conn = self.db.open(transaction_manager=tm)
            try:
                return result, conn.get(self.demo._p_oid).count
            finally:
                conn.close()

        d = zc.twist.Partial(record, self.demo)().addCallback(check)
        self.assertEqual(self.outcome(d), (5, 5))

    def test_multi_database_references(self):
        second = ZODB.DB(None, database_name='second',
                         databases=self.db.databases)
        tm = transaction.TransactionManager()
        conn = second.open(transaction_manager=tm)
        remote = conn.root()['remote'] = Demo()
        tm.commit()
        conn.close()
        seen = []

        def both(local, remote):
            seen.append(remote._p_jar.db().database_name)
            seen.append(remote._p_jar is local._p_jar.get_connection('second'))
            return local(1) + remote(10)

        d = zc.twist.Partial(both, self.demo, remote)()
        self.assertEqual(self.outcome(d), 11)
        self.assertEqual(seen, ['second', True])
        tm.begin()
        conn = second.open(transaction_manager=tm)
        self.assertEqual(conn.get(remote._p_oid).count, 10)
        conn.close()
        second.close()


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


class GetConnectionTests(DatabaseTestCase):

    def advance(self, seconds):
        # Clock.advance runs only the calls due when it is called, not the
        # ones they schedule: move in small steps.
        for _ in range(round(seconds / 0.05)):
            self.clock.advance(0.05)

    def small_database(self):
        db = ZODB.DB(None, pool_size=1)
        self.addCleanup(db.close)
        blocker = db.open(transaction_manager=transaction.TransactionManager())
        self.addCleanup(blocker.close)
        return db

    def test_fires_at_once_with_a_fresh_transaction_manager(self):
        d = zc.twist.get_connection(self.db)
        conn = self.outcome(d)
        self.assertIsInstance(conn.transaction_manager,
                              transaction.TransactionManager)
        self.assertIsNot(conn.transaction_manager, transaction.manager)
        conn.close()

    def test_uses_the_given_deferred(self):
        d = defer.Deferred()
        self.assertIs(zc.twist.get_connection(self.db, d), d)
        self.outcome(d).close()

    def test_available_connection_count(self):
        self.assertEqual(zc.twist.availableConnectionCount(self.db),
                         self.db.getPoolSize() - 1)
        self.assertEqual(
            zc.twist.availableConnectionCount(self.small_database()), 0)

    def test_waits_while_the_pool_is_full_and_succeeds_when_it_grows(self):
        db = self.small_database()
        d = zc.twist.get_connection(db, reactor=self.clock)
        [call] = self.clock.getDelayedCalls()
        self.assertTrue(0.0625 <= call.getTime() <= 0.1125, call.getTime())
        self.clock.advance(0.125)
        self.assertFalse(d.called)
        db.setPoolSize(2)
        self.clock.advance(0.25)
        self.outcome(d).close()

    def test_stops_waiting_and_opens_beyond_the_pool_size(self):
        db = self.small_database()
        d = zc.twist.get_connection(db, reactor=self.clock)
        waits = 0
        while not d.called and waits < 20:
            [call] = self.clock.getDelayedCalls()
            self.clock.advance(call.getTime() - self.clock.seconds())
            waits += 1
        self.assertTrue(4 <= waits <= 7, waits)
        self.assertTrue(self.clock.seconds() < 2, self.clock.seconds())
        self.outcome(d).close()

    def test_an_overrun_pool_still_makes_callers_wait(self):
        db = self.small_database()
        extra = db.open(transaction_manager=transaction.TransactionManager())
        self.addCleanup(extra.close)
        self.assertLess(zc.twist.availableConnectionCount(db), 0)
        d = zc.twist.get_connection(db, reactor=self.clock)
        self.assertFalse(d.called)
        self.advance(2)
        self.outcome(d).close()

    def test_partial_waits_for_the_pool_on_its_reactor(self):
        db = self.small_database()
        tm = transaction.TransactionManager()
        conn = db.open(transaction_manager=tm)
        demo = conn.root()['demo'] = Demo()
        tm.commit()
        conn.close()
        partial = zc.twist.Partial(demo).setReactor(self.clock)
        d = partial()
        self.clock.advance(0.125)
        self.assertEqual(partial.attempt_count, 0)
        self.advance(2)
        self.assertEqual(self.outcome(d), 1)

    def test_retry_after_a_conflict_waits_for_the_pool_too(self):
        db = self.small_database()
        tm = transaction.TransactionManager()
        conn = db.open(transaction_manager=tm)
        demo = conn.root()['demo'] = Demo()
        tm.commit()
        conn.close()

        def conflict_once(demo):
            demo.count
            if partial.attempt_count == 1:
                other_tm = transaction.TransactionManager()
                other = db.open(transaction_manager=other_tm)
                other.get(demo._p_oid).count += 100
                other_tm.commit()
                other.close()
            return demo(1)

        partial = zc.twist.Partial(conflict_once, demo).setReactor(self.clock)
        d = partial()
        self.advance(2)  # the first attempt waited, then conflicted
        self.assertEqual(partial.attempt_count, 1)
        self.assertFalse(d.called)
        self.advance(2)  # the retry waited as well
        self.assertEqual(self.outcome(d), 101)
        self.assertEqual(partial.attempt_count, 2)


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


class AdapterTests(DatabaseTestCase):

    def test_connection_walks_up_parents(self):
        child = Demo()
        child.__parent__ = Demo()
        child.__parent__.__parent__ = self.demo
        self.assertIs(zc.twist.connection(child), self.conn)

    def test_connection_is_none_without_a_jar(self):
        orphan = Demo()
        orphan.__parent__ = Demo()
        self.assertIsNone(zc.twist.connection(orphan))

    def test_transaction_manager_needs_no_registration(self):
        self.assertIs(zc.twist.transactionManager(self.demo), self.tm)
        self.assertIsNone(zc.twist.transactionManager(Demo()))

    def test_transaction_manager_through_registered_adapters(self):
        import zope.component
        from transaction.interfaces import ITransactionManager
        from ZODB.interfaces import IConnection
        gsm = zope.component.getGlobalSiteManager()
        gsm.registerAdapter(zc.twist.connection)
        gsm.registerAdapter(zc.twist.transactionManager)
        gsm.registerAdapter(zc.twist.transactionManager, (IConnection,))
        self.addCleanup(gsm.unregisterAdapter, zc.twist.connection)
        self.addCleanup(gsm.unregisterAdapter, zc.twist.transactionManager)
        self.addCleanup(gsm.unregisterAdapter, zc.twist.transactionManager,
                        (IConnection,))
        child = Demo()
        child.__parent__ = self.demo
        self.assertIs(ITransactionManager(child), self.tm)
        self.assertIs(ITransactionManager(self.demo), self.tm)
        self.assertIs(ITransactionManager(self.conn), self.tm)


class NamesTests(unittest.TestCase):

    def test_method_wrapper_type(self):
        self.assertIs(zc.twist.METHOD_WRAPPER_TYPE, type({}.__setitem__))

    def test_get_self(self):
        d = {}
        self.assertIs(zc.twist.get_self(d.__setitem__), d)
        with self.assertRaisesRegex(TypeError, 'method-wrapper'):
            zc.twist.get_self(d.__getitem__)

    def test_explosive_errors(self):
        self.assertEqual(
            set(zc.twist.EXPLOSIVE_ERRORS),
            {SystemExit, KeyboardInterrupt, ZODB.POSException.POSError})

    def test_no_c_extension(self):
        import importlib.util
        self.assertIsNone(importlib.util.find_spec('zc.twist._methodwrapper'))

