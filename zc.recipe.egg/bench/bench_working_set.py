"""Working-set resolution: the recipe's cached call against the engine.

Prints one line: milliseconds per resolution of ``zc.buildout`` (with its
dependencies) through the engine directly, and through ``Eggs._working_set``
whose cache turns repeats into a deep copy; ratio = recipe / engine.
"""
import os
import shutil
import tempfile
import time

import zc.buildout.easy_install
import zc.buildout.testing

import zc.recipe.egg

ROUNDS = 20


def per_call_ms(func):
    func()  # warm up
    start = time.perf_counter()
    for _ in range(ROUNDS):
        func()
    return (time.perf_counter() - start) / ROUNDS * 1e3


def main():
    here = os.getcwd()
    directory = tempfile.mkdtemp()
    try:
        os.chdir(directory)
        os.mkdir('index')
        index = 'file://' + os.path.join(directory, 'index')
        buildout = zc.buildout.testing.Buildout()
        b = buildout['buildout']
        recipe = zc.recipe.egg.Eggs(buildout, 'bench', {'index': index})
        args = (['zc.buildout'], b['eggs-directory'],
                b['develop-eggs-directory'])

        def engine():
            zc.buildout.easy_install.install(
                args[0], args[1], index=index, path=[args[2]],
                newest=False)

        def cached():
            recipe._working_set(*args, newest=False, index=index)

        plain = per_call_ms(engine)
        ours = per_call_ms(cached)
    finally:
        os.chdir(here)
        shutil.rmtree(directory)
        zc.buildout.easy_install.clear_index_cache()
    print(f'zc.recipe.egg working set: engine {plain:.2f} ms, '
          f'cached recipe {ours:.2f} ms, ratio {ours / plain:.3f}')


if __name__ == '__main__':
    main()
