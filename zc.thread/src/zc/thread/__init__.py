"""Daemonic threads and processes, created and started in one call.

``Thread`` and ``Process`` take a function and return a started
``threading.Thread`` or ``multiprocessing.Process`` named after it; used
without the function they return a decorator.  The function's return value
and uncaught exception land on the created object as ``value`` and
``exception``.

Tests replace ``threading.Thread``, ``multiprocessing.Process``,
``logging.getLogger``, ``traceback.print_exc`` and ``time.sleep``, and set
this module's ``exiting`` flag, so all of them are looked up through their
modules at the moment they are used.
"""
from __future__ import annotations

import atexit
import logging
import multiprocessing
import sys
import threading
import time
import traceback
from typing import Any, Callable

__all__ = ['Thread', 'Process', 'exiting', 'set_exiting']

#: True once the interpreter has started to exit.  Functions failing then
#: are usually victims of the shutdown, so their exceptions are not logged.
exiting = False


def set_exiting() -> None:
    """Note that the interpreter is exiting (registered with atexit)."""
    global exiting
    exiting = True


atexit.register(set_exiting)

_this_module = sys.modules[__name__]


class _Runner:
    """The target of a created thread or process.

    A module-level class rather than a closure so that a Process can be
    pickled for the ``spawn`` and ``forkserver`` start methods: it then
    works whenever the function and its arguments are picklable.
    """

    def __init__(self, func: Callable, name: str, kind: str,
                 restart: float) -> None:
        self.func = func
        self.name = name
        self.kind = kind
        self.restart = restart
        self.owner: Any = None  # the created thread or process

    def __call__(self, *args: Any, **kwargs: Any) -> None:
        while True:
            try:
                value = self.func(*args, **kwargs)
            except Exception as exception:
                self.owner.exception = exception
                if _this_module.exiting:
                    return
                logging.getLogger(self.name).exception(
                    'Exception in %s', self.kind)
                traceback.print_exc()
                if not self.restart:
                    return
                time.sleep(self.restart)
            else:
                self.owner.value = value
                return

    def __repr__(self) -> str:
        return f'<zc.thread runner for {self.name}>'


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
