"""Standard query factories."""
import BTrees
import persistent
import zope.interface

from zc.relation import interfaces
from zc.relation._query import RELATION
from zc.relation._query import Any
from zc.relation._query import sort_key as _sort_key


@zope.interface.implementer(interfaces.ITransposingQueryFactory)
class TransposingTransitive(persistent.Persistent):
    """Walks a relation graph by swapping two query keys.

    A query keyed by one of `name1`/`name2` continues, from each relation
    found, with the same query in which that key now holds the relation's
    value for the other name (or the relation token itself when the other
    name is RELATION).  `static` (a mapping or pairs) must be matched by the
    query for the factory to apply.
    """

    def __init__(self, name1, name2, static=()):
        self.names = [name1, name2]
        if hasattr(static, 'items'):
            static = static.items()
        self.static = tuple(sorted(static, key=lambda kv: _sort_key(kv[0])))

    def orientation(self, query):
        """(key present in query, the other name) or None."""
        for key, value in self.static:
            if key not in query:
                return None
            actual = query[key]
            if isinstance(value, Any):
                if isinstance(actual, Any):
                    if not actual.source.issubset(value.source):
                        return None
                elif actual not in value.source:
                    return None
            elif value != actual:
                return None
        name1, name2 = self.names
        has1 = name1 in query
        if has1 == (name2 in query):
            return None
        return (name1, name2) if has1 else (name2, name1)

    def __call__(self, query, catalog):
        orientation = self.orientation(query)
        if orientation is None:
            return None
        name, other = orientation

        def getQueries(relchain):
            if not relchain:
                yield query
                return
            token = relchain[-1]
            if other is RELATION:
                following = token
            else:
                tokens = catalog.getValueTokens(other, token)
                if not tokens:
                    return
                following = Any(tokens)
            res = BTrees.family32.OO.Bucket(query)
            res[name] = following
            yield res
        return getQueries

    def __eq__(self, other):
        return (type(other) is type(self)
                and set(other.names) == set(self.names)
                and other.static == self.static)

    def __ne__(self, other):
        return not self.__eq__(other)

    __hash__ = None
