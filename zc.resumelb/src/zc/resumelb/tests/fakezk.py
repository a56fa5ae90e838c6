"""An in-memory stand-in for the part of kazoo zc.resumelb uses.

Watches fire synchronously in the caller's thread, like kazoo's would
fire on its own threads: the code under test must hand values to the hub
either way.
"""
import posixpath


class NoNodeError(Exception):
    pass


class Tree:
    """The shared ZooKeeper data: several clients may connect to it."""

    def __init__(self):
        self.nodes = {'/': b''}
        self.owners = {}  # ephemeral path -> client
        self.data_watches = {}
        self.child_watches = {}

    def client(self):
        return Client(self)

    def _fire(self, path):
        for func in list(self.data_watches.get(path, ())):
            func(*self._data(path))
        parent = posixpath.dirname(path)
        for func in list(self.child_watches.get(parent, ())):
            func(self.children(parent))

    def _data(self, path):
        if path in self.nodes:
            return self.nodes[path], {'path': path}
        return None, None

    def children(self, path):
        prefix = path.rstrip('/') + '/'
        return sorted(p[len(prefix):] for p in self.nodes
                      if p.startswith(prefix) and '/' not in p[len(prefix):])

    def create(self, path, value=b'', owner=None):
        if path in self.nodes:
            raise ValueError(f'node exists: {path}')
        if posixpath.dirname(path) not in self.nodes:
            raise NoNodeError(posixpath.dirname(path))
        self.nodes[path] = value
        if owner is not None:
            self.owners[path] = owner
        self._fire(path)

    def set(self, path, value):
        if path not in self.nodes:
            raise NoNodeError(path)
        self.nodes[path] = value
        self._fire(path)

    def delete(self, path):
        del self.nodes[path]
        self.owners.pop(path, None)
        self._fire(path)

    def drop_ephemerals(self, owner):
        for path, who in list(self.owners.items()):
            if who is owner:
                self.delete(path)


class Client:
    """The kazoo ``KazooClient`` subset: data, watches, listeners."""

    def __init__(self, tree):
        self.tree = tree
        self.listeners = []

    def get(self, path):
        if path not in self.tree.nodes:
            raise NoNodeError(path)
        return self.tree._data(path)

    def exists(self, path):
        return path in self.tree.nodes

    def get_children(self, path):
        if path not in self.tree.nodes:
            raise NoNodeError(path)
        return self.tree.children(path)

    def create(self, path, value=b'', acl=None, ephemeral=False):
        self.tree.create(path, value, self if ephemeral else None)

    def set(self, path, value):
        self.tree.set(path, value)

    def delete(self, path):
        self.tree.delete(path)

    def DataWatch(self, path, func):
        self.tree.data_watches.setdefault(path, []).append(func)
        func(*self.tree._data(path))

    def ChildrenWatch(self, path, func):
        self.tree.child_watches.setdefault(path, []).append(func)
        func(self.tree.children(path))

    def add_listener(self, func):
        self.listeners.append(func)

    def lose_session(self):
        """Session expiry: ephemerals vanish, then the client reconnects."""
        for func in self.listeners:
            func('LOST')
        self.tree.drop_ephemerals(self)
        for func in self.listeners:
            func('CONNECTED')

    def stop(self):
        self.tree.drop_ephemerals(self)

    def close(self):
        pass
