"""The contracts of zc.twist."""
import zope.interface


class IDeferredReference(zope.interface.Interface):
    """A persistent object (or a method of one) to be loaded again later.

    A Partial replaces every persistent argument that has a connection with
    such a reference when it is created or called, and resolves the
    references in the fresh connection of each attempt.  Only the database,
    the object id and, for a method, the method's name are remembered, so a
    reference holds nothing from the connection it was made in.
    """

    db = zope.interface.Attribute(
        'The ZODB database (``ZODB.DB``) the object was loaded from.')

    def __call__(connection):
        """Return the object, or its method, loaded in ``connection``.

        When the object lives in another database of a multi-database than
        ``connection``'s own, it is loaded through
        ``connection.get_connection(database_name)``.
        """


class IPartial(zope.interface.Interface):
    """A callable and its arguments, to be run in a fresh connection.

    The counters and limits are class attributes; set them on an instance
    to change one Partial.
    """

    call = zope.interface.Attribute(
        'The callable, as an IDeferredReference when it is persistent.')
    args = zope.interface.Attribute(
        'The positional arguments (a list), references where persistent.')
    kwargs = zope.interface.Attribute(
        'The keyword arguments (a dict), references where persistent.')
    attempt_count = zope.interface.Attribute(
        'How many attempts started in a connection.')
    transaction_error_count = zope.interface.Attribute(
        'How many transaction errors (such as conflicts) were caught.')
    max_transaction_errors = zope.interface.Attribute(
        'Give up when transaction_error_count reaches this; None: never.')
    backoff = zope.interface.Attribute(
        'The last delay, in seconds, waited after a ZEO disconnect.')
    initial_backoff = zope.interface.Attribute(
        'The delay after the first ZEO disconnect.')
    backoff_increment = zope.interface.Attribute(
        'Added to the delay after each further disconnect.')
    max_backoff = zope.interface.Attribute('The longest delay.')

    def setReactor(reactor):
        """Use ``reactor`` (anything with ``callLater``); return the Partial."""

    def getReactor():
        """The reactor given to setReactor, else the global reactor."""

    def __call__(*args, **kwargs):
        """Append the arguments to the stored ones and run.

        Returns the callable's result directly when no persistent object
        with a connection is involved.  Otherwise returns a Deferred that
        fires with the result once the transaction is committed, or fails
        with a ``zc.twist.Failure``.
        """
