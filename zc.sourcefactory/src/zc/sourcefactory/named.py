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
        registered = zope.component.getUtility(
            interfaces.INamedSource, name=self.name)
        # Usually a factory class; a source or a binder made from one
        # (a factory "instance") is used as it is.
        if zope.schema.interfaces.ISource.providedBy(registered):
            return registered
        if zope.schema.interfaces.IContextSourceBinder.providedBy(registered):
            return registered(context)
        source = registered()
        if zope.schema.interfaces.IContextSourceBinder.providedBy(source):
            source = source(context)
        return source
