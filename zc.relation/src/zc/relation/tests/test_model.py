"""Model-based checks: random graphs against a naive breadth-first oracle.

Relations are the integers 0..N-1; relation ``r`` has a set of parents
(relation tokens, a multiple index) and a label (a single value).  The
oracle keeps a plain dict of the same graph and answers every search by
walking it directly.
"""
import collections
import unittest

import BTrees
import hypothesis
import hypothesis.strategies as st

from zc.relation import RELATION
from zc.relation.catalog import Catalog
from zc.relation.queryfactory import TransposingTransitive
from zc.relation.searchindex import Intransitive
from zc.relation.searchindex import TransposingTransitiveMembership

N = 8


class Node:
    def __init__(self, token, parents, label):
        self.token = token
        self.parents = parents
        self.label = label


def dump(node, catalog, cache):
    return node.token


def load(token, catalog, cache):
    return catalog._test_nodes[token]


def parents(node, catalog):
    return node.parents


def label(node, catalog):
    return node.label


def children_of(graph, token):
    return sorted(r for r, (ps, _) in graph.items() if token in ps)


def oracle_levels(graph, start, step, maxDepth):
    """Breadth-first closure: list of levels (sorted lists)."""
    level = sorted(start)
    seen = set(level)
    levels = []
    while level and (maxDepth is None or len(levels) < maxDepth):
        levels.append(level)
        following = set()
        for t in level:
            following.update(step(t))
        level = sorted(following - seen)
        seen.update(level)
    return levels


def oracle_chains(graph, start, step, maxDepth, filter=None):
    """The per-path chain walk, on the plain graph: every chain from
    the start, breadth first, stopping at a relation already on it."""
    result = []
    pending = collections.deque([((), sorted(start))])
    while pending:
        prefix, tokens = pending.popleft()
        for t in tokens:
            chain = prefix + (t,)
            if filter is not None and not filter(chain):
                continue
            extend = maxDepth is None or len(chain) < maxDepth
            found = set(step(t))
            cycled = bool(found) and bool(found.intersection(chain))
            if extend and found and not cycled:
                pending.append((chain, sorted(found)))
            result.append((chain, cycled))
    return result


class Model:
    def __init__(self, with_index):
        self.catalog = Catalog(dump, load)
        self.catalog._test_nodes = {}
        self.catalog.addValueIndex(parents, multiple=True)
        self.catalog.addValueIndex(label, btree=BTrees.family32.OI)
        self.down = TransposingTransitive('parents', RELATION)
        self.catalog.addDefaultQueryFactory(self.down)
        self.membership = self.ancestry = None
        if with_index:
            self.add_membership_indexes()
        self.intransitive = Intransitive(('parents',))
        self.catalog.addSearchIndex(self.intransitive)
        self.labelled = Intransitive(('label',), name='parents')
        self.catalog.addSearchIndex(self.labelled)
        self.graph = {}

    def add_membership_indexes(self):
        # Down the hierarchy (with the labels), and up it: relations keyed
        # by RELATION, the other orientation of the same factory.
        self.membership = TransposingTransitiveMembership(
            'parents', RELATION, names=('label',))
        self.catalog.addSearchIndex(self.membership)
        self.ancestry = TransposingTransitiveMembership(RELATION, 'parents')
        self.catalog.addSearchIndex(self.ancestry)

    def apply(self, op):
        kind, token, ps, lab = op
        if kind == 'unindex':
            self.catalog.unindex_doc(token)
            self.graph.pop(token, None)
        else:
            node = Node(token, set(ps), lab)
            self.catalog._test_nodes[token] = node
            self.catalog.index(node)
            self.graph[token] = (set(ps), lab)
        if self.membership is not None:
            self.check_stored_members()

    def members(self, token):
        """The oracle's members of `token`: itself and every relation
        below it."""
        graph = self.graph
        levels = oracle_levels(
            graph, [token], lambda t: children_of(graph, t), None)
        return sorted(t for level in levels for t in level)

    def ancestors(self, token):
        """The oracle's members of `token` going up: itself and every
        relation above it."""
        graph = self.graph
        levels = oracle_levels(
            graph, [token],
            lambda t: sorted(p for p in graph[t][0] if p in graph), None)
        return sorted(t for level in levels for t in level)

    def check_stored_members(self):
        for index, members in ((self.membership, self.members),
                               (self.ancestry, self.ancestors)):
            expected = {}
            for token in self.graph:
                found = members(token)
                if found != [token]:
                    expected[token] = found
            stored = {t: list(m) for t, m in index.iterStoredMembers()}
            assert stored == expected, (stored, expected)
            for token in range(N):
                assert list(index.getMembers(token)) == (
                    members(token) if token in self.graph else [])


operations = st.lists(
    st.tuples(st.sampled_from(['index', 'index', 'index', 'unindex']),
              st.integers(0, N - 1),
              st.frozensets(st.integers(0, N - 1), max_size=3),
              st.sampled_from(['a', 'b', 'c', None])),
    min_size=1, max_size=25)


class ModelTests(unittest.TestCase):

    def check(self, model):
        graph = model.graph
        catalog = model.catalog

        def down(t):
            return children_of(graph, t)

        def up(t):
            return sorted(p for p in graph[t][0] if p in graph)

        for value in range(N):
            direct = children_of(graph, value)
            for maxDepth in (None, 1, 2, 3):
                levels = oracle_levels(graph, direct, down, maxDepth)
                expected = [t for level in levels for t in level]
                for ignore in (False, True):
                    got = list(catalog.findRelationTokens(
                        {'parents': value}, maxDepth=maxDepth,
                        ignoreSearchIndex=ignore))
                    self.assertEqual(sorted(got), sorted(expected))
                    # level by level: the position of each token follows
                    # its distance.
                    if ignore or maxDepth is not None:
                        depth = {t: i for i, lv in enumerate(levels)
                                 for t in lv}
                        self.assertEqual(
                            [depth[t] for t in got],
                            sorted(depth[t] for t in got))
                labels = sorted({graph[t][1] for t in expected
                                 if graph[t][1] is not None})
                self.assertEqual(
                    sorted(catalog.findValueTokens(
                        'label', {'parents': value}, maxDepth=maxDepth)),
                    labels)
                for target in range(N):
                    self.assertEqual(
                        catalog.canFind({'parents': value},
                                        maxDepth=maxDepth,
                                        targetQuery={RELATION: target}),
                        target in expected)
            reachable = oracle_levels(graph, direct, down, None)
            on_cycles = [
                t for level in reachable for t in level
                if t in {u for lv in oracle_levels(graph, down(t), down, None)
                         for u in lv}]
            self.assertEqual(
                list(catalog.findCycleTokens({'parents': value})),
                sorted(on_cycles))
            # Filtered searches and chains follow the chain walk, at every
            # depth.
            def skip_even(chain):
                return chain[-1] % 2 == 1 or len(chain) == 1
            for maxDepth in (None, 1, 2, 3):
                chains = oracle_chains(graph, direct, down, maxDepth)
                got = list(catalog.findRelationTokenChains(
                    {'parents': value}, maxDepth=maxDepth))
                self.assertEqual([tuple(c) for c in got],
                                 [c for c, _ in chains])
                self.assertEqual([hasattr(c, 'cycled') for c in got],
                                 [cyc for _, cyc in chains])
                filtered = oracle_chains(graph, direct, down, maxDepth,
                                         skip_even)
                unique = list(dict.fromkeys(c[-1] for c, _ in filtered))
                self.assertEqual(
                    list(catalog.findRelationTokens(
                        {'parents': value}, maxDepth=maxDepth,
                        filter=lambda c, q, cat, cache: skip_even(c))),
                    unique)
                labels = list(dict.fromkeys(
                    graph[c[-1]][1] for c, _ in filtered
                    if graph[c[-1]][1] is not None))
                self.assertEqual(
                    sorted(catalog.findValueTokens(
                        'label', {'parents': value}, maxDepth=maxDepth,
                        filter=lambda c, q, cat, cache: skip_even(c))),
                    sorted(labels))
            # Intransitive answers equal the direct query.
            answer = model.intransitive.getResults(
                None, BTrees.family32.OO.Bucket({'parents': value}), 1, None,
                None)
            self.assertEqual(list(answer), direct)
        if model.membership is not None:
            model.check_stored_members()
            for value in range(N):
                query = BTrees.family32.OO.Bucket({'parents': value})
                expected = sorted(set().union(
                    *[model.members(t) for t in children_of(graph, value)]))
                # The catalog's answer is the index's: a set, not the
                # level-by-level generator.
                answer = catalog.findRelationTokens({'parents': value})
                self.assertIsInstance(answer, BTrees.family32.IF.Set)
                self.assertEqual(list(answer), expected)
                self.assertEqual(
                    list(model.membership.getResults(
                        None, query, None, None, model.down)), expected)
                self.assertEqual(
                    list(model.membership.getResults(
                        'label', query, None, None, model.down)),
                    sorted({graph[t][1] for t in expected
                            if graph[t][1] is not None}))
        roots = sorted(t for t, (ps, _) in graph.items() if not ps)
        unlabelled = sorted(t for t, (_, lb) in graph.items() if lb is None)
        for ignore in (False, True):
            self.assertEqual(
                list(catalog.findRelationTokens(
                    {'parents': None}, maxDepth=1, ignoreSearchIndex=ignore)),
                roots)
            self.assertEqual(
                list(catalog.findRelationTokens(
                    {'label': None}, ignoreSearchIndex=ignore)),
                unlabelled)
            self.assertEqual(
                sorted(catalog.findRelationTokens(
                    {'parents': None}, ignoreSearchIndex=ignore)),
                sorted(set().union(*[model.members(t) for t in roots])))
        for lab in ('a', 'b', 'c'):
            expected = sorted(set().union(*[
                ps for ps, lb in graph.values() if lb == lab]))
            answer = model.labelled.getResults(
                'parents', BTrees.family32.OO.Bucket({'label': lab}), 1,
                None, None)
            self.assertEqual(list(answer), expected)
        for token in graph:
            levels = oracle_levels(graph, [token], up, None)
            expected = sorted(t for level in levels for t in level)
            self.assertEqual(
                sorted(catalog.findRelationTokens({RELATION: token})),
                expected)
            if model.ancestry is not None:
                self.assertEqual(
                    repr(catalog.findRelationTokens({RELATION: token})),
                    f'IFSet({expected})')
            # Upwards, with a target: the index answers from the members
            # of the targets.
            for target in range(N):
                for ignore in (False, True):
                    self.assertEqual(
                        catalog.canFind({RELATION: token},
                                        targetQuery={'parents': target},
                                        ignoreSearchIndex=ignore),
                        any(target in graph[t][0] for t in expected))
        self.assertEqual(len(catalog), len(graph))

    @hypothesis.settings(max_examples=150, deadline=None, database=None)
    @hypothesis.given(operations, st.booleans())
    def test_searches_match_an_oracle_after_random_changes(
            self, ops, with_index):
        model = Model(with_index)
        for op in ops:
            model.apply(op)
        self.check(model)

    @hypothesis.settings(max_examples=40, deadline=None, database=None)
    @hypothesis.given(operations, operations)
    def test_an_index_added_late_or_cleared_matches_the_oracle(
            self, before, after):
        model = Model(False)
        for op in before:
            model.apply(op)
        model.add_membership_indexes()
        self.check(model)
        model.catalog.clear()
        model.graph.clear()
        for op in after:
            model.apply(op)
        self.check(model)
