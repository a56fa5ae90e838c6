"""Deferred references: a persistent object, or its method, to load again
in another connection."""
import types

import persistent
import zope.interface
from persistent.interfaces import IPersistent

from zc.twist.interfaces import IDeferredReference

#: The type of slot method-wrappers such as ``{}.__setitem__``.
METHOD_WRAPPER_TYPE = type({}.__setitem__)


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



# Instances may be stored with a Partial; their pickles name this path.
DeferredReferenceToPersistent.__module__ = 'zc.twist'

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
