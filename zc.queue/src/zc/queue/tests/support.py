"""Fixtures shared by the test modules: items and concurrent connections."""
import os
import shutil
import tempfile

import persistent
import transaction
import ZODB
import ZODB.FileStorage

from zc.queue import CompositeQueue
from zc.queue import Queue


class Item(persistent.Persistent):
    """A persistent queue item with value equality and a readable repr.

    Queues must tell stored items apart by identity even so: two distinct
    ``Item(1)`` objects are different items.
    """

    def __init__(self, value):
        self.value = value

    def __eq__(self, other):
        return isinstance(other, Item) and other.value == self.value

    def __hash__(self):
        return hash(self.value)

    def __repr__(self):
        return f'Item({self.value!r})'


def plain(value):
    return value


#: The flavours the conflict tests run for: a name and a queue factory.
FLAVOURS = (
    ('Queue', Queue),
    ('CompositeQueue(2)', lambda: CompositeQueue(2)),
)

#: Item kinds: a name and a function making an item from an int.
KINDS = (('persistent', Item), ('plain', plain))


class Database:
    """A FileStorage database in a temporary directory, and connections.

    Each connection has its own transaction manager, as concurrent
    processes or threads would.
    """

    def __init__(self):
        self.directory = tempfile.mkdtemp(prefix='zc.queue-test-')
        self.db = ZODB.DB(ZODB.FileStorage.FileStorage(
            os.path.join(self.directory, 'Data.fs')))

    def open(self):
        tm = transaction.TransactionManager()
        connection = self.db.open(transaction_manager=tm)
        return connection, tm

    def close(self):
        self.db.close()
        shutil.rmtree(self.directory)


def value_of(item):
    """The int an item of either kind was made from."""
    return item.value if isinstance(item, Item) else item
