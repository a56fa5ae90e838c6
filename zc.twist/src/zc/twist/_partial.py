"""Partial: a call run in a fresh connection, committed, retried."""
import transaction
import transaction.interfaces
import twisted.python.failure
import ZODB.POSException
import zope.interface
from twisted.internet import defer
from twisted.python import log

from zc.twist._connection import _global_reactor
from zc.twist._connection import get_connection
from zc.twist._failure import Failure
from zc.twist._failure import sanitize
from zc.twist._reference import Reference
from zc.twist._reference import _resolve
from zc.twist.interfaces import IDeferredReference
from zc.twist.interfaces import IPartial

try:
    from ZEO.Exceptions import ClientDisconnected
except ImportError:  # ZEO is optional
    class ClientDisconnected(Exception):
        """Stands in for ZEO's exception when ZEO is absent; never raised."""

#: Errors that a Partial reports and then raises again instead of only
#: reporting them: the process should stop, or the storage is in trouble.
EXPLOSIVE_ERRORS = (SystemExit, KeyboardInterrupt, ZODB.POSException.POSError)


def _abort_and_close(tm, conn):
    # The outcome is reported on the Partial's Deferred already; a failing
    # cleanup must not hide it, but must not go unnoticed either.
    try:
        tm.abort()
    except Exception:
        log.err(None, 'zc.twist: aborting a failed attempt failed')
    try:
        conn.close()
    except Exception:
        log.err(None, 'zc.twist: closing the connection of an attempt failed')


def _unlink_explosive_error(failure):
    # An explosive error, raised again by an attempt, ends here and is
    # logged as unhandled when this Deferred is collected.  Its traceback
    # would keep the attempt's frames alive, and the exception object is
    # shared with the sanitized failure the caller got; cutting it lets the
    # failure hold reprs only, and the Deferred go (and be logged) at once.
    failure.cleanFailure()
    return failure


@zope.interface.implementer(IPartial)
class Partial:
    """A callable plus arguments, called in a fresh connection and committed.

    Persistent objects with a connection (and their methods), given as the
    callable or as top-level arguments, at construction or at call time,
    are remembered by object id and loaded again in each attempt's own
    connection.  With no such object the call is passed straight through.
    """

    attempt_count = 0
    transaction_error_count = 0
    max_transaction_errors = 5
    backoff = None
    initial_backoff = 5
    backoff_increment = 5
    max_backoff = 60
    _reactor = None

    def __init__(self, call, *args, **kwargs):
        self.call = Reference(call)
        self.args = [Reference(a) for a in args]
        self.kwargs = {k: Reference(v) for k, v in kwargs.items()}

    def __repr__(self):
        return f'<{type(self).__name__} {self.call!r}>'

    def setReactor(self, reactor):
        """Schedule waits and retries with ``reactor``; return the Partial."""
        self._reactor = reactor
        return self

    def getReactor(self):
        """The reactor set with ``setReactor``, else the global reactor."""
        if self._reactor is None:
            return _global_reactor()
        return self._reactor

    def __call__(self, *args, **kwargs):
        """Call with the stored arguments followed by these ones.

        Returns a Deferred firing with the result after a successful commit
        (or failing with a sanitized ``Failure``); returns the callable's
        result directly when no persistent object is involved.
        """
        self.args.extend(Reference(a) for a in args)
        self.kwargs.update((k, Reference(v)) for k, v in kwargs.items())
        db = self._database()
        if db is None:
            return self.call(*self.args, **self.kwargs)
        d = defer.Deferred()
        self._connect(db, d)
        return d

    def _database(self):
        for value in (self.call, *self.args, *self.kwargs.values()):
            if IDeferredReference.providedBy(value):
                return value.db
        return None

    def _connect(self, db, d):
        """Get a connection and run attempts until none asks for a retry.

        Retries after transaction errors start at once, in the same call
        when the pool has room; looping here instead of recursing keeps the
        stack flat however many retries it takes.
        """
        while True:
            # The reactor stays unresolved unless set: get_connection looks
            # the global one up only if it has to wait.
            attempt = get_connection(db, reactor=self._reactor).addCallbacks(
                self._attempt, d.errback, callbackArgs=(db, d))
            attempt.addErrback(_unlink_explosive_error)
            if not attempt.called:
                # Waiting for the pool: continue when a connection comes.
                attempt.addCallback(self._retry_if_asked, db, d)
                return
            retry = []
            attempt.addCallback(retry.append)
            if retry != [True]:
                return

    def _retry_if_asked(self, retry, db, d):
        if retry:
            self._connect(db, d)

    def _attempt(self, conn, db, d):
        """Run one attempt in ``conn``; return True to ask for a retry now."""
        self.attempt_count += 1
        tm = conn.transaction_manager
        try:
            tm.begin()
            call = _resolve(self.call, conn)
            args = [_resolve(a, conn) for a in self.args]
            kwargs = {k: _resolve(v, conn) for k, v in self.kwargs.items()}
            result = call(*args, **kwargs)
            tm.commit()
        except ClientDisconnected:
            # Tested first: in ZEO 5+ it is also a TransientError and a
            # POSError, but a lost server is worth waiting for, forever.
            _abort_and_close(tm, conn)
            if self.backoff is None:
                self.backoff = self.initial_backoff
            else:
                self.backoff = min(self.backoff + self.backoff_increment,
                                   self.max_backoff)
            self.getReactor().callLater(self.backoff, self._connect, db, d)
        except transaction.interfaces.TransactionError:
            self.transaction_error_count += 1
            _abort_and_close(tm, conn)
            if (self.max_transaction_errors is not None and
                    self.transaction_error_count >=
                    self.max_transaction_errors):
                d.errback(Failure())
            else:
                return True
        except EXPLOSIVE_ERRORS:
            failure = Failure()
            _abort_and_close(tm, conn)
            d.errback(failure)
            raise
        except BaseException:
            failure = Failure()
            _abort_and_close(tm, conn)
            d.errback(failure)
        else:
            conn.close()
            if isinstance(result, twisted.python.failure.Failure):
                d.errback(sanitize(result))
            elif isinstance(result, defer.Deferred):
                result.chainDeferred(d)
            else:
                d.callback(result)



# Partials are stored in databases (e.g. in queues of work); their pickles
# name this path.
Partial.__module__ = 'zc.twist'
