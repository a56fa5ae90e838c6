"""An in-memory stand-in for the part of kazoo zc.resumelb uses.

Watches fire synchronously in the caller's thread, like kazoo's would
fire on its own threads: the code under test must hand values to the hub
either way.  As in kazoo, a watch function returning False is dropped,
and a children watch stops when its node is deleted.
"""
import posixpath
import threading


class NoNodeError(Exception):
    pass


class NotEmptyError(Exception):
    pass


class ConnectionLoss(Exception):
    pass


class Tree:
    """The shared ZooKeeper data: several clients may connect to it."""

    def __init__(self):
        self.nodes = {'/': b''}
        self.owners = {}  # ephemeral path -> client
        self.data_watches = {}
        self.child_watches = {}
        self.failing_creates = 0
        # The code under test calls in from gevent's thread pool while
        # the tests change the tree from the hub's thread.
        self.lock = threading.RLock()

    def client(self):
        return Client(self)

    def fail_creates(self, count):
        """Make clients' next ``count`` creates fail as on a dropped link."""
        self.failing_creates = count

    def _call(self, watches, path, *args):
        for func in list(watches.get(path, ())):
            if func(*args) is False:
                watches[path].remove(func)

    def _fire(self, path):
        self._call(self.data_watches, path, *self._data(path))
        if path not in self.nodes:
            self.child_watches.pop(path, None)
        parent = posixpath.dirname(path)
        self._call(self.child_watches, parent, self.children(parent))

    def _data(self, path):
        if path in self.nodes:
            return self.nodes[path], {'path': path}
        return None, None

    def children(self, path):
        prefix = path.rstrip('/') + '/'
        with self.lock:
            return sorted(
                p[len(prefix):] for p in self.nodes
                if p.startswith(prefix) and '/' not in p[len(prefix):])

    def create(self, path, value=b'', owner=None):
        with self.lock:
            if path in self.nodes:
                raise ValueError(f'node exists: {path}')
            if posixpath.dirname(path) not in self.nodes:
                raise NoNodeError(posixpath.dirname(path))
            self.nodes[path] = value
            if owner is not None:
                self.owners[path] = owner
            self._fire(path)

    def set(self, path, value):
        with self.lock:
            if path not in self.nodes:
                raise NoNodeError(path)
            self.nodes[path] = value
            self._fire(path)

    def delete(self, path):
        with self.lock:
            if self.children(path):
                raise NotEmptyError(path)
            del self.nodes[path]
            self.owners.pop(path, None)
            self._fire(path)

    def drop_ephemerals(self, owner):
        with self.lock:
            for path, who in list(self.owners.items()):
                if who is owner:
                    self.delete(path)


class Client:
    """The kazoo ``KazooClient`` subset: data, watches, listeners."""

    def __init__(self, tree):
        self.tree = tree
        self.listeners = []

    def get(self, path):
        with self.tree.lock:
            if path not in self.tree.nodes:
                raise NoNodeError(path)
            return self.tree._data(path)

    def exists(self, path):
        return path in self.tree.nodes

    def get_children(self, path):
        with self.tree.lock:
            if path not in self.tree.nodes:
                raise NoNodeError(path)
            return self.tree.children(path)

    def create(self, path, value=b'', acl=None, ephemeral=False):
        with self.tree.lock:
            if self.tree.failing_creates:
                self.tree.failing_creates -= 1
                raise ConnectionLoss(path)
            self.tree.create(path, value, self if ephemeral else None)

    def set(self, path, value):
        self.tree.set(path, value)

    def delete(self, path):
        self.tree.delete(path)

    def DataWatch(self, path, func):
        with self.tree.lock:
            if func(*self.tree._data(path)) is not False:
                self.tree.data_watches.setdefault(path, []).append(func)

    def ChildrenWatch(self, path, func):
        with self.tree.lock:
            # kazoo gives up on a missing node without calling func.
            if (path in self.tree.nodes
                    and func(self.tree.children(path)) is not False):
                self.tree.child_watches.setdefault(path, []).append(func)

    def add_listener(self, func):
        self.listeners.append(func)

    def remove_listener(self, func):
        if func in self.listeners:
            self.listeners.remove(func)

    def lose_session(self):
        """Session expiry: ephemerals vanish, then the client reconnects."""
        for func in list(self.listeners):
            func('LOST')
        self.tree.drop_ephemerals(self)
        for func in list(self.listeners):
            func('CONNECTED')

    def stop(self):
        self.tree.drop_ephemerals(self)

    def close(self):
        pass
