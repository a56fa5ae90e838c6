"""How many distinct classes a worker was given since it was given a class.

Were a worker's cache an LRU cache of classes, that count (the class's
*stack distance*) would say exactly whether the class is still in it: it
is, if fewer distinct classes than the cache holds came after it.  A count
of requests says much less: under a Zipf load most requests are for a few
hot classes, so a class may still be cached after thousands of requests,
or gone after a few hundred, depending on the traffic in between.

Each class holds one mark in a Fenwick tree, at the position of the last
time it was given, so the count is the number of marks after that
position, in O(log n) for both giving and counting.  Positions only grow;
when they reach the tree's end, the live marks are renumbered in order
into a tree with room for as many again.  Only the last ``limit`` classes
are kept then: a class given before them is as good as never given, and
a stream of classes seen once does not grow the memory.
"""


class Recency:
    """The classes given to one worker, in the order last given."""

    def __init__(self, limit, size=1024):
        self.limit = limit
        self._size = size
        self._tree = [0] * (size + 1)
        self._next = 0
        self.positions = {}

    def __contains__(self, rclass):
        return rclass in self.positions

    def __len__(self):
        return len(self.positions)

    def since(self, rclass):
        """How many other classes were given since ``rclass`` last was, or
        None if it never was (or was forgotten)."""
        position = self.positions.get(rclass)
        if position is None:
            return None
        return len(self.positions) - self._count_up_to(position)

    def give(self, rclass):
        """``rclass`` is given now."""
        self.forget(rclass)
        if self._next == self._size:
            self._renumber()
        self.positions[rclass] = self._next
        self._add(self._next, 1)
        self._next += 1

    def forget(self, rclass):
        position = self.positions.pop(rclass, None)
        if position is not None:
            self._add(position, -1)

    def _add(self, position, change):
        tree = self._tree
        index = position + 1
        size = self._size
        while index <= size:
            tree[index] += change
            index += index & -index

    def _count_up_to(self, position):
        tree = self._tree
        index = position + 1
        total = 0
        while index:
            total += tree[index]
            index -= index & -index
        return total

    def _renumber(self):
        ordered = sorted(self.positions, key=self.positions.get)
        del ordered[:-self.limit]
        size = 1024
        while size < 2 * len(ordered) + 1:
            size *= 2
        # A Fenwick tree of ones at positions 0..k-1, built in O(size).
        tree = [0] * (size + 1)
        for index in range(1, size + 1):
            tree[index] += index <= len(ordered)
            parent = index + (index & -index)
            if parent <= size:
                tree[parent] += tree[index]
        self._size = size
        self._tree = tree
        self._next = len(ordered)
        self.positions = {rclass: i for i, rclass in enumerate(ordered)}
