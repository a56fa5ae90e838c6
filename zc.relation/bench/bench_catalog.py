"""zc.relation on a synthetic hierarchy of 50 000 relations.

The graph: a random recursive tree (node i's parent drawn from 0..i-1) plus
2% extra parent links (fixed seed), indexed with one multiple value index
``parents`` and ``TransposingTransitive('parents', RELATION)`` as default
factory.  Phases: indexing; ancestor and descendant searches, canFind both
ways and value searches (600 queries each), without and then with a
``TransposingTransitiveMembership`` search index; the index's build; reindex
after moves with and without it; the index's size; the build on a 10 000
node 4-ary tree.  Every answer is turned into a list inside the timing
(search results may be lazy), and checked outside it.

Prints one line: seconds (ms for reindex) per phase; for the phases where
the issue that asked for stored member sets gives the original's figures
(zc.relation 3.0 on this workload, on this kind of machine: the original
cannot run here), those figures and the speed-up against them; the same
descendant searches through the per-path chain walk measured in this run
as an in-process baseline; and a checksum of every answer, so that runs
can be compared.
"""
import random
import time
import zlib

import BTrees

from zc.relation import RELATION
from zc.relation.catalog import Catalog
from zc.relation.queryfactory import TransposingTransitive
from zc.relation.searchindex import TransposingTransitiveMembership

SIZE = 50_000
QUERIES = 600
MOVES = 200
SEED = 20261123

# The original (zc.relation 3.0) on this workload with its search index,
# as given in the issue: seconds for 600 queries, the index build, and
# milliseconds per reindex of a moved relation.
ORIGINAL = {
    'descendants': 0.010, 'canfind': 0.019, 'build': 0.32,
    'reindex_ms': 1.26,
}


class Node:
    __slots__ = ('token', 'parents')

    def __init__(self, token, parents):
        self.token = token
        self.parents = parents


def dump(node, catalog, cache):
    return node.token


def load(token, catalog, cache):
    return catalog.nodes[token]


def parents(node, catalog):
    return node.parents


def make_catalog(nodes):
    catalog = Catalog(dump, load)
    catalog.nodes = nodes
    catalog.addValueIndex(parents, multiple=True)
    catalog.addDefaultQueryFactory(TransposingTransitive('parents', RELATION))
    return catalog


def random_graph(rng):
    nodes = {0: Node(0, BTrees.family32.IF.TreeSet())}
    for i in range(1, SIZE):
        links = {rng.randrange(i)}
        if rng.random() < 0.02:
            links.add(rng.randrange(i))
        nodes[i] = Node(i, BTrees.family32.IF.TreeSet(links))
    return nodes


class Checksum:
    def __init__(self):
        self.value = 0

    def add(self, items):
        self.value = zlib.crc32(repr(list(items)).encode(), self.value)


def timed(func):
    start = time.perf_counter()
    func()
    return time.perf_counter() - start


def accept_all(chain, query, catalog, cache):
    return True


def run_queries(catalog, starts, pairs, check, ignore):
    figures = {}
    answers = []
    keep = answers.append

    def ancestors():
        for s in starts:
            keep(list(catalog.findRelationTokens(
                {RELATION: s}, ignoreSearchIndex=ignore)))

    def descendants():
        for s in starts:
            keep(list(catalog.findRelationTokens(
                {'parents': s}, ignoreSearchIndex=ignore)))

    def canfind():
        for a, b in pairs:
            keep((catalog.canFind({'parents': a},
                                  targetQuery={RELATION: b},
                                  ignoreSearchIndex=ignore),
                  catalog.canFind({RELATION: a},
                                  targetQuery={'parents': b},
                                  ignoreSearchIndex=ignore)))

    def values():
        for s in starts:
            keep(list(catalog.findValueTokens(
                'parents', {RELATION: s}, ignoreSearchIndex=ignore)))
            keep(list(catalog.findValueTokens(
                'parents', {'parents': s}, ignoreSearchIndex=ignore)))

    def walk_descendants():
        # The same searches through the per-path chain walk (what upstream
        # did for every unindexed search): an always-true filter forces it.
        for s in starts:
            keep(list(catalog.findRelationTokens(
                {'parents': s}, filter=accept_all,
                ignoreSearchIndex=ignore)))

    phases = [('ancestors', ancestors), ('descendants', descendants),
              ('canfind', canfind), ('values', values)]
    if ignore:
        phases.insert(0, ('walk', walk_descendants))
    for name, func in phases:
        figures[name] = timed(func)
        for answer in answers:
            check.add(sorted(answer) if isinstance(answer, list) else answer)
        answers.clear()
    return figures


def reindex_moves(catalog, rng, check):
    nodes = catalog.nodes
    start = time.perf_counter()
    for _ in range(MOVES):
        token = rng.randrange(1, SIZE)
        node = nodes[token]
        # re-point to an earlier node: the graph stays acyclic
        node.parents = BTrees.family32.IF.TreeSet([rng.randrange(token)])
        catalog.index(node)
    elapsed = time.perf_counter() - start
    check.add(catalog.findRelationTokens({'parents': 0}))
    return elapsed / MOVES * 1000


def four_ary_build():
    nodes = {0: Node(0, BTrees.family32.IF.TreeSet())}
    for i in range(1, 10_000):
        nodes[i] = Node(i, BTrees.family32.IF.TreeSet([(i - 1) // 4]))
    catalog = make_catalog(nodes)
    for node in nodes.values():
        catalog.index(node)
    index = TransposingTransitiveMembership('parents', RELATION)
    return timed(lambda: catalog.addSearchIndex(index))


def index_size(index):
    """(stored member sets, members in them)."""
    sets = members = 0
    for token, found in index.iterStoredMembers():
        sets += 1
        members += len(found)
    return sets, members


def main():
    rng = random.Random(SEED)
    nodes = random_graph(rng)
    check = Checksum()
    catalog = make_catalog(nodes)
    index_time = timed(lambda: [catalog.index(n) for n in nodes.values()])
    # Ten searches from the top (the whole graph), a third high in the
    # tree (large subtrees), the rest anywhere (mostly small ones).
    starts = list(range(10)) + [
        rng.randrange(1000) if i % 3 == 0 else rng.randrange(SIZE)
        for i in range(QUERIES - 10)]
    pairs = [(rng.randrange(SIZE), rng.randrange(SIZE))
             for _ in range(QUERIES)]
    plain = run_queries(catalog, starts, pairs, check, ignore=True)
    reindex_plain = reindex_moves(catalog, rng, check)
    membership = TransposingTransitiveMembership('parents', RELATION)
    build = timed(lambda: catalog.addSearchIndex(membership))
    indexed = run_queries(catalog, starts, pairs, check, ignore=False)
    reindex_ix = reindex_moves(catalog, rng, check)
    sets, members = index_size(membership)
    build_4ary = four_ary_build()

    def versus(name, mine):
        ratio = f'{ORIGINAL[name] / mine:.1f}x' if mine else 'inf'
        return f'(original {ORIGINAL[name]}, {ratio})'

    print(
        f'zc.relation {SIZE} rels, {QUERIES} queries/phase: '
        f'index {index_time:.2f}s; '
        f'unindexed: ancestors {plain["ancestors"]:.3f}s '
        f'descendants {plain["descendants"]:.3f}s (chain walk in this run '
        f'{plain["walk"]:.3f}s, {plain["walk"] / plain["descendants"]:.1f}x)'
        f' canFind {plain["canfind"]:.3f}s values {plain["values"]:.3f}s; '
        f'search index: build {build:.3f}s {versus("build", build)}, '
        f'size {sets} sets / {members} members; indexed: ancestors '
        f'{indexed["ancestors"]:.3f}s descendants '
        f'{indexed["descendants"]:.3f}s '
        f'{versus("descendants", indexed["descendants"])} canFind '
        f'{indexed["canfind"]:.3f}s {versus("canfind", indexed["canfind"])}'
        f' values {indexed["values"]:.3f}s; '
        f'reindex {reindex_plain:.3f}ms, with index {reindex_ix:.3f}ms '
        f'{versus("reindex_ms", reindex_ix)}; '
        f'4-ary 10k build {build_4ary:.3f}s; '
        f'checksum {check.value:08x}')


if __name__ == '__main__':
    main()
