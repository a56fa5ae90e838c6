"""The tutorial (README.rst) as a test, on sample buildouts."""
import doctest
import glob
import os
import shutil
import sys
import sysconfig
import unittest

# zc.buildout brings its own pkg_resources; it must be imported before
# anything that imports pkg_resources (docs/development.md).
import zc.buildout.testing

from zc.recipe.egg import testing


def missing_build_tools():
    """What the custom-build story lacks: a C compiler or Python's headers."""
    missing = []
    if shutil.which('cc') is None:
        missing.append('a C compiler (cc)')
    include = sysconfig.get_paths()['include']
    if not os.path.exists(os.path.join(include, 'Python.h')):
        missing.append(f'Python.h in {include}')
    return missing


class BuildToolsTest(unittest.TestCase):
    """Stands in for custom.rst where it cannot run, so that the gap shows
    as a failure instead of a silently smaller suite."""

    def test_custom_builds_need_a_compiler_and_headers(self):
        self.fail('custom.rst cannot run without '
                  + ' and '.join(missing_build_tools())
                  + ' (.ci/run installs gcc)')


def test_suite():
    suite = unittest.TestSuite()
    options = dict(
        setUp=testing.setUp, tearDown=testing.tearDown,
        checker=testing.checker,
        globs={'testing': testing, 'sys': sys, 'glob': glob},
        optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    suite.addTest(doctest.DocFileSuite('../README.rst', **options))
    if missing_build_tools():
        suite.addTest(unittest.defaultTestLoader.loadTestsFromTestCase(
            BuildToolsTest))
    else:
        suite.addTest(doctest.DocFileSuite('../custom.rst', **options))
    return suite
