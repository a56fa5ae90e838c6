"""``typing.Protocol`` twins of the callable and listener interfaces.

The zope.interface contracts in `zc.relation.interfaces` are what the
catalog checks and documents; these protocols let static type checkers
check user code that implements them.
"""
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Mapping
from typing import Any as AnyType
from typing import Protocol
from typing import runtime_checkable

Token = AnyType
Query = Mapping[AnyType, AnyType]
RelationChain = tuple
TokenChanges = Mapping[str, Iterable[Token] | None]
GetQueries = Callable[[RelationChain], Iterable[Query]]


class QueryFactory(Protocol):
    """Twin of `zc.relation.interfaces.IQueryFactory`."""

    def __call__(self, query: Query, catalog: AnyType) -> GetQueries | None:
        ...


class Filter(Protocol):
    """Twin of `zc.relation.interfaces.IFilter`."""

    def __call__(self, relchain: RelationChain, query: Query,
                 index: AnyType, cache: dict) -> bool:
        ...


@runtime_checkable
class MessageListener(Protocol):
    """Twin of `zc.relation.interfaces.IMessageListener`."""

    def relationAdded(self, token: Token, catalog: AnyType,
                      additions: TokenChanges) -> None:
        ...

    def relationModified(self, token: Token, catalog: AnyType,
                         additions: TokenChanges,
                         removals: TokenChanges) -> None:
        ...

    def relationRemoved(self, token: Token, catalog: AnyType,
                        removals: TokenChanges) -> None:
        ...

    def sourceCleared(self, catalog: AnyType) -> None:
        ...


@runtime_checkable
class Listener(MessageListener, Protocol):
    """Twin of `zc.relation.interfaces.IListener`."""

    def sourceAdded(self, catalog: AnyType) -> None:
        ...

    def sourceRemoved(self, catalog: AnyType) -> None:
        ...

    def sourceCopied(self, original: AnyType, copy: AnyType) -> None:
        ...
