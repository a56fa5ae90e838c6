"""Sources named by a string, looked up as utilities when bound."""
from typing import Any

import zope.component
import zope.interface
import zope.schema.interfaces

from zc.sourcefactory import interfaces


@zope.interface.implementer(zope.schema.interfaces.IContextSourceBinder)
class NamedSource:
    """Binds the source factory registered for INamedSource under `name`.

    The lookup happens at binding time, so a schema can name a source that
    an application registers later (or overrides).
    """

    def __init__(self, name: str) -> None:
        self.name = name

    def __call__(self, context: Any) -> Any:
        factory = zope.component.getUtility(
            interfaces.INamedSource, name=self.name)
        source = factory()
        if zope.schema.interfaces.IContextSourceBinder.providedBy(source):
            source = source(context)
        return source
