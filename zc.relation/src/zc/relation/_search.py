"""The search half of the catalog: lookups, the search methods, chains,
the level-by-level closure and the dispatch to search indexes.

`Searching` reads the catalog's data (relation tokens and value maps) and
never changes it; `zc.relation.catalog.Catalog` keeps that data and adds
the maintenance: value indexes, indexing, registries, copy.
"""
import collections
from collections.abc import Iterable
from collections.abc import Iterator

import BTrees
import zope.interface

from zc.relation import interfaces
from zc.relation._query import RELATION
from zc.relation._query import Any
from zc.relation._query import QueryArg as _QueryArg
from zc.relation._query import normalize as _normalize
from zc.relation._sets import difference as _difference
from zc.relation._sets import intersection as _intersection
from zc.relation._sets import multiunion
from zc.relation._sets import tools as _tools
from zc.relation._sets import tools_cache as _tools_cache
from zc.relation.protocols import Filter as _Filter
from zc.relation.protocols import QueryFactory as _Factory

_OOBucket = BTrees.family32.OO.Bucket


@zope.interface.implementer(interfaces.ICircularRelationPath)
class CircularRelationPath(tuple):
    """A relation chain whose next step would revisit the chain.

    ``cycled`` lists the next-step queries that lead back into the chain.
    """

    def __new__(cls, elements, cycled):
        self = tuple.__new__(cls, elements)
        self.cycled = cycled
        return self

    def __repr__(self):
        return 'cycle' + tuple.__repr__(self)

    def __reduce__(self):
        return (type(self), (tuple(self), self.cycled))

# Pickles name the class by its historical home.
CircularRelationPath.__module__ = 'zc.relation.catalog'


class Searching:
    """The search methods of `zc.relation.catalog.Catalog`."""

    @property
    def _reltools(self):
        name = self._relModule
        return _tools_cache.get(name) or _tools(name)

    def _index(self, name):
        try:
            return self._indexes[name]
        except (KeyError, TypeError):
            raise KeyError(name) from None

    def _registeredIndexes(self, resultName, query, maxDepth, filter,
                           factory):
        """The search indexes registered for this search, in registration
        order."""
        matches = self._searchIndexMatches
        if not matches:
            return ()
        # Registrations by key, rebuilt whenever the registrations tuple
        # is replaced (add, remove, copy, a reload from the database).
        cached = getattr(self, '_v_searchIndexKeys', None)
        if cached is None or cached[0] is not matches:
            byKey = {}
            for mkey, ix, mfilter, mfactory, static, rname in matches:
                byKey.setdefault(mkey, []).append(
                    (ix, mfilter, mfactory, static))
            cached = self._v_searchIndexKeys = (matches, byKey, {})
        skey = search_key(resultName, query.keys(), maxDepth)
        candidates = cached[1].get(skey)
        if candidates is None:
            return ()
        # Factories and filters compare by value, and searches mostly use
        # the same few objects: remember which registrations they match.
        chosenByObjects = cached[2]
        ckey = (skey, id(factory), id(filter))
        chosen = chosenByObjects.get(ckey)
        if chosen is None or chosen[0] is not factory or (
                chosen[1] is not filter):
            if len(chosenByObjects) > 64:
                # Factories made per search would otherwise pile up.
                chosenByObjects.clear()
            matching = [
                (ix, static)
                for ix, mfilter, mfactory, static in candidates
                if mfilter == filter
                and (mfactory is factory or mfactory == factory)]
            chosen = chosenByObjects[ckey] = (
                factory, filter, matching,
                None if any(static for ix, static in matching)
                else [ix for ix, static in matching])
        if chosen[3] is not None:
            return chosen[3]
        return [ix for ix, static in chosen[2]
                if not static or not _static_mismatch(static, query)]

    def _searchIndexAnswer(self, resultName, query, maxDepth, filter,
                           factory):
        for ix in self._registeredIndexes(
                resultName, query, maxDepth, filter, factory):
            result = ix.getResults(resultName, query, maxDepth, filter,
                                   factory)
            if result is not None:
                return result
        return None

    # -- queries -----------------------------------------------------------

    def _checkNames(self, query):
        for key in query.keys():
            if key is not RELATION and key not in self._indexes:
                raise KeyError(key)

    def getRelationTokens(self, query=None):
        if query is None:
            return self._relTokens
        query = _normalize(query)
        if not query:
            return self._relTokens
        reltools = self._reltools
        sets = []
        for key, value in query.items():
            if key is RELATION:
                if value is None:
                    return None
                # Only relations of the catalog; probing each token is
                # cheaper than merging with the set of all relations.
                relations = self._relTokens
                if isinstance(value, Any):
                    if not value.source:
                        return None
                    s = reltools['Set']()
                    for t in value.source:
                        self._insertRelToken(s, t)
                    s = reltools['Set']([t for t in s if t in relations])
                else:
                    if value in relations:
                        s = reltools['Set']((value,))
                    else:
                        # Membership tests do not check the token's type.
                        s = reltools['Set']()
                        self._insertRelToken(s, value)
                        s.clear()
                sets.append(s)
                continue
            try:
                valmap = self._valueToRels[key]
            except (KeyError, TypeError):
                raise KeyError(key) from None
            if value is None:
                s = self._noValue[key]
                if not s:
                    return None
            elif isinstance(value, Any):
                found = [self._lookup(valmap, key, t) for t in value.source]
                found = [f for f in found if f]
                if not found:
                    return None
                s = multiunion(found, reltools)
            else:
                s = self._lookup(valmap, key, value)
                if s is None:
                    return None
            sets.append(s)
        if len(sets) == 1:
            return sets[0]
        sets.sort(key=len)
        result = sets[0]
        for s in sets[1:]:
            if not result:
                break
            result = _intersection(result, s, reltools)
        return result

    def _insertRelToken(self, s, token):
        try:
            s.insert(token)
        except TypeError:
            raise TypeError(
                f'relation token {token!r} does not fit the relation module '
                f'{self._relModule}') from None

    def _lookup(self, valmap, name, token):
        try:
            found = valmap.get(token)
            if found is None:
                # BTrees answer "missing" for keys of the wrong type; a
                # query with such a token is a mistake worth reporting.  A
                # range lookup checks the key's type.
                try:
                    valmap.minKey(token)
                except ValueError:
                    pass
        except TypeError:
            raise TypeError(
                f'value index {name!r} rejected query token {token!r}: '
                'wrong token type for its BTree module '
                f'{self._indexes[name]["btree"]}') from None
        return found

    def getValueTokens(self, name, reltoken=None):
        if reltoken is None:
            try:
                return self._valueToRels[name]
            except (KeyError, TypeError):
                raise KeyError(name) from None
        relmap = self._relToValues.get(name) if isinstance(
            name, str) else None
        if relmap is None:
            return None
        try:
            return relmap.get(reltoken)
        except TypeError:
            return None

    # -- searching: preparation --------------------------------------------

    def _prepare(self, query, maxDepth, queryFactory, name=None,
                 filters=()):
        if name is not None and name not in self._indexes:
            raise ValueError('name not indexed', name)
        if maxDepth is not None and (
                isinstance(maxDepth, bool) or not isinstance(maxDepth, int)
                or maxDepth < 1):
            raise ValueError('maxDepth must be None or a positive integer')
        for label, func in filters:
            if func is not None and not callable(func):
                raise TypeError(
                    f'{label} must be None or a callable (relchain, query, '
                    f'catalog, cache), got {func!r}')
        query = _normalize(query)
        factory = None
        getQueries = None
        if queryFactory is not None:
            factory = queryFactory
            getQueries = queryFactory(query, self)
        else:
            for f in self._queryFactories:
                getQueries = f(query, self)
                if getQueries is not None:
                    factory = f
                    break
        if getQueries is None and maxDepth is not None and maxDepth > 1:
            raise ValueError(
                'if maxDepth not in (None, 1), queryFactory must be available')
        return query, factory, getQueries

    def _target(self, targetQuery):
        """(normalized targetQuery, its relation set or None, matches
        nothing?)"""
        if type(targetQuery) is tuple and not targetQuery:
            return targetQuery, None, False
        targetQuery = _normalize(targetQuery, 'targetQuery')
        if not targetQuery:
            return targetQuery, None, False
        targets = self.getRelationTokens(targetQuery)
        return targetQuery, targets, not targets

    def _isFast(self, maxDepth, getQueries, filter, targetFilter):
        return ((maxDepth == 1 or (maxDepth is None and getQueries is None))
                and filter is None and targetFilter is None)

    def _closureOrientation(self, factory, query, filter, targetFilter):
        if (filter is not None or targetFilter is not None
                or not interfaces.ITransposingQueryFactory.providedBy(
                    factory)):
            return None
        orientation = factory.orientation(query)
        if orientation is not None:
            # The closure is computed lazily; unknown names must fail now.
            self._checkNames(query)
        return orientation

    def _startSets(self, query, getQueries):
        starts = [query] if getQueries is None else list(getQueries(()))
        sets = []
        for q in starts:
            s = self.getRelationTokens(q)
            if s:
                sets.append(s)
        return sets

    def _chains(self, query, maxDepth, filter, targets, targetFilter,
                getQueries, findCycles):
        checkFilter = checkTarget = None
        if filter is not None:
            checkFilter = self._filterCheck(filter)
        if targets is not None or targetFilter is not None:
            checkTarget = self._targetCheck(targets, targetFilter)
        return self.yieldRelationTokenChains(
            query, self._startSets(query, getQueries), maxDepth, checkFilter,
            checkTarget, getQueries, findCycles)

    def _filterCheck(self, filter):
        cache = {}

        def check(chain, query):
            return filter(chain, query, self, cache)
        return check

    def _targetCheck(self, targets, targetFilter):
        cache = {}

        def check(chain, query):
            if targets is not None and chain[-1] not in targets:
                return False
            return targetFilter is None or targetFilter(
                chain, query, self, cache)
        return check

    def yieldRelationTokenChains(self, query, relData, maxDepth, checkFilter,
                                 checkTargetFilter, getQueries,
                                 findCycles=True):
        reltools = self._reltools
        pending = collections.deque(((), iter(rels)) for rels in relData)
        while pending:
            prefix, tokens = pending[0]
            token = next(tokens, _MISSING)
            if token is _MISSING:
                pending.popleft()
                continue
            chain = prefix + (token,)
            if checkFilter is not None and not checkFilter(chain, query):
                continue
            extend = maxDepth is None or len(chain) < maxDepth
            cycled = []
            if getQueries is not None and (extend or findCycles):
                following = []
                for q in getQueries(chain):
                    found = self.getRelationTokens(q)
                    if not found:
                        continue
                    if [t for t in chain if t in found]:
                        cycled.append(q)
                    elif extend:
                        following.append(found)
                if following:
                    pending.append(
                        (chain, iter(multiunion(following, reltools))))
            if cycled:
                chain = CircularRelationPath(chain, cycled)
            if checkTargetFilter is None or checkTargetFilter(chain, query):
                yield chain

    # -- searching: the closure rule ---------------------------------------

    def _levels(self, query, name, other, maxDepth):
        """An iterator of the relation sets at distance 1, 2, ... from
        `query` under a transposing step from `name` to `other` (closure
        rule).  The starting sets are computed now, so bad queries fail at
        call time."""
        level = self.getRelationTokens(query)
        if not level:
            return iter(())
        rest = _OOBucket(query)
        del rest[name]
        restrict = self._relTokens
        if rest:
            restrict = self.getRelationTokens(rest)
            if not restrict:
                restrict = None
        return self._iterLevels(level, restrict, name, other, maxDepth)

    def _iterLevels(self, level, restrict, name, other, maxDepth):
        reltools = self._reltools
        visited = reltools['TreeSet'](level)
        yield level
        depth = 1
        # Relations found through a value map are indexed relations; only
        # tokens taken from values (name is RELATION) or a further
        # constraint need the check.
        relations = self._relTokens
        check = restrict is not relations or name is RELATION
        # The length of a TreeSet is a walk over its buckets; the
        # catalog's counter says how many relations there are.
        restrictSize = (self._relLength.value if restrict is relations
                        else None)
        while restrict is not None and (maxDepth is None or depth < maxDepth):
            found = self._step(level, name, other, reltools)
            if not found:
                return
            if check:
                if (restrictSize is not None
                        and len(found) * 16 < restrictSize):
                    found = reltools['Set'](
                        [t for t in found if t in relations])
                else:
                    found = _intersection(found, restrict, reltools)
            level = _difference(found, visited, reltools)
            if not level:
                return
            visited.update(level)
            depth += 1
            yield level

    def _step(self, level, name, other, reltools):
        if other is RELATION:
            values = level
        else:
            relmap = self._relToValues[other]
            values = multiunion(
                [relmap.get(t) for t in level],
                _tools(self._indexes[other]['btree']))
        if name is RELATION:
            if isinstance(values, reltools['collections']):
                return values
            return reltools['Set'](values)
        valmap = self._valueToRels[name]
        return multiunion([valmap.get(v) for v in values], reltools)

    # -- searching: public methods -----------------------------------------

    def findRelationTokens(self, query: _QueryArg = (),
                           maxDepth: int | None = None,
                           filter: _Filter | None = None,
                           targetQuery: _QueryArg = (),
                           targetFilter: _Filter | None = None,
                           queryFactory: _Factory | None = None,
                           ignoreSearchIndex: bool = False) -> Iterable:
        query, factory, getQueries = self._prepare(
            query, maxDepth, queryFactory,
            filters=(('filter', filter), ('targetFilter', targetFilter)))
        targetQuery, targets, none = self._target(targetQuery)
        if (self._isFast(maxDepth, getQueries, filter, targetFilter)
                and not targetQuery):
            self._checkNames(query)
            if not query:
                return self._relTokens
            result = self.getRelationTokens(query)
            return self._reltools['Set']() if result is None else result
        if not ignoreSearchIndex:
            answer = self._searchIndexAnswer(
                None, query, maxDepth, filter, factory)
            if answer is not None:
                if not targetQuery and targetFilter is None:
                    return answer
                return self._postProcess(
                    answer, query, targetQuery, targets, targetFilter)
        return self._findRelationTokens(
            query, maxDepth, filter, targets, none, targetFilter, factory,
            getQueries)

    def _postProcess(self, answer, query, targetQuery, targets,
                     targetFilter):
        reltools = self._reltools
        if not answer:
            return answer
        if targetQuery:
            if not targets:
                return reltools['Set']()
            answer = _intersection(answer, targets, reltools)
        if targetFilter is not None:
            return self._filterSingles(answer, query, targetFilter)
        return answer

    def _filterSingles(self, answer, query, targetFilter):
        cache = {}
        for r in answer:
            if targetFilter((r,), query, self, cache):
                yield r

    def _findRelationTokens(self, query, maxDepth, filter, targets, none,
                            targetFilter, factory, getQueries):
        if none:
            return _empty_generator()
        orientation = self._closureOrientation(
            factory, query, filter, targetFilter)
        if orientation is not None:
            levels = self._levels(query, *orientation, maxDepth)
            return self._closureTokens(levels, targets)
        if getQueries is None:
            # maxDepth 1 (or intransitive) with filters: chains of one.
            maxDepth = 1
        return self._uniqueLast(self._chains(
            query, maxDepth, filter, targets, targetFilter, getQueries,
            False))

    def _closureTokens(self, levels, targets):
        reltools = self._reltools
        for level in levels:
            if targets is not None:
                level = _intersection(level, targets, reltools)
            yield from level

    def _uniqueLast(self, chains):
        seen = set()
        for chain in chains:
            t = chain[-1]
            if t not in seen:
                seen.add(t)
                yield t

    def findRelations(self, query: _QueryArg = (),
                      maxDepth: int | None = None,
                      filter: _Filter | None = None,
                      targetQuery: _QueryArg = (),
                      targetFilter: _Filter | None = None,
                      queryFactory: _Factory | None = None,
                      ignoreSearchIndex: bool = False) -> Iterator:
        tokens = self.findRelationTokens(
            query, maxDepth, filter, targetQuery, targetFilter, queryFactory,
            ignoreSearchIndex)
        return self._convertAll(tokens, self._load)

    def findValueTokens(self, name: str, query: _QueryArg = (),
                        maxDepth: int | None = None,
                        filter: _Filter | None = None,
                        targetQuery: _QueryArg = (),
                        targetFilter: _Filter | None = None,
                        queryFactory: _Factory | None = None,
                        ignoreSearchIndex: bool = False) -> Iterable:
        query, factory, getQueries = self._prepare(
            query, maxDepth, queryFactory, name,
            (('filter', filter), ('targetFilter', targetFilter)))
        targetQuery, targets, none = self._target(targetQuery)
        vtools = _tools(self._indexes[name]['btree'])
        if self._isFast(maxDepth, getQueries, filter, targetFilter):
            self._checkNames(query)
            if not query and not targetQuery:
                return self._valueToRels[name]
            rels = self.getRelationTokens(query)
            if rels and targetQuery:
                rels = (_intersection(rels, targets, self._reltools)
                        if targets else None)
            if not rels:
                return vtools['Set']()
            relmap = self._relToValues[name]
            if len(rels) == 1:
                found = relmap.get(rels.minKey())
                return vtools['Set']() if found is None else found
            return multiunion([relmap.get(t) for t in rels], vtools)
        if not ignoreSearchIndex:
            if not targetQuery and targetFilter is None:
                answer = self._searchIndexAnswer(
                    name, query, maxDepth, filter, factory)
                if answer is not None:
                    return answer
            answer = self._searchIndexAnswer(
                None, query, maxDepth, filter, factory)
            if answer is not None:
                rels = self._postProcess(
                    answer, query, targetQuery, targets, targetFilter)
                relmap = self._relToValues[name]
                return multiunion([relmap.get(t) for t in rels], vtools)
        if none:
            return _empty_generator()
        orientation = self._closureOrientation(
            factory, query, filter, targetFilter)
        if orientation is not None:
            levels = self._levels(query, *orientation, maxDepth)
            return self._closureValues(levels, targets, name, vtools)
        if getQueries is None:
            maxDepth = 1
        chains = self._chains(query, maxDepth, filter, targets, targetFilter,
                              getQueries, False)
        return self._chainValues(chains, name)

    def _closureValues(self, levels, targets, name, vtools):
        reltools = self._reltools
        relmap = self._relToValues[name]
        seen = vtools['TreeSet']()
        for level in levels:
            if targets is not None:
                level = _intersection(level, targets, reltools)
            values = multiunion([relmap.get(t) for t in level], vtools)
            fresh = _difference(values, seen, vtools)
            if fresh:
                seen.update(fresh)
                yield from fresh

    def _chainValues(self, chains, name):
        relmap = self._relToValues[name]
        seenRels = set()
        seen = set()
        for chain in chains:
            t = chain[-1]
            if t in seenRels:
                continue
            seenRels.add(t)
            for v in relmap.get(t) or ():
                if v not in seen:
                    seen.add(v)
                    yield v

    def findValues(self, name: str, query: _QueryArg = (),
                   maxDepth: int | None = None,
                   filter: _Filter | None = None,
                   targetQuery: _QueryArg = (),
                   targetFilter: _Filter | None = None,
                   queryFactory: _Factory | None = None,
                   ignoreSearchIndex: bool = False) -> Iterable:
        tokens = self.findValueTokens(
            name, query, maxDepth, filter, targetQuery, targetFilter,
            queryFactory, ignoreSearchIndex)
        load = self._indexes[name]['load']
        if load is None:
            return tokens
        return self._convertAll(tokens, load)

    def findRelationTokenChains(self, query: _QueryArg,
                                maxDepth: int | None = None,
                                filter: _Filter | None = None,
                                targetQuery: _QueryArg = (),
                                targetFilter: _Filter | None = None,
                                queryFactory: _Factory | None = None
                                ) -> Iterator[tuple]:
        query, factory, getQueries = self._prepare(
            query, maxDepth, queryFactory,
            filters=(('filter', filter), ('targetFilter', targetFilter)))
        targetQuery, targets, none = self._target(targetQuery)
        if none:
            return _empty_generator()
        if getQueries is None:
            maxDepth = 1
        return self._chains(query, maxDepth, filter, targets, targetFilter,
                            getQueries, True)

    def findRelationChains(self, query: _QueryArg,
                           maxDepth: int | None = None,
                           filter: _Filter | None = None,
                           targetQuery: _QueryArg = (),
                           targetFilter: _Filter | None = None,
                           queryFactory: _Factory | None = None
                           ) -> Iterator[tuple]:
        chains = self.findRelationTokenChains(
            query, maxDepth, filter, targetQuery, targetFilter, queryFactory)
        return self._loadChains(chains)

    def _loadChains(self, chains):
        cache = {}
        load = self._load
        for chain in chains:
            loaded = tuple(load(t, self, cache) for t in chain)
            if isinstance(chain, CircularRelationPath):
                loaded = CircularRelationPath(loaded, chain.cycled)
            yield loaded

    def canFind(self, query: _QueryArg, maxDepth: int | None = None,
                filter: _Filter | None = None, targetQuery: _QueryArg = (),
                targetFilter: _Filter | None = None,
                queryFactory: _Factory | None = None,
                ignoreSearchIndex: bool = False) -> bool:
        query, factory, getQueries = self._prepare(
            query, maxDepth, queryFactory,
            filters=(('filter', filter), ('targetFilter', targetFilter)))
        targetQuery, targets, none = self._target(targetQuery)
        if none:
            return False
        if not ignoreSearchIndex:
            for ix in self._registeredIndexes(
                    None, query, maxDepth, filter, factory):
                if (targetFilter is None
                        and interfaces.IReachingSearchIndex.providedBy(ix)):
                    found = ix.reaches(
                        query, maxDepth, filter, factory, targets)
                    if found is not None:
                        return found
                answer = ix.getResults(None, query, maxDepth, filter,
                                       factory)
                if answer is None:
                    continue
                answer = self._postProcess(
                    answer, query, targetQuery, targets, targetFilter)
                for _ in answer:
                    return True
                return False
        if maxDepth == 1 or getQueries is None:
            if filter is None and targetFilter is None:
                self._checkNames(query)
                rels = self.getRelationTokens(query)
                if not rels:
                    return False
                if targets is None:
                    return True
                return bool(_intersection(rels, targets, self._reltools))
        orientation = self._closureOrientation(
            factory, query, filter, targetFilter)
        if orientation is not None:
            for _ in self._closureTokens(
                    self._levels(query, *orientation, maxDepth), targets):
                return True
            return False
        if getQueries is None:
            maxDepth = 1
        for _ in self._chains(query, maxDepth, filter, targets, targetFilter,
                              getQueries, False):
            return True
        return False

    def findCycleTokens(self, query, queryFactory=None):
        """The tokens of the relations that lie on a cycle reachable from
        `query` (a relation set), without enumerating chains.

        A relation is on a cycle when the factory's steps lead from it
        back to itself.  Steps are taken from one relation at a time
        (``getQueries((token,))``), so this suits factories whose next
        step depends on the last relation only, like
        ``TransposingTransitive``.  Without an applicable factory nothing
        is transitive and the answer is empty.
        """
        query, factory, getQueries = self._prepare(query, None, queryFactory)
        reltools = self._reltools
        starts = self._startSets(query, getQueries)
        if getQueries is None or not starts:
            return reltools['Set']()
        successors = {}

        def following(token):
            found = successors.get(token)
            if found is None:
                found = successors[token] = list(multiunion(
                    [self.getRelationTokens(q)
                     for q in getQueries((token,))], reltools))
            return found

        # Tarjan's strongly connected components, iteratively (graphs can
        # be deeper than the recursion limit).
        order = {}
        low = {}
        stack = []
        onstack = set()
        cyclic = []
        for root in multiunion(starts, reltools):
            if root in order:
                continue
            work = [(root, iter(following(root)))]
            order[root] = low[root] = len(order)
            stack.append(root)
            onstack.add(root)
            while work:
                node, children = work[-1]
                child = next(children, _MISSING)
                if child is not _MISSING:
                    if child not in order:
                        order[child] = low[child] = len(order)
                        stack.append(child)
                        onstack.add(child)
                        work.append((child, iter(following(child))))
                    elif child in onstack:
                        low[node] = min(low[node], order[child])
                    continue
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == order[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        onstack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1 or node in following(node):
                        cyclic.extend(component)
        return reltools['Set'](cyclic)

_MISSING = object()


def _empty_generator():
    return
    yield


def _static_mismatch(static, query):
    """Whether a registration's static values differ from the query's."""
    for k, v in static:
        if k not in query or query[k] != v:
            return True
    return False


def search_key(resultName, names, maxDepth):
    """The key under which searches meet search index registrations."""
    names = list(names)
    if len(names) == 1:
        # The usual search: one key.
        name = names[0]
        if name is RELATION:
            return (resultName, True, (), maxDepth or 0)
        return (resultName, False, (name,), maxDepth or 0)
    names = set(names)
    hasRelation = RELATION in names
    if hasRelation:
        names.discard(RELATION)
    return (resultName, hasRelation, tuple(sorted(names)), maxDepth or 0)
