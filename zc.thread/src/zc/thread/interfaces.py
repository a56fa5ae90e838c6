"""The contracts of zc.thread, as typing protocols.

zc.thread needs nothing beyond the standard library, so its contracts are
written as ``typing.Protocol`` classes rather than zope.interface
interfaces: a type checker verifies them, and they cost no dependency.
"""
from __future__ import annotations

from typing import Any, Callable, Protocol, overload


class ICreated(Protocol):
    """What ``Thread`` and ``Process`` return.

    A plain ``threading.Thread`` or ``multiprocessing.Process`` (started
    unless ``start=False``), named ``"<module>.<function name>"`` unless
    named otherwise, a daemon unless ``daemon=False``, with two attributes
    added.
    """

    name: str
    daemon: bool

    #: The function's return value once it returned; None before, and
    #: always None on the parent's copy of a Process.
    value: Any

    #: The last ``Exception`` the function raised, None if it never did
    #: (a later successful restart does not clear it).
    exception: BaseException | None

    def start(self) -> None:
        """Start running the function (only when created with start=False)."""

    def join(self, timeout: float | None = None) -> None:
        """Wait until the function has returned for good."""


class IFactory(Protocol):
    """``zc.thread.Thread`` and ``zc.thread.Process``.

    Called with a function, create (and start) a thread or process running
    it; called with options only, return a decorator that does so for the
    function it decorates.  Options, keyword only: ``daemon=True``,
    ``start=True``, ``args=()``, ``kwargs=None``, ``restart=False``
    (seconds to wait before calling a failed function again), ``name``;
    ``Process`` also takes ``context`` (a multiprocessing context or start
    method name).

    An ``Exception`` escaping the function is stored as ``exception``,
    logged on the logger named after the thread as ``"Exception in
    Thread"`` (or ``Process``) with its traceback, and its traceback
    reaches standard error once: printed, unless logging writes it there
    already.  Nothing is logged once ``zc.thread.exiting`` is true.
    """

    @overload
    def __call__(self, func: Callable, **options: Any) -> ICreated: ...

    @overload
    def __call__(self, func: None = None,
                 **options: Any) -> Callable[[Callable], ICreated]: ...
