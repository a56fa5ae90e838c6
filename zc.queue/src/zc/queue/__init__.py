"""Persistent FIFO queues that merge concurrent ZODB transactions.

``Queue`` keeps all items in one record; ``CompositeQueue`` spreads them
over a chain of small bucket queues.  ``PersistentQueue`` and
``CompositePersistentQueue`` are the names of zc.queue 1.0.
"""
from zc.queue._queue import BucketQueue
from zc.queue._queue import CompositePersistentQueue
from zc.queue._queue import CompositeQueue
from zc.queue._queue import PersistentQueue
from zc.queue._queue import Queue

__all__ = [
    'Queue', 'CompositeQueue', 'BucketQueue',
    'PersistentQueue', 'CompositePersistentQueue',
]
