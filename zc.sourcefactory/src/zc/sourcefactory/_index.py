"""The token index of sources whose factory sets ``token_index = True``."""
from collections.abc import Callable
from collections.abc import Iterable
from typing import Any


class TokenIndex:
    """The values of a source, by token and by value.

    Membership is answered by hashing the value (equality, as a scan would
    decide it), not by computing its token: a token can cost a savepoint
    (a new persistent object, see ``browser.token.fromPersistent``) and can
    fail for values that have nothing to do with the source.
    """

    __slots__ = ('values', '_by_token', '_members', '_unhashable')

    def __init__(self, values: Iterable[Any],
                 token_of: Callable[[Any], str]) -> None:
        self.values: list[Any] = []
        self._by_token: dict[str, Any] = {}
        self._members: set[Any] = set()
        self._unhashable: list[Any] = []
        for value in values:
            token = token_of(value)
            first = self._by_token.setdefault(token, value)
            if first is not value and first != value:
                raise ValueError(
                    f'{first!r} and {value!r} have the same token {token!r};'
                    ' an indexed source needs one token per value')
            self.values.append(value)
            try:
                self._members.add(value)
            except TypeError:
                self._unhashable.append(value)

    def value_of(self, token: str) -> Any:
        """The value whose token is `token`; KeyError if none has it."""
        return self._by_token[token]

    def __contains__(self, value: Any) -> bool:
        try:
            if value in self._members:
                return True
        except TypeError:
            # An unhashable probe can only be compared, one value at a time.
            return any(value == member for member in self.values)
        return any(value == member for member in self._unhashable)

    def __len__(self) -> int:
        return len(self.values)
