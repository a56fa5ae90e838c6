"""The connection and transactionManager adapters."""

import zc.twist
from zc.twist.tests.support import DatabaseTestCase
from zc.twist.tests.support import Demo


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


