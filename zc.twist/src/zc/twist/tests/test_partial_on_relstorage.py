"""Partials on RelStorage (PostgreSQL): retried across a conflict.

RelStorage resolves conflicts in the committing client, so what a Partial
sees there differs from ZEO, where the server resolves them.  The server
is a throwaway PostgreSQL cluster from zc.queue.testing.  No reactor runs:
with room in the connection pool, a Partial attempts, and retries after a
transaction error, within the call.
"""
import unittest

import persistent
import transaction
from ZODB.POSException import ConflictError

import zc.queue
import zc.twist
from zc.queue.testing import PostgreSQLLayer


class Counter(persistent.Persistent):
    """A counter that cannot merge concurrent changes."""

    value = 0


def outcome(deferred):
    """What ``deferred`` fired with; it must have fired already."""
    results = []
    deferred.addBoth(results.append)
    if not results:
        raise AssertionError(f'{deferred!r} has not fired')
    return results[0]


class PartialOnRelStorageTests(unittest.TestCase):

    layer = PostgreSQLLayer
    keep_history = False

    def setUp(self):
        self.db = PostgreSQLLayer.server.relstorage_db(self.keep_history)
        self.addCleanup(self.db.close)
        self.tm = transaction.TransactionManager()
        self.connection = self.db.open(transaction_manager=self.tm)
        self.addCleanup(self.connection.close)

    def store(self, name, obj):
        self.connection.root()[name] = obj
        self.tm.commit()
        return obj

    def commit_elsewhere(self, change):
        """Run ``change(root)`` in another connection and commit it."""
        tm = transaction.TransactionManager()
        connection = self.db.open(transaction_manager=tm)
        try:
            change(connection.root())
            tm.commit()
        finally:
            connection.close()

    def read(self, name, attribute):
        self.tm.begin()
        return attribute(self.connection.root()[name])

    def test_partial_retries_after_a_conflict_and_keeps_both_changes(self):
        counter = self.store('counter', Counter())

        def add(counter, amount):
            counter.value += amount
            if partial.attempt_count == 1:
                # Meanwhile another client changes the same record.
                def bump(root):
                    root['counter'].value += 100
                self.commit_elsewhere(bump)
            return counter.value

        partial = zc.twist.Partial(add, counter, 1)
        self.assertEqual(outcome(partial()), 101)
        self.assertEqual(partial.attempt_count, 2)
        self.assertEqual(partial.transaction_error_count, 1)
        self.assertEqual(self.read('counter', lambda c: c.value), 101)

    def test_partial_gives_up_after_max_transaction_errors(self):
        counter = self.store('counter', Counter())

        def add(counter):
            counter.value += 1

            def bump(root):
                root['counter'].value += 100
            self.commit_elsewhere(bump)

        partial = zc.twist.Partial(add, counter)
        partial.max_transaction_errors = 3
        failure = outcome(partial())
        self.assertIsNotNone(failure.check(ConflictError))
        self.assertEqual(partial.attempt_count, 3)
        self.assertEqual(self.read('counter', lambda c: c.value), 300)

    def test_partial_pulling_from_a_queue_merges_without_a_retry(self):
        jobs = self.store('jobs', zc.queue.CompositeQueue(2))
        for job in ['a', 'b', 'c', 'd']:
            jobs.put(job)
        self.tm.commit()

        def take(jobs):
            job = jobs.pull()
            if partial.attempt_count == 1:
                # Another client takes the last job and adds one: the
                # RelStorage client merges both changes when committing.
                def other(root):
                    root['jobs'].pull(-1)
                    root['jobs'].put('e')
                self.commit_elsewhere(other)
            return job

        partial = zc.twist.Partial(take, jobs)
        self.assertEqual(outcome(partial()), 'a')
        self.assertEqual(partial.attempt_count, 1)
        self.assertEqual(self.read('jobs', list), ['b', 'c', 'e'])


class PartialOnHistoryPreservingRelStorageTests(PartialOnRelStorageTests):

    keep_history = True
