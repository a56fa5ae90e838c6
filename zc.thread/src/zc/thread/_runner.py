"""What a created thread or process runs: the function, then its outcome.

Tests replace ``logging.getLogger``, ``traceback.print_exc`` and
``time.sleep`` and assign ``zc.thread.exiting``, so all of them are looked
up through their modules at the moment they are used.
"""
from __future__ import annotations

import logging
import sys
import time
import traceback
from typing import Any, Callable

import zc.thread


def set_exiting() -> None:
    """Note that the interpreter is exiting (registered with atexit)."""
    zc.thread.exiting = True


def _logging_writes_to_stderr(logger: Any) -> bool:
    """Whether an ERROR record of ``logger`` ends up on standard error.

    It does when a handler on the logger's way up writes to ``sys.stderr``,
    and when there is no handler at all: logging's last resort then prints
    the record, traceback included, on standard error.  That is the case in
    an ordinary script that never configured logging.  Anything that is
    not a ``logging.Logger`` (an adapter, a stand-in) is not looked into.
    """
    if not isinstance(logger, logging.Logger):
        return False
    if not logger.isEnabledFor(logging.ERROR):
        return False
    handled = False
    current = logger
    while isinstance(current, logging.Logger):
        for handler in current.handlers:
            handled = True
            if (isinstance(handler, logging.StreamHandler)
                    and handler.stream is sys.stderr
                    and handler.level <= logging.ERROR):
                return True
        if not current.propagate:
            break
        current = current.parent
    last_resort = logging.lastResort
    return (not handled and last_resort is not None
            and last_resort.level <= logging.ERROR)


def _report(name: str, kind: str) -> None:
    """Log the exception being handled, and make sure that its traceback
    reaches standard error once: printed here unless logging puts it
    there already."""
    logger = logging.getLogger(name)
    logger.exception('Exception in %s', kind)
    if not _logging_writes_to_stderr(logger):
        traceback.print_exc()


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
                if zc.thread.exiting:
                    return
                _report(self.name, self.kind)
                if not self.restart:
                    return
                time.sleep(self.restart)
            else:
                self.owner.value = value
                return

    def __repr__(self) -> str:
        return f'<zc.thread runner for {self.name}>'
