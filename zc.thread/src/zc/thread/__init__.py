"""Daemonic threads and processes, created and started in one call.

``Thread`` and ``Process`` take a function and return a started
``threading.Thread`` or ``multiprocessing.Process`` named after it; used
without the function they return a decorator.  The function's return value
and uncaught exception land on the created object as ``value`` and
``exception``.

The implementation lives in private modules; these are the public names.
``exiting`` stays here, in the package module itself: code (and tests)
read and assign ``zc.thread.exiting`` directly.
"""
import atexit

from zc.thread._factories import Process
from zc.thread._factories import Thread
from zc.thread._runner import set_exiting

__all__ = ['Thread', 'Process', 'exiting', 'set_exiting']

#: True once the interpreter has started to exit.  Functions failing then
#: are usually victims of the shutdown, so their exceptions are not logged.
exiting = False

atexit.register(set_exiting)
