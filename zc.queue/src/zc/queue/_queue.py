"""The queue classes.

Databases store the dotted path of every object's class, so the classes
must keep living here under these names (``zc.queue._queue.Queue`` and
friends), whatever the leading underscore suggests.  ZEO servers import
this module to resolve conflicts: keep its imports light.
"""
from __future__ import annotations

import operator
from collections.abc import Callable
from collections.abc import Iterator
from itertools import chain
from typing import Any

import persistent
from zope.interface import implementer

from zc.queue._resolve import PersistentReferenceProxy
from zc.queue._resolve import resolveQueueConflict
from zc.queue.interfaces import IQueue

__all__ = [
    'Queue', 'BucketQueue', 'CompositeQueue',
    'PersistentQueue', 'CompositePersistentQueue',
    'resolveQueueConflict', 'PersistentReferenceProxy',
]


def _index(index: Any) -> int:
    """Return ``index`` as an int, or raise TypeError naming what it was."""
    try:
        return operator.index(index)
    except TypeError:
        raise TypeError(
            f'queue indices must be integers, not {type(index).__name__}'
            f' ({index!r})') from None


@implementer(IQueue)
class Queue(persistent.Persistent):
    """A persistent FIFO queue keeping all items in one record.

    The items live in the tuple ``_data``; every change stores a new tuple,
    so a commit rewrites the whole record (O(n) per put or pull).
    Concurrent changes by different transactions are merged on commit.
    """

    def __init__(self) -> None:
        self._data: tuple = ()

    def put(self, item: Any) -> None:
        """Append ``item`` at the end of the queue."""
        self._data += (item,)

    def pull(self, index: int = 0) -> Any:
        """Remove and return the item at ``index`` (default: the front)."""
        index = _index(index)
        data = self._data
        size = len(data)
        position = index + size if index < 0 else index
        if position < 0:
            raise IndexError(index)
        if position >= size:
            raise IndexError(
                f'pull index {index} out of range:'
                f' the queue holds {size} item(s)')
        item = data[position]
        if position == 0:
            self._data = data[1:]
        elif position == size - 1:
            self._data = data[:-1]
        else:
            self._data = data[:position] + data[position + 1:]
        return item

    def __len__(self) -> int:
        return len(self._data)

    def __iter__(self) -> Iterator[Any]:
        # The tuple is never changed in place: iterating it is a snapshot.
        return iter(self._data)

    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, slice):
            return self._data[index]
        index = _index(index)
        data = self._data
        try:
            return data[index]
        except IndexError:
            raise IndexError(
                f'queue index {index} out of range:'
                f' the queue holds {len(data)} item(s)') from None

    def __bool__(self) -> bool:
        return bool(self._data)

    __nonzero__ = __bool__

    def _p_resolveConflict(self, oldState: dict, committedState: dict,
                           newState: dict) -> dict:
        return resolveQueueConflict(oldState, committedState, newState)


class BucketQueue(Queue):
    """A `Queue` used as one bucket of a `CompositeQueue`.

    Its conflict resolution refuses to merge when the bucket is empty on
    one side only.  A composite queue drops a bucket from its chain when it
    finds it empty, and writes the bucket's record when it does; merging
    that empty state with a concurrent put into the bucket would leave the
    put item in a bucket no longer in the chain, lost.
    """

    def _p_resolveConflict(self, oldState: dict, committedState: dict,
                           newState: dict) -> dict:
        return resolveQueueConflict(
            oldState, committedState, newState, bucket=True)


PersistentQueue = BucketQueue

# The bucket classes whose items are exactly their ``_data`` tuple.
# CompositeQueue reads that tuple directly: calling the Python-level
# __len__ or __bool__ of every bucket costs about twice as much.
_TUPLE_BUCKETS = frozenset((Queue, BucketQueue))
_bucket_data = operator.attrgetter('_data')


def _identity(bucket):
    return bucket


def _without(buckets, positions):
    """``buckets`` without the buckets at ``positions``.

    Pulls mostly drop buckets at either end: slicing a long chain there
    costs a fraction of rebuilding it.
    """
    count, gone = len(buckets), sorted(positions)
    if gone == list(range(len(gone))):
        return buckets[len(gone):]
    if gone == list(range(count - len(gone), count)):
        return buckets[:count - len(gone)]
    gone = set(gone)
    return tuple(b for p, b in enumerate(buckets) if p not in gone)


@implementer(IQueue)
class CompositeQueue(persistent.Persistent):
    """A persistent FIFO queue spreading its items over bucket queues.

    ``_data`` is a tuple of buckets (persistent objects made by
    ``subfactory()``, each its own record), front bucket first.  ``put``
    fills the last bucket up to ``compositeSize`` items, so a commit
    usually rewrites only that bucket.  ``pull`` and indexing walk from
    the end the index counts from, loading only the buckets on the way;
    ``len`` looks at every bucket (loading it if needed): the record
    layout keeps no count.
    """

    def __init__(self, compositeSize: int = 15,
                 subfactory: Callable[[], Any] = BucketQueue) -> None:
        if isinstance(compositeSize, bool) or not isinstance(
                compositeSize, int):
            raise TypeError(
                'compositeSize must be an int, not'
                f' {type(compositeSize).__name__} ({compositeSize!r})')
        if compositeSize < 1:
            raise ValueError(
                f'compositeSize must be at least 1, not {compositeSize}')
        if not callable(subfactory):
            raise TypeError(
                f'subfactory must be callable, not {subfactory!r}')
        self.subfactory = subfactory
        self.compositeSize = compositeSize
        self._data: tuple = ()

    def _contents(self):
        """(buckets, function giving what a bucket's truth and len are of).

        For tuple buckets that is their ``_data``.  Whether all buckets are
        tuple buckets is remembered for this very tuple of buckets (objects
        do not change class), so it is checked once per change of the chain.
        """
        buckets = self._data
        if self.__dict__.get('_v_tuple_buckets') is not buckets:
            if not _TUPLE_BUCKETS.issuperset(map(type, buckets)):
                return buckets, None
            self._v_tuple_buckets = buckets
        return buckets, _bucket_data

    def put(self, item: Any) -> None:
        """Append ``item`` at the end of the queue."""
        buckets = self._data
        if not buckets or len(buckets[-1]) >= self.compositeSize:
            bucket = self.subfactory()
            self._data = buckets + (bucket,)
        else:
            bucket = buckets[-1]
        bucket.put(item)

    def _locate(self, index):
        """Where item ``index`` is: (bucket position, index in that bucket,
        positions of the empty buckets walked past), or IndexError.

        Walks from the end the index counts from and stops at the bucket
        holding the item, so pulls near either end load a few buckets
        whatever the length of the queue.
        """
        buckets, contents = self._contents()
        count = len(buckets)
        if index >= 0:
            positions, offset = range(count), index
        else:
            positions, offset = range(count - 1, -1, -1), -index - 1
        contents = contents or _identity
        empty = []
        for position in positions:
            size = len(contents(buckets[position]))
            if offset < size:
                if index < 0:
                    offset = size - 1 - offset
                return position, offset, empty
            if not size:
                empty.append(position)
            offset -= size
        raise IndexError(index)

    def pull(self, index: int = 0) -> Any:
        """Remove and return the item at ``index`` (default: the front).

        The bucket the item came from is dropped from the chain when it is
        left empty, and so are the empty buckets (left by merges) that the
        search walked past.  Buckets further away are not looked at: a pull
        near either end costs the same in a queue of any length.
        """
        position, offset, empty = self._locate(_index(index))
        buckets = self._data
        bucket = buckets[position]
        item = bucket.pull(offset)
        if not len(bucket):
            empty.append(position)
        if empty:
            # Dropping a bucket rewrites the chain, and also the dropped
            # bucket's own record, although its items did not change: a
            # transaction putting into that bucket at the same time then
            # writes the same record, and the bucket's conflict resolution
            # refuses the merge that would leave its item in a bucket no
            # longer in the chain.
            for dropped in empty:
                buckets[dropped]._p_changed = True
            self._set_chain(_without(buckets, empty))
        return item

    def _set_chain(self, buckets):
        """Store a new chain made of buckets of the current one."""
        known = self.__dict__.get('_v_tuple_buckets') is self._data
        self._data = buckets
        if known:
            # Still all tuple buckets: no need to look at each again.
            self._v_tuple_buckets = buckets

    def __len__(self) -> int:
        buckets, contents = self._contents()
        if contents is None:
            return sum(map(len, buckets))
        return sum(map(len, map(contents, buckets)))

    def __iter__(self) -> Iterator[Any]:
        return chain.from_iterable(self._data)

    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, slice):
            return list(self)[index]
        position, offset, _ = self._locate(_index(index))
        return self._data[position][offset]

    def __bool__(self) -> bool:
        # Merges can leave empty buckets behind: look at the items.
        buckets, contents = self._contents()
        return any(map(contents or len, buckets))

    __nonzero__ = __bool__

    def _p_resolveConflict(self, oldState: dict, committedState: dict,
                           newState: dict) -> dict:
        return resolveQueueConflict(
            oldState, committedState, newState, chain=True)


CompositePersistentQueue = CompositeQueue
