"""The contract shared by every zc.queue queue."""
from persistent.interfaces import IPersistent


class IQueue(IPersistent):
    """A persistent first-in, first-out queue.

    Items are told apart by equality: a queue must never hold two equal
    items at once, because merging the changes of concurrent transactions
    relies on it.  Persistent items are told apart by the stored object
    they are, not by their own ``__eq__``.
    """

    def put(item):
        """Append ``item`` at the end of the queue.

        The item is stored in the database with the queue, so it must be
        picklable; a queue item that is persistent is stored as a
        reference to its own record.
        """

    def pull(index=0):
        """Remove and return the item at ``index``.

        ``index`` counts like a sequence index from the front (0, the
        default, is the oldest item); negative indexes count from the end.
        Raises IndexError when there is no item at ``index``, including any
        pull from an empty queue, and TypeError when ``index`` is not an
        integer.
        """

    def __len__():
        """The number of items in the queue."""

    def __iter__():
        """Iterate over the items from front to back without removing them."""

    def __getitem__(index):
        """The item at integer ``index``, or a sequence of items for a slice.

        Integer indexes count like ``pull``'s and raise IndexError when out
        of range.
        """

    def __bool__():
        """True if the queue holds at least one item."""
