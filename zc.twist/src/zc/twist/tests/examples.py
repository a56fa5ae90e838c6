"""Persistent classes for the tutorial and the tests.

They live in a module, not in a doctest, because every connection a
Partial opens loads them again by module and class name.
"""
import persistent


class Demo(persistent.Persistent):
    """A counter."""

    count = 0

    def __call__(self, amount=1):
        self.count += amount
        return self.count

    def decrement(self, amount=1):
        self.count -= amount
        return self.count
