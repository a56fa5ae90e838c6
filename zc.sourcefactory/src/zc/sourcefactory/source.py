"""The sources that factories create."""
from collections.abc import Iterator
from typing import Any

import zope.interface

from zc.sourcefactory import interfaces
from zc.sourcefactory._index import TokenIndex


@zope.interface.implementer(interfaces.IFactoredSource)
class FactoredSource:
    """A source whose values come from a factory.

    Every container operation goes through ``_get_filtered_values``, the
    extension point for subclasses.  Without an index the values are read
    again for every operation, so changes of the underlying data show up at
    once; with the factory's ``token_index`` they are read once into an
    index (see ``IIndexedSource``).
    """

    factory = None
    _index = None
    _wants_index = False

    def __init__(self, factory: Any) -> None:
        self.factory = factory
        # Factories not derived from our base classes have neither option.
        if getattr(factory, 'token_index', False):
            self._wants_index = True
            zope.interface.alsoProvides(self, interfaces.IIndexedSource)
        if getattr(factory, 'searchable', False):
            zope.interface.alsoProvides(self, interfaces.ISearchableSource)

    def _get_filtered_values(self) -> Iterator[Any]:
        for value in self.factory.getValues():
            if self.factory.filterValue(value):
                yield value

    def _get_token(self, value: Any) -> str:
        return self.factory.getToken(value)

    def _search(self, query: str) -> Iterator[Any]:
        factory = self.factory
        candidates = factory.searchValues(query)
        if candidates is None:
            # Through the source itself, so that a subclass's
            # _get_filtered_values (or a built index) decides the values.
            values = iter(self)
        else:
            values = (value for value in candidates
                      if factory.filterValue(value))
        for value in values:
            if factory.matchesQuery(value, query):
                yield value

    def _indexed(self) -> TokenIndex | None:
        """The token index, built on first use; None when not opted in."""
        if not self._wants_index:
            return None
        index = self._index
        if index is None:
            index = self._index = TokenIndex(
                self._get_filtered_values(), self._get_token)
        return index

    def __iter__(self) -> Iterator[Any]:
        index = self._indexed()
        if index is None:
            return self._get_filtered_values()
        return iter(index.values)

    def __len__(self) -> int:
        index = self._indexed()
        if index is None:
            return sum(1 for value in self._get_filtered_values())
        return len(index)

    def __contains__(self, value: Any) -> bool:
        index = self._indexed()
        if index is None:
            return any(value == candidate
                       for candidate in self._get_filtered_values())
        return value in index

    def __bool__(self) -> bool:
        # One value decides it: a huge source must not be read (or indexed)
        # just to know that it is not empty.
        if self._index is not None:
            return bool(self._index.values)
        for value in self._get_filtered_values():
            return True
        return False

    def getValueByToken(self, token: str) -> Any:
        """The value whose token is `token`; KeyError naming it if none.

        Indexed sources answer from the index; others compare the token of
        each value in turn and return the first that matches.
        """
        index = self._indexed()
        if index is None:
            for value in self:
                if self._get_token(value) == token:
                    return value
        else:
            try:
                return index.value_of(token)
            except (KeyError, TypeError):  # TypeError: unhashable token
                pass
        raise KeyError("No value with token '%s'" % (token,))

    def refresh(self) -> None:
        """Forget the token index; the next lookup reads the values again."""
        self._index = None

    def search(self, query: str) -> Iterator[Any]:
        """An iterator over the values whose titles match `query`.

        Every word of the query must occur in the title, ignoring case; a
        factory can narrow the candidates (``searchValues``) or change the
        matching (``matchesQuery``).
        """
        if not isinstance(query, str):
            raise TypeError(f'a search query must be a string, not {query!r}')
        return self._search(query)


@zope.interface.implementer(interfaces.IContextualSource)
class FactoredContextualSource(FactoredSource):
    """A factored source bound to a context.

    Contextual sources are made per binding (usually per request), so an
    index built by one lives as long as that request's form.
    """

    context = None

    def __init__(self, factory: Any, context: Any) -> None:
        super().__init__(factory)
        self.context = context
        self.__parent__ = context

    def _get_filtered_values(self) -> Iterator[Any]:
        for value in self.factory.getValues(self.context):
            if self.factory.filterValue(self.context, value):
                yield value

    def _get_token(self, value: Any) -> str:
        return self.factory.getToken(self.context, value)

    def _search(self, query: str) -> Iterator[Any]:
        factory, context = self.factory, self.context
        candidates = factory.searchValues(context, query)
        if candidates is None:
            values = iter(self)
        else:
            values = (value for value in candidates
                      if factory.filterValue(context, value))
        for value in values:
            if factory.matchesQuery(context, value, query):
                yield value
