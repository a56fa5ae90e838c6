"""The TALES expression type ``resource_library:``.

``<tal:block replace="resource_library:my-lib"/>`` in a page template
needs the library ``my-lib`` and renders as nothing.
"""
from zope.tales.expressions import StringExpr

from zc.resourcelibrary.resourcelibrary import need

__all__ = ['ResourceLibraryExpression']


class ResourceLibraryExpression(StringExpr):
    """Need the library named by the expression text; evaluate to ''."""

    def __call__(self, econtext):
        need(self._s.strip())
        return ''
