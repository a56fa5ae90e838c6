"""Adapters from persistent objects to their connection and transaction manager."""
import transaction.interfaces
import ZODB.interfaces
import zope.component
import zope.interface
from persistent.interfaces import IPersistent


@zope.component.adapter(IPersistent)
@zope.interface.implementer(ZODB.interfaces.IConnection)
def connection(ob):
    """The connection of ``ob`` or of its nearest ``__parent__`` that has one."""
    seen = set()
    while ob is not None and id(ob) not in seen:
        seen.add(id(ob))
        jar = getattr(ob, '_p_jar', None)
        if jar is not None:
            return jar
        ob = getattr(ob, '__parent__', None)
    return None


@zope.component.adapter(IPersistent)
@zope.interface.implementer(transaction.interfaces.ITransactionManager)
def transactionManager(obj):
    """The transaction manager of the connection ``obj`` belongs to.

    Uses an ``IConnection`` adapter when one is registered (a connection
    provides ``IConnection`` itself), else ``connection()``; needs no
    registration.  Returns None for an object with no connection.
    """
    conn = ZODB.interfaces.IConnection(obj, None)
    if conn is None:
        conn = connection(obj)
    if conn is None:
        return None
    return conn.transaction_manager
