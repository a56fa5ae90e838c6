"""Intransitive: stored answers of exact queries (and joins)."""
import itertools

import BTrees
import persistent
import zope.interface

from zc.relation import interfaces
from zc.relation._query import Any
from zc.relation._query import document as _document
from zc.relation._query import sort_key as _sort_key
from zc.relation._sets import as_set as _as_set


def _query_key(query):
    # Tuples compare element by element; marking None values with 0 and
    # tokens with 1 keeps None from ever being compared with a token.
    return tuple(
        (name, 0) if value is None else (name, 1, value)
        for name, value in sorted(query.items(),
                                  key=lambda kv: _sort_key(kv[0])))


@zope.interface.implementer(interfaces.ISearchIndex, interfaces.IListener)
class Intransitive(persistent.Persistent):
    """Stores the answers of exact queries over the value indexes `names`.

    With `queryFactory`, the stored answer is that of the factory's start
    queries (a join).  Only the matching relation tokens are stored; value
    results (`name`) are the union of those relations' current `name`
    tokens, taken when asked, so they never go stale.
    `getValueTokens(index, name, token, catalog, source, additions,
    removals, removed)` may say which values of `name` a change affects.
    """

    def __init__(self, names, name=None, queryFactory=None,
                 getValueTokens=None, update=None, unlimitedDepth=False):
        self.names = tuple(sorted(names, key=_sort_key))
        self.name = name
        self.queryFactory = queryFactory
        self.getValueTokens = getValueTokens
        if update is None:
            update = set(self.names)
            if name is not None:
                update.add(name)
        self.update = frozenset(update)
        self.unlimitedDepth = unlimitedDepth
        self.catalog = None
        self._results = None

    def setCatalog(self, catalog):
        if catalog is None:
            self.catalog = None
            self._results = None
            return None
        if self.catalog is not None:
            raise ValueError('catalog already set')
        self.catalog = catalog
        self._results = BTrees.family32.OO.BTree()
        self.sourceAdded(catalog)
        res = [(self.name, self.names, (), 1, None, self.queryFactory)]
        if self.unlimitedDepth:
            res.append(
                (self.name, self.names, (), None, None, self.queryFactory))
        return res

    def copy(self, catalog):
        new = type(self).__new__(type(self))
        new.__setstate__(dict(self.__getstate__()))
        tools = catalog.getRelationModuleTools()
        new._results = BTrees.family32.OO.BTree()
        for key, rels in self._results.items():
            new._results[key] = tools['TreeSet'](rels)
        new.catalog = catalog
        return new

    def _tools(self):
        if self.name is None:
            return self.catalog.getRelationModuleTools()
        return self.catalog.getValueModuleTools(self.name)

    def getResults(self, name, query, maxDepth, filter, queryFactory):
        for value in query.values():
            if isinstance(value, Any):
                return None
        tools = self._tools()
        rels = self._results.get(_query_key(query))
        if rels is None:
            return tools['Set']()
        if self.name is None:
            return tools['Set'](rels)
        return _as_set(
            [self.catalog.getValueTokens(self.name, t) for t in rels], tools)

    def _compute(self, query):
        catalog = self.catalog
        starts = None
        if self.queryFactory is not None:
            getQueries = self.queryFactory(query, catalog)
            if getQueries is not None:
                starts = list(getQueries(()))
        if starts is None:
            starts = [query]
        reltools = catalog.getRelationModuleTools()
        found = [catalog.getRelationTokens(q) for q in starts]
        rels = _as_set(found, reltools)
        key = _query_key(query)
        if rels:
            self._results[key] = reltools['TreeSet'](rels)
        elif key in self._results:
            del self._results[key]

    def _queries(self, token, catalog, additions, removals, removed):
        source = {}
        for n in self.names:
            values = set()
            for mapping in (additions, removals):
                if n in mapping:
                    tokens = mapping[n]
                    if tokens is None:
                        values.add(None)
                    else:
                        values.update(tokens)
            if values:
                if not removed and source:
                    source.clear()
                    break
                source[n] = values
        if removed and not source:
            return []
        own = self.catalog
        for n in self.names:
            answer = None
            if self.getValueTokens is not None:
                answer = self.getValueTokens(
                    self, n, token, catalog, source, additions, removals,
                    removed)
            if answer is not None:
                source[n] = answer
            elif n not in source:
                # For RELATION the relation's "value" is its own token.
                if n is None:
                    current = (token,)
                else:
                    current = own.getValueTokens(n, token)
                source[n] = {None}.union(current or ())
        choices = [list(source[n]) for n in self.names]
        return [dict(zip(self.names, combo))
                for combo in itertools.product(*choices)]

    def _recompute(self, queries):
        seen = set()
        for q in queries:
            key = _query_key(q)
            if key not in seen:
                seen.add(key)
                self._compute(BTrees.family32.OO.Bucket(q))

    def _changed(self, additions, removals):
        return any(k in self.update for k in itertools.chain(
            additions.keys(), removals.keys()))

    def relationAdded(self, token, catalog, additions):
        if self._changed(additions, {}):
            self._recompute(self._queries(token, catalog, additions, {},
                                          False))

    def relationModified(self, token, catalog, additions, removals):
        if self._changed(additions, removals):
            self._recompute(self._queries(token, catalog, additions,
                                          removals, False))

    def relationRemoved(self, token, catalog, removals):
        if self._changed({}, removals):
            self._recompute(self._queries(token, catalog, {}, removals,
                                          True))

    def _sourceTokens(self, catalog):
        names = [info['name'] for info in catalog.iterValueIndexInfo()]
        for token in catalog.getRelationTokens():
            yield token, {n: catalog.getValueTokens(n, token) for n in names}

    def sourceAdded(self, catalog):
        queries = []
        for token, values in self._sourceTokens(catalog):
            queries.extend(self._queries(token, catalog, values, {}, False))
        self._recompute(queries)

    def sourceRemoved(self, catalog):
        queries = []
        for token, values in self._sourceTokens(catalog):
            queries.extend(self._queries(token, catalog, {}, values, True))
        self._recompute(queries)

    def sourceCleared(self, catalog):
        if catalog is self.catalog:
            self._results = BTrees.family32.OO.BTree()
            self.sourceAdded(catalog)

    def sourceCopied(self, original, copy):
        pass


# Pickles name the class by its public home.
Intransitive.__module__ = 'zc.relation.searchindex'
_document(Intransitive, interfaces.ISearchIndex, interfaces.IListener)
