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

    A new object has no oid yet.  If its parent is stored in a database,
    the object is added to the parent's connection to get one (it is
    written at the next commit, as it would be once it is in its
    container); otherwise ValueError.  Proxies are removed first, so that
    security-proxied objects work.
    """
    unproxied = zope.proxy.removeAllProxies(value)
    oid = getattr(unproxied, '_p_oid', None)
    if oid is None:
        connection = _parent_connection(value)
        if connection is None:
            raise ValueError('Can not determine OID for %r' % (value,))
        connection.add(unproxied)
        oid = unproxied._p_oid
    return ZODB.utils.oid_repr(oid)


def _parent_connection(value: Any) -> Any:
    # Read __parent__ through the proxy: security proxies allow it, and
    # the question is whether the caller may see where the object lives.
    parent = getattr(value, '__parent__', None)
    if parent is None:
        return None
    return ZODB.interfaces.IConnection(
        zope.proxy.removeAllProxies(parent), None)


@zope.component.adapter(zope.interface.interfaces.IInterface)
@zope.interface.implementer(IToken)
def fromInterface(value: Any) -> str:
    """The dotted name of the interface."""
    return f'{value.__module__}.{value.__name__}'
