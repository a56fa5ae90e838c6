"""The tutorial (README.rst) as a test, on sample buildouts."""
import doctest
import os
import unittest

# zc.buildout brings its own pkg_resources; it must be imported before
# anything that imports pkg_resources (docs/development.md).
import zc.buildout.testing

from zc.recipe.egg import testing

# What a sample buildout needs to run zope.testrunner, copied from the test
# process's own eggs: the sample has no index to get them from.
RUNNER_EGGS = ('zope.testrunner', 'zope.interface', 'zope.exceptions',
               'zope.testing')


def setUp(test):
    testing.setUp(test, 'zc.recipe.testrunner')
    eggs = os.path.join(test.globs['sample_buildout'], 'eggs', 'v5')
    for name in RUNNER_EGGS:
        zc.buildout.testing.install(name, eggs)


def test_suite():
    return unittest.TestSuite([
        doctest.DocFileSuite(
            '../README.rst', setUp=setUp, tearDown=testing.tearDown,
            checker=testing.checker, globs={'testing': testing, 'os': os},
            optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE),
    ])
