"""Finding test paths: the recipe's location rules against bare metadata.

Prints one line: microseconds to map every distribution on ``sys.path`` to
its code locations with ``_dist_locations`` (reading direct_url.json and
.pth files), against only enumerating the distributions and their
``locate_file('')``; ratio = recipe / baseline.
"""
import importlib.metadata
import sys
import time

import zc.recipe.testrunner

ROUNDS = 30


def per_call_us(func):
    func()  # warm up
    start = time.perf_counter()
    for _ in range(ROUNDS):
        func()
    return (time.perf_counter() - start) / ROUNDS * 1e6


def baseline():
    return {dist.metadata['Name']: dist.locate_file('')
            for dist in importlib.metadata.distributions(path=sys.path)}


def recipe():
    return {dist.metadata['Name']:
            zc.recipe.testrunner._dist_locations(dist)
            for dist in importlib.metadata.distributions(path=sys.path)}


def main():
    count = len(recipe())
    plain = per_call_us(baseline)
    ours = per_call_us(recipe)
    print(f'zc.recipe.testrunner test paths for {count} distributions: '
          f'baseline {plain:.0f} us, recipe {ours:.0f} us, '
          f'ratio {ours / plain:.2f}')


if __name__ == '__main__':
    main()
