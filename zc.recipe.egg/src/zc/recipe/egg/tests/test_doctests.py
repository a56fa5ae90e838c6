"""The tutorial (README.rst) as a test, on sample buildouts."""
import doctest
import glob
import os
import shutil
import sys
import sysconfig
import unittest

import zc.buildout.testing  # installs pkg_resources first (P14)

from zc.recipe.egg import testing


def can_compile():
    """The custom-build story needs a C compiler and Python's headers."""
    include = sysconfig.get_paths()['include']
    return (sys.platform != 'win32' and shutil.which('cc') is not None
            and os.path.exists(os.path.join(include, 'Python.h')))


def test_suite():
    suite = unittest.TestSuite()
    options = dict(
        setUp=testing.setUp, tearDown=testing.tearDown,
        checker=testing.checker,
        globs={'testing': testing, 'sys': sys, 'glob': glob},
        optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    suite.addTest(doctest.DocFileSuite('../README.rst', **options))
    if can_compile():
        suite.addTest(doctest.DocFileSuite('../custom.rst', **options))
    return suite
