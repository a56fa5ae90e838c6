"""Deferred references to persistent objects and their methods."""
import unittest

import transaction
import ZODB
from twisted.internet import defer

import zc.twist
from zc.twist.tests.support import DatabaseTestCase
from zc.twist.tests.support import Demo


class ReferenceTests(DatabaseTestCase):

    def test_persistent_callable_is_loaded_and_called_in_a_fresh_connection(self):
        d = zc.twist.Partial(self.demo)()
        self.assertEqual(self.outcome(d), 1)
        self.assertEqual(self.fresh(self.demo).count, 1)

    def test_method_of_a_persistent_object_is_loaded_and_called(self):
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


class NamesTests(unittest.TestCase):

    def test_method_wrapper_type_is_that_of_slot_wrappers(self):
        self.assertIs(zc.twist.METHOD_WRAPPER_TYPE, type({}.__setitem__))

    def test_get_self_returns_the_bound_object_or_raises_TypeError(self):
        d = {}
        self.assertIs(zc.twist.get_self(d.__setitem__), d)
        with self.assertRaisesRegex(TypeError, 'method-wrapper'):
            zc.twist.get_self(d.__getitem__)
