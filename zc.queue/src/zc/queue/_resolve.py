"""Merging the states of a queue changed by two transactions at once.

ZODB calls a queue's ``_p_resolveConflict`` when a transaction commits a
record that another transaction changed since it was read; the queue
classes hand their three states to `resolveQueueConflict`.  This runs
wherever the storage merges -- in a ZEO server, in a RelStorage client --
so it must rely on nothing but the states: keep its imports light.
"""
from __future__ import annotations

import logging

from ZODB.ConflictResolution import BadClass
from ZODB.ConflictResolution import PersistentReference
from ZODB.POSException import ConflictError

__all__ = ['resolveQueueConflict', 'PersistentReferenceProxy']

logger = logging.getLogger('zc.queue')


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
