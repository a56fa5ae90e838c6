"""Thread and Process: create, name and start in one call, or decorate.

Tests replace ``threading.Thread`` and ``multiprocessing.Process``, so
they are looked up at the moment a thread or process is created.
"""
from __future__ import annotations

import multiprocessing
import threading
from typing import Any, Callable

from zc.thread._runner import _Runner


def _name_of(func: Callable) -> str:
    module = getattr(func, '__module__', None)
    name = getattr(func, '__name__', None)
    return f'{module}.{name}'


def _create(kind: str, func: Callable, *, daemon: bool = True,
            start: bool = True, args: tuple = (), kwargs: dict | None = None,
            restart: float = False, name: str | None = None,
            context: Any = None) -> Any:
    if not callable(func):
        raise TypeError(
            f'zc.thread.{kind} needs a callable, got {func!r}')
    if name is None:
        name = _name_of(func)
    runner = _Runner(func, name, kind, restart)
    if kind == 'Thread':
        factory = threading.Thread
    elif context is None:
        factory = multiprocessing.Process
    else:
        if isinstance(context, str):
            context = multiprocessing.get_context(context)
        factory = context.Process
    created = factory(target=runner, name=name, args=args,
                      kwargs=kwargs or {})
    runner.owner = created
    created.daemon = daemon
    created.value = None
    created.exception = None
    if start:
        created.start()
    return created


def _decorator_or_created(kind: str, func: Callable | None,
                          options: dict) -> Any:
    if func is None:
        return lambda func: _create(kind, func, **options)
    return _create(kind, func, **options)


def Thread(func: Callable | None = None, **options: Any) -> Any:
    """Create and start a daemon thread running ``func``.

    Options (keyword only): ``daemon=True``, ``start=True``, ``args=()``,
    ``kwargs=None``, ``restart=False`` (seconds to wait before calling a
    failed function again; false means never), ``name=None`` (defaults to
    ``"<module>.<function name>"``).  Without ``func``, return a decorator
    that does the same for the function it decorates.  An unknown option
    raises TypeError when the thread is created.
    """
    if 'context' in options:
        raise TypeError("Thread() got an unexpected keyword argument "
                        "'context' (only Process takes a context)")
    return _decorator_or_created('Thread', func, options)


def Process(func: Callable | None = None, **options: Any) -> Any:
    """Create and start a daemon process running ``func``.

    Takes the options of ``Thread`` and also ``context``: a multiprocessing
    context or start-method name (``'fork'``, ``'spawn'``,
    ``'forkserver'``); without it ``multiprocessing.Process`` is used.
    Under ``spawn`` and ``forkserver`` the function and its arguments must be
    picklable (defined at module level).  ``value`` and ``exception`` stay
    ``None`` on the parent's object: the function runs in the child.
    """
    return _decorator_or_created('Process', func, options)
