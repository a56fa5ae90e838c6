"""Connections for a Partial's attempts: the pool, waiting and opening."""
import random

import transaction
import ZODB.POSException
from twisted.internet import defer

from zc.twist._failure import Failure


def availableConnectionCount(db):
    """How many connections ``db`` can open without exceeding its pool size.

    Idle pooled connections plus the room left in the pool; zero or less
    means a caller should wait.
    """
    pool = db.pool
    return len(pool.available) + db.getPoolSize() - len(pool.all)


def _global_reactor():
    from twisted.internet import reactor
    return reactor


def get_connection(db, deferred=None, backoff=0, reactor=None):
    """Return a Deferred that fires with a new connection to ``db``.

    The connection has a brand-new, non-thread-local transaction manager.
    While the pool is full the call retries a few times, each time after a
    slightly longer random delay, then opens beyond the pool size anyway
    (ZODB only warns).  When the pool has room, the Deferred has fired
    before this returns.  A closed database errbacks the Deferred with a
    ``ZODB.POSException.ConnectionStateError``.
    """
    if deferred is None:
        deferred = defer.Deferred()
    backoff += random.random() / 20 + 1 / 16
    if backoff < .5 and availableConnectionCount(db) <= 0:
        if reactor is None:
            reactor = _global_reactor()
        reactor.callLater(backoff, get_connection, db, deferred, backoff,
                          reactor)
        return deferred
    try:
        conn = db.open(transaction_manager=transaction.TransactionManager())
    except Exception:
        if _is_closed(db):
            # ZODB itself fails with an obscure AttributeError here.
            deferred.errback(Failure(ZODB.POSException.ConnectionStateError(
                f'cannot open a connection: the database {db!r} is closed')))
        else:
            deferred.errback(Failure())
    else:
        deferred.callback(conn)
    return deferred


def _is_closed(db):
    # Closing a database makes it forget every database, itself included.
    databases = getattr(db, 'databases', None)
    return (isinstance(databases, dict) and
            databases.get(getattr(db, 'database_name', None)) is not db)
