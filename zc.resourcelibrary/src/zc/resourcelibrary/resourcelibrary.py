"""The registry of resource libraries and ``need()``.

``library_info`` maps a library name to its ``LibraryInfo``.  It is public:
the ZCML directive and ``zc.resourcelibrary.register`` fill it, and tests
and tools may read it or delete entries (deleting one forgets the library,
so that it can be declared again with other files).  Every lookup goes
through this module's attribute at call time, so code that rebinds
``library_info`` to another dict is honoured.
"""
from __future__ import annotations

import contextvars

import zope.security.management
from zope.interface import implementer
from zope.publisher.interfaces import IRequest

from zc.resourcelibrary.interfaces import ILibraryInfo

__all__ = ['LibraryInfo', 'library_info', 'getRequest', 'need',
           'getRequired', 'getIncluded']


@implementer(ILibraryInfo)
class LibraryInfo:
    """What is known about one library; see ``ILibraryInfo``."""

    def __init__(self) -> None:
        self.included: list[str] = []
        self.required: list[str] = []
        # Not part of the original API: where the files live (for the WSGI
        # middleware) and per-file loading attributes of scripts.
        self.directory: str | None = None
        self.loading: dict[str, tuple[str, ...]] = {}

    def __repr__(self) -> str:
        return (f'<LibraryInfo included={self.included!r} '
                f'required={self.required!r}>')


library_info: dict[str, LibraryInfo] = {}

try:
    import zope.testing.cleanup
except ImportError:  # zope.testing is only a test dependency
    pass
else:
    zope.testing.cleanup.addCleanUp(library_info.clear)

#: The needs of the request being handled by the WSGI middleware, if any.
#: A context variable, so that requests served at the same time in threads
#: or asyncio tasks each see their own list.
needed: contextvars.ContextVar[list[str] | None] = contextvars.ContextVar(
    'zc.resourcelibrary.needed', default=None)


def getRequest():
    """The request of the current zope.security interaction, or None."""
    interaction = zope.security.management.queryInteraction()
    if interaction is None:
        return None
    for participation in interaction.participations:
        if IRequest.providedBy(participation):
            return participation
    return None


def need(name: str) -> None:
    """Record that the page being rendered needs the library ``name``.

    Outside a request (no middleware collector, no interaction with a
    request that has ``resource_libraries``) this does nothing.  The name is
    checked only when the response is produced.
    """
    libraries = needed.get()
    if libraries is None:
        request = getRequest()
        libraries = getattr(request, 'resource_libraries', None)
        if libraries is None:
            return
    if name not in libraries:
        libraries.append(name)


def getRequired(name: str) -> list[str]:
    """The names of the libraries ``name`` depends on (KeyError if unknown)."""
    return library_info[name].required


def getIncluded(name: str) -> list[str]:
    """The file names ``name`` references from pages (KeyError if unknown)."""
    return library_info[name].included
