"""What the tests share: a persistent class, a database per test, a way to
see what Twisted logs, and the objects stored before the package split."""
import contextlib
import pathlib
import pickle
import pickletools
import shutil
import tempfile
import unittest

import BTrees.OOBTree
import persistent
import transaction
import ZODB
import ZODB.FileStorage
from twisted.internet import task
from twisted.logger import globalLogBeginner
from twisted.logger import globalLogPublisher


class Demo(persistent.Persistent):
    """A counter.

    It lives in a module, not in a test, because every connection a Partial
    opens loads it again by module and class name.
    """

    count = 0

    def __call__(self, amount=1):
        self.count += amount
        return self.count

    def decrement(self, amount=1):
        self.count -= amount
        return self.count


@contextlib.contextmanager
def logged_failures():
    """Collect the failures Twisted logs, instead of printing them.

    Until an application begins logging, Twisted prints critical events
    (such as unhandled errors in Deferreds) to standard error through a
    temporary observer; it is set aside so the test output stays clean.
    """
    failures = []

    def observe(event):
        if 'log_failure' in event:
            failures.append(event['log_failure'])

    temporary = getattr(globalLogBeginner, '_temporaryObserver', None)
    if temporary is not None:
        globalLogPublisher.removeObserver(temporary)
    globalLogPublisher.addObserver(observe)
    try:
        yield failures
    finally:
        globalLogPublisher.removeObserver(observe)
        if temporary is not None:
            globalLogPublisher.addObserver(temporary)


class DatabaseTestCase(unittest.TestCase):
    """A database with a Demo and a BTree, and the test's own connection."""

    def setUp(self):
        self.db = ZODB.DB(None, database_name='main')
        self.tm = transaction.TransactionManager()
        self.conn = self.db.open(transaction_manager=self.tm)
        root = self.conn.root()
        self.demo = root['demo'] = Demo()
        self.other = root['other'] = Demo()
        self.tree = root['tree'] = BTrees.OOBTree.OOBTree()
        self.tm.commit()
        self.clock = task.Clock()

    def tearDown(self):
        self.tm.abort()
        self.conn.close()
        self.db.close()

    def fresh(self, obj):
        """``obj`` as the newest committed state shows it."""
        self.tm.begin()
        return obj

    def outcome(self, d):
        """The result of a fired Deferred, or the failure it carries."""
        self.assertTrue(d.called, 'the Deferred should have fired already')
        results = []
        d.addBoth(results.append)
        return results[0]

    def open_connections(self):
        return len(self.db.pool.all) - len(self.db.pool.available)

    def commit_elsewhere(self, obj, amount=100):
        """Change ``obj`` in another connection and commit there."""
        tm = transaction.TransactionManager()
        conn = self.db.open(transaction_manager=tm)
        conn.get(obj._p_oid).count += amount
        tm.commit()
        conn.close()


# Written by zc.twist before its implementation moved from __init__.py into
# private modules: a pickle file and a FileStorage, each holding a Failure
# of ValueError('stored before the split') and Partial(operator.add, 40, 2).
FIXTURES = pathlib.Path(__file__).parent / 'fixtures'


def load_pickled_before_the_split():
    with open(FIXTURES / 'failure-and-partial.pickle', 'rb') as f:
        return pickle.load(f)


@contextlib.contextmanager
def root_stored_before_the_split():
    """The root of a copy of the FileStorage (opening one writes to it)."""
    with tempfile.TemporaryDirectory(prefix='zc.twist-') as tmpdir:
        path = shutil.copy(FIXTURES / 'stored-before-split.fs', tmpdir)
        db = ZODB.DB(ZODB.FileStorage.FileStorage(path, read_only=True))
        conn = db.open()
        try:
            yield conn.root()
        finally:
            conn.close()
            db.close()


def pickled_globals(obj):
    """The module and name of every global a pickle of ``obj`` refers to."""
    return {arg for op, arg, _ in pickletools.genops(pickle.dumps(obj, 3))
            if op.name == 'GLOBAL'}
