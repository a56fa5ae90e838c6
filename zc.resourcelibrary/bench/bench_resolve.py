"""Resolving the needs of a page against a 1,000-library dependency graph.

Two graphs of 1,000 libraries, each library with one file:

- a random DAG (fixed seed): every library requires up to three libraries
  declared before it; the page needs every tenth library;
- a chain: library i requires library i+1; the page needs the first, so
  the dependencies are 999 deep.

``zc.resourcelibrary.resolve`` is measured side by side with the original
package's algorithm, written out here as the baseline: recursive, checking
"already included" in the output list (linear), and revisiting libraries
without files.  The recursive baseline needs a raised recursion limit for
the chain; ``resolve`` is iterative and needs none.  Prints one line.
"""
import os
import random
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', 'src'))

from zc.resourcelibrary import core  # noqa: E402
from zc.resourcelibrary.resourcelibrary import LibraryInfo  # noqa: E402

SIZE = 1000
ROUNDS = 9


def info(index, required):
    result = LibraryInfo()
    result.included = [f'lib{index}.js']
    result.required = [f'lib{r}' for r in required]
    return result


def random_graph():
    chooser = random.Random(42)
    return {f'lib{i}': info(i, chooser.sample(
                range(i), min(i, chooser.randint(0, 3))))
            for i in range(SIZE)}


def chain():
    return {f'lib{i}': info(i, [i + 1] if i + 1 < SIZE else [])
            for i in range(SIZE)}


def original(names, registry):
    """The original algorithm, for comparison."""
    result = []

    def visit(name):
        if name in result:
            return
        if name not in registry:
            raise RuntimeError(f'Unknown resource library: "{name}"')
        for dependency in registry[name].required:
            visit(dependency)
        if registry[name].included:
            result.append(name)
    for name in names:
        visit(name)
    return result


def seconds(function, names, registry, repeat):
    start = time.perf_counter()
    for _ in range(repeat):
        function(names, registry)
    return (time.perf_counter() - start) / repeat


def compare(names, registry, repeat):
    assert core.resolve(names, registry) == original(names, registry)
    pairs = [(seconds(original, names, registry, repeat),
              seconds(core.resolve, names, registry, repeat))
             for _ in range(ROUNDS)]
    ours = statistics.median(p[1] for p in pairs)
    theirs = statistics.median(p[0] for p in pairs)
    ratio = statistics.median(p[1] / p[0] for p in pairs)
    return ours, theirs, ratio


def main():
    sys.setrecursionlimit(SIZE * 4)  # for the recursive baseline only
    graph = random_graph()
    needs = [f'lib{i}' for i in range(0, SIZE, 10)]
    dag = compare(needs, graph, 20)
    deep = compare(['lib0'], chain(), 20)
    print(f'bench_resolve ({SIZE} libraries, median of {ROUNDS} alternating '
          f'rounds): random DAG, {len(needs)} needs -> '
          f'{len(core.resolve(needs, graph))} libraries: '
          f'{dag[0] * 1e3:.2f} ms vs original algorithm '
          f'{dag[1] * 1e3:.2f} ms, ratio {dag[2]:.3f}; chain {SIZE} deep: '
          f'{deep[0] * 1e3:.2f} ms vs {deep[1] * 1e3:.2f} ms, '
          f'ratio {deep[2]:.3f}')


if __name__ == '__main__':
    main()
