"""IToken adapters: the default tokens of common kinds of values.

Tokens must be safe in URLs and form fields and unique within one type of
value: ``'a'`` and ``b'a'`` get the same token, so a source mixing types
needs its own ``getToken``.
"""
import hashlib
from typing import Any

import persistent.interfaces
import ZODB.interfaces
import ZODB.utils
import zope.component
import zope.interface
import zope.interface.interfaces
import zope.proxy

from zc.sourcefactory.interfaces import IToken


def _md5(data: bytes) -> str:
    # Not a security use: FIPS builds refuse MD5 unless told so.
    return hashlib.md5(data, usedforsecurity=False).hexdigest()


@zope.component.adapter(bytes)
@zope.interface.implementer(IToken)
def fromString(value: bytes | str) -> str:
    """The MD5 hex digest of the bytes (a str is UTF-8 encoded first)."""
    if isinstance(value, str):
        value = value.encode('utf-8')
    return _md5(value)


@zope.component.adapter(str)
@zope.interface.implementer(IToken)
def fromUnicode(value: str) -> str:
    """The MD5 hex digest of the UTF-8 encoding."""
    return _md5(value.encode('utf-8'))


@zope.component.adapter(int)
@zope.interface.implementer(IToken)
def fromInteger(value: int) -> str:
    """The number in decimal."""
    return str(value)


@zope.component.adapter(persistent.interfaces.IPersistent)
@zope.interface.implementer(IToken)
def fromPersistent(value: Any) -> str:
    """The object's oid, as ZODB prints it (``'0x01'``).

    Proxies are removed first, so that security-proxied objects work.  A
    new object has no oid yet.  Computing a token never adds it to a
    database: if its parent is stored, a savepoint of the parent's
    transaction gives oids to the new objects the next commit would store
    (and to no others).  An object that still has none is a ValueError
    naming it.
    """
    unproxied = zope.proxy.removeAllProxies(value)
    oid = getattr(unproxied, '_p_oid', None)
    if oid is None:
        oid = _oid_from_savepoint(value, unproxied)
    if oid is None:
        raise ValueError('Can not determine OID for %r' % (value,))
    return ZODB.utils.oid_repr(oid)


def _oid_from_savepoint(value: Any, unproxied: Any) -> Any:
    # Read __parent__ through the proxy: security proxies allow it, and
    # the question is whether the caller may see where the object lives.
    parent = getattr(value, '__parent__', None)
    if parent is None:
        return None
    connection = ZODB.interfaces.IConnection(
        zope.proxy.removeAllProxies(parent), None)
    transaction_manager = getattr(connection, 'transaction_manager', None)
    if transaction_manager is None:
        return None
    # Adding the object to the connection (as zc.sourcefactory 3 did)
    # would store it at the next commit even if it never gets into its
    # container, an orphan written by a mere form display.  A savepoint
    # stores only what the commit would store anyway; optimistic, because
    # other data managers in the transaction need not support rollback.
    transaction_manager.savepoint(optimistic=True)
    return getattr(unproxied, '_p_oid', None)


@zope.component.adapter(zope.interface.interfaces.IInterface)
@zope.interface.implementer(IToken)
def fromInterface(value: Any) -> str:
    """The dotted name of the interface."""
    return f'{value.__module__}.{value.__name__}'
