"""What queries are made of, shared by the catalog, the query factories
and the search indexes: the RELATION key, ``Any``, and the helpers that
normalise queries and sort their keys."""
from collections.abc import Iterable
from collections.abc import Mapping

import BTrees

RELATION = None

# A query: a mapping or (name, value) pairs.
QueryArg = Mapping | Iterable[tuple]

_OOBucket = BTrees.family32.OO.Bucket


def sort_key(key):
    # RELATION (None) sorts before every name.
    return (key is not None, key)


class Any:
    """A query value matching any one of several tokens."""

    def __init__(self, source):
        try:
            self.source = frozenset(source)
        except TypeError as e:
            raise TypeError(
                f'Any needs an iterable of hashable tokens, got {source!r}: '
                f'{e}') from None

    def __iter__(self):
        return iter(self.source)

    def __len__(self):
        return len(self.source)

    def __contains__(self, token):
        return token in self.source

    def __eq__(self, other):
        return type(other) is type(self) and other.source == self.source

    def __ne__(self, other):
        return not self.__eq__(other)

    def __hash__(self):
        return hash((type(self), self.source))

    def __repr__(self):
        try:
            members = tuple(sorted(self.source))
        except TypeError:
            members = tuple(sorted(self.source, key=repr))
        return '<{}.{} instance {!r}>'.format(
            type(self).__module__, type(self).__name__, members)


# Pickles name the class by its historical home.
Any.__module__ = 'zc.relation.catalog'


def any(*args):
    """``Any(args)``: a query value matching any of the given tokens."""
    return Any(args)


def normalize(query, what='query'):
    """The query as an OO Bucket (RELATION first), checked for shape."""
    if isinstance(query, _OOBucket):
        return query
    if type(query) is dict:
        # The usual case, checked without copying the items first.
        result = _OOBucket()
        for key, value in query.items():
            if key is not None and type(key) is not str:
                break
            result[key] = value
        else:
            return result
    if query is None:
        query = ()
    if hasattr(query, 'items'):
        items = list(query.items())
    else:
        try:
            items = list(query)
        except TypeError:
            raise TypeError(
                f'{what} must be a mapping or an iterable of (name, value) '
                f'pairs, not {query!r}') from None
    result = _OOBucket()
    for item in items:
        try:
            key, value = item
        except (TypeError, ValueError):
            raise TypeError(
                f'{what} items must be (name, value) pairs, got {item!r}'
            ) from None
        if key is not None and not isinstance(key, str):
            raise TypeError(
                f'{what} keys must be value index names or RELATION (None),'
                f' got {key!r}')
        result[key] = value
    return result




def document(cls, *ifaces):
    """Give the methods of `cls` that implement `ifaces` the interfaces'
    docstrings (the reference documentation lives in interfaces.py)."""
    for iface in ifaces:
        for name in iface.names(all=True):
            method = cls.__dict__.get(name)
            if callable(method) and not method.__doc__:
                method.__doc__ = iface[name].__doc__
