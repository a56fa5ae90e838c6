"""get_connection and the connection pool, on a task.Clock."""
import transaction
import ZODB
from twisted.internet import defer

import zc.twist
from zc.twist.tests.support import DatabaseTestCase
from zc.twist.tests.support import Demo


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


