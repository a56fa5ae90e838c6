"""The queue classes and their write-conflict resolution.

Databases store the dotted path of every object's class, so the classes
must keep living here under these names (``zc.queue._queue.Queue`` and
friends), whatever the leading underscore suggests.  ZEO servers import
this module to resolve conflicts: keep its imports light.
"""
from __future__ import annotations

import logging
import operator
from collections.abc import Callable
from collections.abc import Iterator
from itertools import chain
from typing import Any

import persistent
from ZODB.ConflictResolution import BadClass
from ZODB.ConflictResolution import PersistentReference
from ZODB.POSException import ConflictError
from zope.interface import implementer

from zc.queue.interfaces import IQueue

__all__ = [
    'Queue', 'BucketQueue', 'CompositeQueue',
    'PersistentQueue', 'CompositePersistentQueue',
    'resolveQueueConflict', 'PersistentReferenceProxy',
]

logger = logging.getLogger('zc.queue')


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
            gone = set(empty)
            self._data = tuple(
                b for p, b in enumerate(buckets) if p not in gone)
        return item

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


class PersistentReferenceProxy:
    """Hashable stand-in for a `PersistentReference` during resolution.

    ZODB hands conflict resolution placeholders for persistent objects;
    they are unhashable and their ``==`` raises ValueError unless both
    denote the same object.  The proxy hashes on the database name and oid
    (equal placeholders share both), treats ValueError as "not equal" and is
    never equal to anything but another proxy.
    """

    __slots__ = ('ref', '_hash')

    def __init__(self, ref):
        self.ref = ref
        self._hash = hash((ref.database_name, ref.oid))

    def __hash__(self):
        return self._hash

    def __eq__(self, other):
        if not isinstance(other, PersistentReferenceProxy):
            return False
        try:
            return self.ref == other.ref
        except ValueError:
            return False

    def __ne__(self, other):
        return not self == other

    def __repr__(self):
        return f'PersistentReferenceProxy({self.ref!r})'


def _key(item):
    if isinstance(item, PersistentReference):
        return PersistentReferenceProxy(item)
    return item


def _attribute(value):
    """``value`` in a form that compares like the stored value.

    A ZEO server that cannot import a class (such as a custom
    ``subfactory``) hands resolution a new BadClass placeholder for each
    state; equal class names must still compare equal.
    """
    if isinstance(value, BadClass):
        return (BadClass, value.args)
    return value


def _shown(keys):
    """A few of ``keys``, for a log message."""
    shown = sorted(map(repr, keys))
    return ', '.join(shown[:5]) + (', ...' if len(shown) > 5 else '')


def _reject(rule, *details):
    logger.debug('queue conflict not resolved: %s', rule % details)
    raise ConflictError(f'cannot merge queue states: {rule % details}')


def resolveQueueConflict(oldstate: dict, committedstate: dict,
                         newstate: dict, bucket: bool = False,
                         chain: bool = False) -> dict:
    """Merge two concurrent changes of a queue's state, or raise ConflictError.

    ``oldstate`` is the state the committing transaction started from,
    ``committedstate`` the one already committed and ``newstate`` the one
    being committed.  Items pulled by one transaction are removed from the
    other's state and items put by the committing transaction are appended.
    Pulling the same item twice, putting an equal item twice or a change to
    any other attribute cannot be merged.

    With ``bucket`` (a bucket of a composite queue), a state that is empty
    on one side only cannot be merged either: an empty bucket may have been
    dropped from the chain by the transaction that wrote it, and the other
    side's items would be left outside the queue.  With ``chain`` (the
    composite's tuple of buckets), both sides may drop the same bucket:
    both then wrote that bucket's record as empty, and its own resolution
    has already decided whether that is consistent.
    """
    if committedstate.keys() != newstate.keys():
        _reject('the attribute names differ: %s and %s',
                sorted(committedstate), sorted(newstate))
    for name, value in newstate.items():
        if name == '_data':
            continue
        try:
            differs = _attribute(value) != _attribute(committedstate[name])
        except ValueError:
            differs = True
        if differs:
            _reject('attribute %r differs: committed %r, new %r',
                    name, committedstate[name], value)
    try:
        old, committed, new = (
            state['_data'] for state in (oldstate, committedstate, newstate))
    except KeyError:
        _reject('a state has no _data')
    if bucket and (not committed) != (not new):
        _reject('the bucket is empty on one side only: %s committed,'
                ' %s new', len(committed), len(new))

    try:
        merged = _merge(old, committed, new, removed_twice_ok=chain)
    except (TypeError, ValueError) as error:
        # Unhashable items, or items whose comparison needs what only a
        # full database connection has.
        _reject('the items cannot be compared (%s: %s)',
                type(error).__name__, error)
    result = dict(committedstate)
    result['_data'] = merged
    return result


def _merge(old, committed, new, removed_twice_ok=False):
    """The merged tuple of items: ``committed`` without what ``new``
    removed, then what ``new`` added."""
    old_keys = set(map(_key, old))
    committed_keys = list(map(_key, committed))
    new_keys = list(map(_key, new))
    committed_set = set(committed_keys)
    new_set = set(new_keys)

    removed_by_new = old_keys - new_set
    removed_twice = (old_keys - committed_set) & removed_by_new
    if removed_twice and not removed_twice_ok:
        _reject('both transactions pulled %s', _shown(removed_twice))
    added_by_new = new_set - old_keys
    added_twice = (committed_set - old_keys) & added_by_new
    if added_twice:
        _reject('both transactions put %s', _shown(added_twice))

    # put appends, so the items the new state added form its tail.
    start = len(new) - len(added_by_new)
    tail = new_keys[start:]
    if (len(set(tail)) != len(tail) or not added_by_new.issuperset(tail)
            or not old_keys.issuperset(new_keys[:start])):
        _reject('the items put by the new state are not at its end'
                ' (equal items put more than once?)')

    merged = [item for item, key in zip(committed, committed_keys)
              if key not in removed_by_new]
    merged.extend(new[start:])
    return tuple(merged)
