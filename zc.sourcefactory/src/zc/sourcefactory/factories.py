"""The factory base classes: calling the class gives a source, not a factory.

A factory is a configuration object that lives as long as the process (it is
usually stored on a schema field through its source), so calling the class
creates the factory object once and hands back the source built around it.
"""
import copyreg
from typing import Any

import zope.interface
import zope.schema.interfaces

from zc.sourcefactory import interfaces
from zc.sourcefactory import source


def _make_factory(cls: type, args: tuple, kw: dict) -> Any:
    # Bypass type.__call__: it would return the factory, not the source.
    factory = object.__new__(cls)
    factory.__init__(*args, **kw)
    return factory


@zope.interface.implementer(interfaces.ISourceFactory)
class BasicSourceFactory:
    """Base class of source factories; calling it returns the source."""

    source_class = source.FactoredSource

    # Opt-in options, read by the source.  token_index: answer token
    # lookups, ``in`` and ``len`` from an index built once per source.
    # searchable: declare ISearchableSource for autocompletion widgets.
    token_index = False
    searchable = False

    def __new__(cls, *args: Any, **kw: Any) -> Any:
        return cls.source_class(_make_factory(cls, args, kw))

    def __init__(self) -> None:
        # object.__init__ would silently accept arguments here (because
        # __new__ is overridden); a factory that takes none must say so.
        pass

    def __reduce_ex__(self, protocol: Any) -> tuple:
        # Copies and pickles re-create an object by calling cls.__new__,
        # which for a factory makes a source: deepcopy() of a Choice field
        # would give a source whose factory is a source.  Re-create the
        # factory the way pickle protocols 0 and 1 do, without __new__;
        # the object's state is restored as usual, __init__ is not run.
        state = super().__reduce_ex__(protocol)[2:]
        return (copyreg._reconstructor, (type(self), object, None)) + state


class ContextualSourceFactory(BasicSourceFactory):
    """Base class of contextual source factories; calling it returns a binder.
    """

    source_class = source.FactoredContextualSource

    def __new__(cls, *args: Any, **kw: Any) -> Any:
        return FactoredContextualSourceBinder(
            _make_factory(cls, args, kw), cls.source_class)


@zope.interface.implementer(zope.schema.interfaces.IContextSourceBinder)
class FactoredContextualSourceBinder:
    """Binds a contextual factory's source to a context."""

    def __init__(self, factory: Any, source_class: type) -> None:
        self.factory = factory
        self.source_class = source_class

    def __call__(self, context: Any, *args: Any, **kwargs: Any) -> Any:
        return self.source_class(self.factory, context, *args, **kwargs)
