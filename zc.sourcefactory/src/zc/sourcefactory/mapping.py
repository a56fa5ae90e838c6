"""Sources that show another source's values through a mapping function."""
import threading
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Iterator
from typing import Any

import zope.interface
import zope.schema.interfaces

_MISSING = object()


@zope.interface.implementer(zope.schema.interfaces.IIterableSource)
class ValueMappingSource:
    """The values of `base`, each passed through `map`.

    Mapped values must be hashable: they are keys of the reverse mapping,
    which is filled lazily while one shared scan of `base` goes on, so that
    looking up one value reads the base only as far as needed.
    """

    def __init__(self, base: Iterable[Any],
                 map: Callable[[Any], Any]) -> None:
        self.base = base
        self.map = map
        self._cache: dict[Any, Any] = {}
        self._scan: Iterator[Any] | None = None
        self._lock = threading.Lock()

    def __getstate__(self) -> dict[str, Any]:
        # The reverse mapping is a cache, with a lock and a running scan
        # that cannot be copied: a copy (deepcopy of a Choice field, a
        # pickle) starts without one.
        return {'base': self.base, 'map': self.map}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state['base'], state['map'])

    def __iter__(self) -> Iterator[Any]:
        return (self.map(value) for value in self.base)

    def __len__(self) -> int:
        return len(self.base)

    def __bool__(self) -> bool:
        # A base that is expensive to count must not be counted.
        for value in self.base:
            return True
        return False

    def __contains__(self, mapped: Any) -> bool:
        try:
            self._reverse(mapped, trust_cache=False)
        except KeyError:
            return False
        return True

    def mapReverse(self, mapped: Any) -> Any:
        """The base value that maps to `mapped`; KeyError if there is none.

        Answers from the reverse mapping when it can, so a value removed
        from the base since may still be found here; ``in`` checks.
        """
        return self._reverse(mapped, trust_cache=True)

    def _reverse(self, mapped: Any, trust_cache: bool) -> Any:
        try:
            hash(mapped)
        except TypeError:
            raise TypeError(
                f'mapped values must be hashable; {mapped!r} is not'
            ) from None
        with self._lock:  # one scan of the base at a time
            value = self._cache.get(mapped, _MISSING)
            if value is not _MISSING:
                # A base value can change what it maps to (a user's
                # e-mail address), as well as leave the base.
                if trust_cache or (value in self.base
                                   and self.map(value) == mapped):
                    return value
            elif self._scan is not None:
                value = self._resume(mapped)
                if value is not _MISSING:
                    return value
            # Not found so far, or found but gone: the base may have
            # changed since the mapping was filled, so read it again.
            self._cache = {}
            self._scan = iter(self.base)
            value = self._resume(mapped)
        if value is _MISSING:
            raise KeyError(mapped)
        return value

    def _resume(self, mapped: Any) -> Any:
        for value in self._scan:
            key = self.map(value)
            self._cache.setdefault(key, value)
            if key == mapped:
                return value
        self._scan = None
        return _MISSING


@zope.interface.implementer(zope.schema.interfaces.IContextSourceBinder)
class ValueMappingSourceContextBinder:
    """Binds `base` (a context source binder) and maps its values."""

    def __init__(self, base: Callable[[Any], Iterable[Any]],
                 map: Callable[[Any], Any]) -> None:
        self.base = base
        self.map = map

    def __call__(self, context: Any) -> ValueMappingSource:
        return ValueMappingSource(self.base(context), self.map)
