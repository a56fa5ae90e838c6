"""Change ZODB objects from Twisted reactor calls and Deferred callbacks.

``Partial`` wraps a callable and its arguments.  Calling it opens a fresh
connection with its own transaction manager, loads every persistent
argument again in that connection, calls, commits, closes the connection
and reports the outcome on a Deferred.  Conflicts are retried, ZEO
disconnects are retried after a growing delay, and failures arrive
sanitized: they hold reprs only, never live frames, connections or
persistent objects, and they pickle small.

The global reactor is looked up only when something must be scheduled:
importing this module must not install a reactor, or an application could
no longer choose e.g. the asyncio reactor.
"""
import random
import types

import persistent
import transaction
import transaction.interfaces
import twisted.python.failure
import ZODB.interfaces
import ZODB.POSException
import zope.component
import zope.interface
from persistent.interfaces import IPersistent
from twisted.internet import defer
from twisted.python import log
from twisted.python import reflect

from zc.twist.interfaces import IDeferredReference
from zc.twist.interfaces import IPartial

try:
    from ZEO.Exceptions import ClientDisconnected
except ImportError:  # ZEO is optional
    class ClientDisconnected(Exception):
        """Stands in for ZEO's exception when ZEO is absent; never raised."""

__all__ = [
    'Partial', 'get_connection', 'availableConnectionCount', 'Failure',
    'sanitize', 'truncate', 'METHOD_WRAPPER_TYPE', 'get_self',
    'EXPLOSIVE_ERRORS', 'IDeferredReference', 'IPartial', 'DeferredReferenceToPersistent',
    'Reference', 'connection', 'transactionManager',
]

#: The type of slot method-wrappers such as ``{}.__setitem__``.
METHOD_WRAPPER_TYPE = type({}.__setitem__)

#: Errors that a Partial reports and then raises again instead of only
#: reporting them: the process should stop, or the storage is in trouble.
EXPLOSIVE_ERRORS = (SystemExit, KeyboardInterrupt, ZODB.POSException.POSError)

# The length a local variable's repr is cut to when a failure is pickled.
_REPR_LIMIT = 21


def get_self(wrapper):
    """Return the object a method-wrapper (like ``obj.__setitem__``) is bound to.

    Raises TypeError for anything that is not a method-wrapper.
    """
    if not isinstance(wrapper, METHOD_WRAPPER_TYPE):
        raise TypeError(
            f'get_self() expected a method-wrapper such as '
            f'{{}}.__setitem__, got {wrapper!r} of type '
            f'{type(wrapper).__name__}')
    return wrapper.__self__


def truncate(s):
    """Cut a repr longer than 21 characters to 21 characters plus ``[...]``."""
    if len(s) > _REPR_LIMIT:
        return s[:_REPR_LIMIT] + '[...]'
    return s


# ---------------------------------------------------------------------------
# Failures

def _clear_tracebacks(value):
    """Drop the tracebacks of an exception and of the exceptions it chains.

    They are what would keep frames, and with them connections and
    persistent objects, alive.
    """
    seen = set()
    while isinstance(value, BaseException) and id(value) not in seen:
        seen.add(id(value))
        value.__traceback__ = None
        value = value.__cause__ or value.__context__


def _safe_reprs(items):
    return [(name, reflect.safe_repr(obj)) for name, obj in items]


class Failure(twisted.python.failure.Failure):
    """A Twisted failure that keeps reprs only, and pickles small.

    The constructor takes Twisted's arguments, but captures the local and
    global variables of the frames by default.  Right after construction
    the variables are replaced by their reprs, the traceback is dropped
    (``tb`` is None, ``value.__traceback__`` is cleared), so the failure
    keeps nothing alive.  A pickled copy also leaves out the globals and
    cuts each local's repr to 21 characters plus ``[...]``.
    """

    #: True for a failure that went through pickling.
    sanitized = False

    def __init__(self, exc_value=None, exc_type=None, exc_tb=None,
                 captureVars=True):
        super().__init__(exc_value, exc_type, exc_tb, captureVars)
        self._keep_reprs_only()

    def _keep_reprs_only(self):
        # Frames computed from a live traceback hold objects; frames without
        # a traceback came from a cleaned or unpickled failure and already
        # hold reprs, which must not be repr'd a second time.
        live = self.tb is not None
        frames = []
        for name, filename, lineno, localz, globalz in self.frames:
            if live:
                localz = _safe_reprs(localz)
                globalz = _safe_reprs(globalz)
            frames.append((name, filename, lineno, list(localz),
                           list(globalz)))
        self.parents  # computed while the type is at hand; it is cached
        self._frames = frames
        self.tb = None
        self.__dict__.pop('stack', None)
        _clear_tracebacks(self.value)

    def cleanFailure(self):
        """Do nothing: the failure holds no live objects already."""

    def __getstate__(self):
        """The state a pickled copy gets: small, without globals or long reprs."""
        state = self.__dict__.copy()
        state['parents'] = state.pop('_parents', None) or list(self.parents)
        frames = state.pop('_frames', [])
        if not self.sanitized:
            frames = [
                (name, filename, lineno,
                 [(var, truncate(text)) for var, text in localz],
                 [])
                for name, filename, lineno, localz, globalz in frames]
        state['frames'] = frames
        state['stack'] = []
        state['tb'] = None
        state['pickled'] = 1
        state['sanitized'] = True
        return state

    def __setstate__(self, state):
        state = dict(state)
        state.pop('stack', None)
        # In current Twisted, frames and parents are properties backed by
        # these attributes; stored under their own names they would vanish.
        state['_parents'] = state.pop('parents', None)
        state['_frames'] = state.pop('frames', [])
        self.__dict__.update(state)

    def __reduce__(self):
        # Twisted's __reduce__ names its own class; keep ours.
        return (_new_failure, (type(self),), self.__getstate__())


def _new_failure(cls):
    return cls.__new__(cls)


def sanitize(failure):
    """Return a zc.twist ``Failure`` for a Twisted failure.

    Ours are returned as they are.  Any other failure is copied without
    raising anything: same type, same exception object, the same frames
    with whatever variables it had captured, turned into reprs, and no
    traceback.
    """
    if isinstance(failure, Failure):
        return failure
    result = Failure.__new__(Failure)
    result.__dict__.update(failure.__dict__)
    if '_frames' not in result.__dict__:
        result._frames = list(failure.frames)
    result._keep_reprs_only()
    return result


# ---------------------------------------------------------------------------
# References to persistent objects

def _jar(obj):
    """The connection of a persistent object, or None; never loads it."""
    if isinstance(obj, persistent.Persistent) or IPersistent.providedBy(obj):
        return obj._p_jar
    return None


class DeferredReferenceToPersistent:
    """Internal: a persistent object, or its method, to load in another connection.

    Use ``Reference`` to decide whether a value needs one; a Partial does
    that for its callable and arguments.
    """

    def __init__(self, obj):
        name = None
        if isinstance(obj, (types.MethodType, METHOD_WRAPPER_TYPE,
                            types.BuiltinMethodType)):
            name = obj.__name__
            obj = obj.__self__
        jar = _jar(obj)
        if jar is None:
            raise ValueError(
                f'DeferredReferenceToPersistent needs a persistent object '
                f'with a connection (or a method of one), got {obj!r}')
        self.db = jar.db()
        self.database_name = self.db.database_name
        self.oid = obj._p_oid
        self.name = name

    def __call__(self, conn):
        """Load the object in ``conn``, through a multi-database sibling if needed."""
        if self.database_name != conn.db().database_name:
            conn = conn.get_connection(self.database_name)
        obj = conn.get(self.oid)
        if self.name is not None:
            obj = getattr(obj, self.name)
        return obj

    def __repr__(self):
        method = '' if self.name is None else f'.{self.name}'
        return (f'<{type(self).__name__} oid={self.oid!r}{method} '
                f'database={self.database_name!r}>')


zope.interface.classImplements(DeferredReferenceToPersistent,
                               IDeferredReference)


def _is_reference_candidate(obj):
    if isinstance(obj, (types.MethodType, METHOD_WRAPPER_TYPE)):
        return _jar(obj.__self__) is not None
    if isinstance(obj, types.BuiltinMethodType):
        owner = obj.__self__
        # Built-in functions are bound to their module.
        return (owner is not None and not isinstance(owner, types.ModuleType)
                and _jar(owner) is not None)
    return _jar(obj) is not None


def Reference(obj):
    """Return a deferred reference for a jarred persistent object or its method.

    Anything else is returned as it is.
    """
    if _is_reference_candidate(obj):
        return DeferredReferenceToPersistent(obj)
    return obj


def _resolve(value, conn):
    if isinstance(value, DeferredReferenceToPersistent) or (
            IDeferredReference.providedBy(value)):
        return value(conn)
    return value


# ---------------------------------------------------------------------------
# Connections

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


# ---------------------------------------------------------------------------
# Partial

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


# ---------------------------------------------------------------------------
# Adapters

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
