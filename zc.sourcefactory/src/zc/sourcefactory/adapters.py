"""Adapters of factored sources."""
import zope.component
import zope.interface
import zope.schema.interfaces

from zc.sourcefactory.source import FactoredSource


@zope.component.adapter(FactoredSource)
@zope.interface.implementer(zope.schema.interfaces.ISourceQueriables)
def getSourceQueriables(source):
    """The queriables registered for the source and its factory.

    Queriables are usually specific to a factory class, so they are looked
    up as a multi-adapter of ``(source, source.factory)``.
    """
    return zope.component.queryMultiAdapter(
        (source, source.factory),
        zope.schema.interfaces.ISourceQueriables)
