"""TransposingTransitiveMembership: every relation's transitive members,
stored, and kept exact as the catalog changes."""
import persistent
import zope.interface

from zc.relation import _sets
from zc.relation import interfaces
from zc.relation._query import Any
from zc.relation._query import document as _document
from zc.relation._query import sort_key as _sort_key
from zc.relation._sets import as_set as _as_set
from zc.relation._sets import multiunion
from zc.relation.queryfactory import TransposingTransitive


@zope.interface.implementer(interfaces.IReachingSearchIndex)
class TransposingTransitiveMembership(persistent.Persistent):
    """Stores, for every relation, its transitive members under
    ``TransposingTransitive(forward, reverse, static)``, and answers
    unlimited-depth searches keyed by `forward` from them.

    The members of a relation are the relation itself and every relation
    reachable from it by the factory's step.  Only relations with more
    members than themselves get a stored set (a BTree from relation token
    to ``Set``, or ``TreeSet`` for large sets): leaves cost nothing.
    Cycles are strongly connected components whose relations all share
    the same members.

    A change to one relation can only change the members of the relations
    that reach it, and only by relations that it reached before or reaches
    now; maintenance recomputes exactly that part (see `_update`).
    """

    # Indexes pickled before the members were stored have no `_members`;
    # they are built on first use.
    _members = None

    def __init__(self, forward, reverse, names=(), static=()):
        if hasattr(static, 'items'):
            static = static.items()
        static = tuple(sorted(static, key=lambda kv: _sort_key(kv[0])))
        for key, value in static:
            if isinstance(value, Any):
                raise NotImplementedError(
                    '``Any`` static values are not supported at this time')
        self.forward = forward
        self.reverse = reverse
        self.names = tuple(names)
        self.static = static
        self.factory = TransposingTransitive(forward, reverse, static)
        self.catalog = None
        self._members = None

    def setCatalog(self, catalog):
        if catalog is None:
            self.catalog = None
            self._members = None
            return None
        if self.catalog is not None:
            raise ValueError('catalog already set')
        self.catalog = catalog
        self._build()
        registrations = [
            (name, (self.forward,), self.static, None, None, self.factory)
            for name in (None,) + self.names]
        if not self.static:
            # Searches the other way (up a hierarchy indexed downwards):
            # ``getResults`` declines them, ``reaches`` answers them.
            registrations.append(
                (None, (self.reverse,), (), None, None, self.factory))
        return registrations

    def copy(self, catalog):
        new = type(self).__new__(type(self))
        new.__setstate__(dict(self.__getstate__()))
        new.catalog = catalog
        members = self._stored()
        copied = _keyed(catalog)()
        TreeSet = catalog.getRelationModuleTools()['TreeSet']
        for token, found in members.items():
            copied[token] = type(found)(found)
        new._members = copied
        return new

    def _stored(self):
        if self._members is None and self.catalog is not None:
            self._build()
        return self._members

    def getMembers(self, token):
        """The members of relation `token` (a relation-module ``Set``):
        itself and every relation reachable from it; empty for a token
        that is not a relation of the catalog."""
        tools = self.catalog.getRelationModuleTools()
        found = self._stored().get(token)
        if found is not None:
            return tools['Set'](found)
        if token in self.catalog.getRelationTokens():
            return tools['Set']((token,))
        return tools['Set']()

    def iterStoredMembers(self):
        """(token, members) for every relation whose members are more than
        itself, ascending by token: what the index stores."""
        return iter(self._stored().items())

    def _reltools(self):
        reltools = getattr(self, '_v_reltools', None)
        if reltools is None or reltools[0] is not self.catalog:
            reltools = self._v_reltools = (
                self.catalog, self.catalog.getRelationModuleTools())
        return reltools[1]

    def getResults(self, name, query, maxDepth, filter, queryFactory):
        if self.forward not in query:
            return None
        catalog = self.catalog
        members = self._members
        if members is None:
            members = self._stored()
        reltools = self._reltools()
        rels = catalog.getRelationTokens(query)
        if not rels:
            return reltools['Set']()
        token = rels.minKey()
        if token == rels.maxKey():
            found = members.get(token)
            if found is None:
                found = reltools['Set']((token,))
            else:
                found = _as_set((found,), reltools)
        else:
            found = _as_set(
                [rels] + [members.get(t) for t in rels], reltools)
        if name is None:
            return found
        vtools = catalog.getValueModuleTools(name)
        return _as_set(
            [catalog.getValueTokens(name, t) for t in found], vtools)

    def reaches(self, query, maxDepth, filter, queryFactory, targets):
        catalog = self.catalog
        members = self._members
        if members is None:
            members = self._stored()
        rels = catalog.getRelationTokens(query)
        if not rels:
            return False
        if targets is None:
            return True
        if self.forward in query:
            # Does a member of one of `rels` lie in `targets`?
            for token in rels:
                found = members.get(token)
                if found is None:
                    if token in targets:
                        return True
                elif _meet(found, targets):
                    return True
            return False
        # Searching the other way, the relations found are those with a
        # member in `rels`: is one of them in `targets`?
        if len(targets) > _REACH_PROBES:
            return None
        for token in targets:
            if token in rels:
                return True
            found = members.get(token)
            if found is not None and _meet(found, rels):
                return True
        return False

    # -- the graph -----------------------------------------------------------

    def _targets(self, catalog):
        """The relations a step may reach: those matching the static
        values (None: all relations)."""
        if not self.static:
            return None
        found = catalog.getRelationTokens(dict(self.static))
        if not found:
            return catalog.getRelationModuleTools()['Set']()
        return found

    def _successors(self, catalog):
        """A function giving a relation's successors (the relations one
        step reaches) as a relation-module set, or None."""
        forward, reverse = self.forward, self.reverse
        reltools = catalog.getRelationModuleTools()
        Set = reltools['Set']
        relations = catalog.getRelationTokens()
        targets = self._targets(catalog)
        intersect = reltools['intersection']
        if forward is not None:
            fmap = catalog.getValueTokens(forward)
        if forward is not None and reverse is None:
            get = fmap.get

            def following(token):
                try:
                    return get(token)
                except TypeError:
                    return None
        elif forward is not None:
            def following(token):
                values = catalog.getValueTokens(reverse, token)
                if not values:
                    return None
                found = []
                for v in values:
                    try:
                        rels = fmap.get(v)
                    except TypeError:
                        continue
                    if rels:
                        found.append(rels)
                return multiunion(found, reltools) if found else None
        else:
            def following(token):
                values = catalog.getValueTokens(reverse, token)
                if not values:
                    return None
                found = [v for v in values if _holds(relations, v)]
                return Set(found) if found else None
        if targets is None:
            return following

        def restricted(token):
            found = following(token)
            if found:
                return intersect(found, targets)
            return None
        return restricted

    def _predecessors(self, catalog, token, values=None):
        """The relations with a step to `token` (before static values are
        checked: a superset), as a Python set.  `values` overrides the
        relation's current `forward` values."""
        forward, reverse = self.forward, self.reverse
        if forward is None:
            values = (token,)
        elif values is None:
            values = catalog.getValueTokens(forward, token) or ()
        if reverse is None:
            relations = catalog.getRelationTokens()
            return {v for v in values if _holds(relations, v)}
        rmap = catalog.getValueTokens(reverse)
        found = set()
        for v in values:
            try:
                rels = rmap.get(v)
            except TypeError:
                continue
            if rels:
                found.update(rels)
        return found

    # -- building ------------------------------------------------------------

    def _build(self):
        catalog = self.catalog
        reltools = catalog.getRelationModuleTools()
        following = self._successors(catalog)
        try:
            self._members = self._buildAcyclic(catalog, following, reltools)
        except _Cycle:
            self._members = self._buildComponents(
                catalog, following, reltools)

    def _buildAcyclic(self, catalog, following, reltools):
        """The stored members of an acyclic graph, each relation's made
        when a depth-first walk leaves it; raises `_Cycle` on a step back
        to a relation still being walked."""
        stored = _keyed(catalog)()
        Set = reltools['Set']
        TreeSet = reltools['TreeSet']
        union = reltools['multiunion'] or (
            lambda sets: multiunion(sets, reltools))
        if self.forward is not None and self.reverse is None and (
                not self.static):
            # The usual hierarchy: a relation's successors are the
            # relations naming it.  One pass over the value map beats a
            # BTree lookup per step.
            following = dict(catalog.getValueTokens(self.forward).items()).get
        done = {}    # non-leaf token -> its members, or _WALKING
        walking = _WALKING
        for root in catalog.getRelationTokens():
            if root in done:
                continue
            succ = following(root)
            if not succ:
                continue
            done[root] = walking
            # node, its successors, the walk over them, the member sets of
            # the successors walked
            work = [(root, succ, iter(succ), [succ])]
            while work:
                node, succ, children, sets = work[-1]
                for child in children:
                    state = done.get(child)
                    if state is None:
                        found = following(child)
                        if found:
                            done[child] = walking
                            work.append((child, found, iter(found), [found]))
                            break
                    elif state is walking:
                        raise _Cycle
                    else:
                        sets.append(state)
                else:
                    work.pop()
                    sets.append(Set((node,)))
                    members = done[node] = union(sets)
                    stored[node] = (members if len(members) <= _SMALL
                                    else TreeSet(members))
                    if work:
                        work[-1][3].append(members)
        return stored

    def _buildComponents(self, catalog, following, reltools):
        """The stored members of any graph: Tarjan's strongly connected
        components (iteratively; hierarchies are deeper than the recursion
        limit), each component's members made once its successors' are
        known."""
        stored = _keyed(catalog)()
        TreeSet = reltools['TreeSet']
        known = {}   # token -> its successors
        order = {}
        low = {}
        stack = []
        onstack = set()
        done = {}    # token -> members (None: just itself)
        for root in catalog.getRelationTokens():
            if root in order or root in done:
                continue
            succ = following(root)
            if not succ:
                continue
            order[root] = low[root] = len(order)
            stack.append(root)
            onstack.add(root)
            known[root] = succ
            work = [(root, iter(succ))]
            while work:
                node, children = work[-1]
                for child in children:
                    if child in done:
                        continue
                    if child in order:
                        if child in onstack and order[child] < low[node]:
                            low[node] = order[child]
                        continue
                    csucc = following(child)
                    if not csucc:
                        # A leaf: its own component, with no members but
                        # itself.
                        done[child] = None
                        continue
                    order[child] = low[child] = len(order)
                    stack.append(child)
                    onstack.add(child)
                    known[child] = csucc
                    work.append((child, iter(csucc)))
                    break
                else:
                    work.pop()
                    if work:
                        parent = work[-1][0]
                        if low[node] < low[parent]:
                            low[parent] = low[node]
                    if low[node] != order[node]:
                        continue
                    component = []
                    while True:
                        member = stack.pop()
                        onstack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    sets = []
                    for member in component:
                        succ = known.pop(member)
                        sets.append(succ)
                        for child in succ:
                            found = done.get(child)
                            if found is not None:
                                sets.append(found)
                    sets.append(reltools['Set'](component))
                    members = multiunion(sets, reltools)
                    if len(members) == 1:
                        # A relation whose only step leads to itself.
                        done[node] = None
                        continue
                    for member in component:
                        done[member] = members
                        stored[member] = (
                            type(members)(members) if len(members) <= _SMALL
                            else TreeSet(members))
        return stored

    # -- maintenance ---------------------------------------------------------

    def _update(self, token, forwardValues):
        """Bring the stored members up to date after relation `token`
        changed (values, static values, added or removed).

        Only the relations that reached `token` before the change or reach
        it now (`affected`) can change their members, and only by
        relations that `token` reached before or reaches now (`changing`):
        any other path avoids `token`, and so uses no changed step.
        Relations reaching `token` before the change reached it along a
        path that enters it only at the end, from one of its old
        predecessors, through unchanged steps; so `affected` is `token`
        plus everything above the predecessors it may have had
        (`forwardValues` includes the removed values) in the current
        graph.  Within `changing`, the new members of the affected
        relations are a small fixpoint over the affected subgraph; outside
        it nothing changes.
        """
        catalog = self.catalog
        members = self._stored()
        reltools = catalog.getRelationModuleTools()
        relations = catalog.getRelationTokens()
        following = self._successors(catalog)
        # Everything above the possible predecessors.
        affected = {token}
        pending = list(self._predecessors(catalog, token, forwardValues))
        while pending:
            t = pending.pop()
            if t in affected:
                continue
            affected.add(t)
            pending.extend(self._predecessors(catalog, t))
        old = members.get(token)
        changing = set(old) if old is not None else set()
        changing.add(token)
        succ = {}
        for t in affected:
            if not _holds(relations, t):
                succ[t] = ()
                continue
            found = following(t)
            succ[t] = () if not found else found
        for child in succ[token]:
            changing.add(child)
            found = members.get(child)
            if found is not None:
                changing.update(found)
        # base[t]: t's new members within `changing`, through steps that
        # leave the affected relations; inner[t]: its affected successors.
        base = {}
        inner = {}
        for t in affected:
            reach = {t} & changing if _holds(relations, t) else set()
            within = []
            for child in succ[t]:
                if child in affected:
                    within.append(child)
                    continue
                if child in changing:
                    reach.add(child)
                found = members.get(child)
                if found is not None:
                    reach.update(_probe(changing, found))
            base[t] = reach
            inner[t] = within
        reached = _closure(base, inner)
        Set = reltools['Set']
        TreeSet = reltools['TreeSet']
        for t in affected:
            now = reached[t]
            stored = members.get(t)
            if not _holds(relations, t):
                if stored is not None:
                    del members[t]
                continue
            if stored is None:
                if now - {t}:
                    now.add(t)
                    members[t] = (Set(now) if len(now) <= _SMALL
                                  else TreeSet(now))
                continue
            lost = [m for m in changing if m in stored and m not in now]
            gained = [m for m in now if m not in stored]
            for m in lost:
                stored.remove(m)
            if gained:
                stored.update(gained)
            if len(stored) == 1 and t in stored:
                del members[t]
            elif len(stored) > _SMALL and not isinstance(stored, TreeSet):
                members[t] = TreeSet(stored)

    def _changed(self, additions, removals):
        keys = set(additions)
        keys.update(removals)
        if self.forward in keys or self.reverse in keys:
            return True
        return any(k in keys for k, v in self.static)

    def _forwardValues(self, token, additions, removals):
        if self.forward is None:
            return None
        values = set(self.catalog.getValueTokens(self.forward, token) or ())
        values.update(removals.get(self.forward) or ())
        values.update(additions.get(self.forward) or ())
        return values

    def relationAdded(self, token, catalog, additions):
        if catalog is self.catalog:
            self._update(token, self._forwardValues(token, additions, {}))

    def relationModified(self, token, catalog, additions, removals):
        if catalog is self.catalog and self._changed(additions, removals):
            self._update(
                token, self._forwardValues(token, additions, removals))

    def relationRemoved(self, token, catalog, removals):
        if catalog is self.catalog:
            self._update(token, self._forwardValues(token, {}, removals))

    def sourceCleared(self, catalog):
        if catalog is self.catalog:
            self._build()


# Member sets up to this size are stored as a ``Set`` (one small record);
# larger ones as a ``TreeSet``, so that a change rewrites a bucket, not the
# whole set.
_SMALL = 256

_WALKING = object()

# Searches the other way probe the members of every target; beyond this
# many targets, walking the graph is cheaper.
_REACH_PROBES = 64

# Sets are intersected by probing one token at a time up to this many.
_PROBES = 16


class _Cycle(Exception):
    """The graph has a cycle."""


def _keyed(catalog):
    """An empty BTree from the catalog's relation tokens to objects."""
    modname = catalog.getRelationModuleTools()['BTree'].__module__
    return _sets.tools(modname)['keyed']


def _meet(found, targets):
    """Whether `found` (a member set, perhaps large) and `targets` (most
    often a few tokens) share a token.  Probes the targets one by one
    while they are few: the length of a large TreeSet costs a walk over
    its buckets."""
    count = 0
    for token in targets:
        if token in found:
            return True
        count += 1
        if count == _PROBES:
            break
    else:
        return False
    return bool(_sets.intersection(
        found, targets, _sets.tools(type(found).__module__)))


def _holds(tokens, token):
    try:
        return token in tokens
    except TypeError:
        return False


def _probe(small, large):
    """The members of the Python set `small` that are in `large`."""
    if len(small) * 8 < len(large):
        return [m for m in small if m in large]
    return [m for m in large if m in small]


def _closure(base, inner):
    """Least sets with reached[t] = base[t] | reached[c] for c in
    inner[t] (a fixpoint over a small graph that may have cycles)."""
    reached = {t: set(s) for t, s in base.items()}
    parents = {}
    for t, children in inner.items():
        for c in children:
            parents.setdefault(c, []).append(t)
    pending = [t for t in inner if reached[t]]
    while pending:
        c = pending.pop()
        found = reached[c]
        for p in parents.get(c, ()):
            target = reached[p]
            if not found <= target:
                target |= found
                pending.append(p)
    return reached


# Pickles name the class by its public home.
TransposingTransitiveMembership.__module__ = 'zc.relation.searchindex'
_document(TransposingTransitiveMembership, interfaces.IReachingSearchIndex)
