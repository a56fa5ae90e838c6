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
# The implementation lives in private modules, one idea each; these are the
# public names.  Failure, Partial and DeferredReferenceToPersistent keep
# ``zc.twist`` as their module, the path their pickles name.
from zc.twist._adapters import connection
from zc.twist._adapters import transactionManager
from zc.twist._connection import availableConnectionCount
from zc.twist._connection import get_connection
from zc.twist._failure import Failure
from zc.twist._failure import _new_failure  # noqa: F401 (named by pickles)
from zc.twist._failure import sanitize
from zc.twist._failure import truncate
from zc.twist._partial import EXPLOSIVE_ERRORS
from zc.twist._partial import Partial
from zc.twist._reference import METHOD_WRAPPER_TYPE
from zc.twist._reference import DeferredReferenceToPersistent
from zc.twist._reference import Reference
from zc.twist._reference import get_self
from zc.twist.interfaces import IDeferredReference
from zc.twist.interfaces import IPartial

__all__ = [
    'Partial', 'get_connection', 'availableConnectionCount', 'Failure',
    'sanitize', 'truncate', 'METHOD_WRAPPER_TYPE', 'get_self',
    'EXPLOSIVE_ERRORS', 'IDeferredReference', 'IPartial',
    'DeferredReferenceToPersistent', 'Reference', 'connection',
    'transactionManager',
]
