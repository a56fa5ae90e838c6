"""The contracts of zc.resumelb."""
import zope.interface


class IPool(zope.interface.Interface):
    """Chooses the worker for each request.

    The load balancer adds workers with ``new_resume`` when their first
    résumé arrives, asks ``get`` for a worker per request, calls ``put``
    once the attempt ends (the response started or failed) and ``remove``
    when a worker's connection dies.  Alternative pools are plugged in
    with the LB's ``pool_factory`` (``resumelb -p``); they are created with
    the keyword ``single_version``.
    """

    backlog = zope.interface.Attribute(
        'Requests handed out whose response has not started yet.')
    mbacklog = zope.interface.Attribute(
        'The decayed mean of ``backlog`` (None if not meaningful).')
    workers = zope.interface.Attribute('The set of active workers.')

    def get(rclass, timeout=None):
        """Return a worker for a request of class ``rclass``.

        Waits while there are no workers, up to ``timeout`` seconds (None:
        forever); returns None if still there are none.  The worker's
        backlog and the pool's backlog grow by one.
        """

    def put(worker):
        """The request given to ``worker`` started responding or failed.

        Called also for workers already removed.
        """

    def new_resume(worker, resume):
        """``worker`` published ``resume``; new workers join the pool."""

    def remove(worker):
        """``worker``'s connection is gone: send it no more work."""

    def update_settings(settings):
        """Apply settings from a mapping; missing keys restore defaults."""

    def status():
        """A JSON-able dict: backlog, mean_backlog, workers, workers_ex."""
