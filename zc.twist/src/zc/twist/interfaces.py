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
