"""The tutorial (README.rst) as a test, on sample buildouts."""
import doctest
import unittest

import zc.buildout.testing  # installs pkg_resources first (P14)

from zc.recipe.egg import testing


def test_suite():
    return unittest.TestSuite([
        doctest.DocFileSuite(
            '../README.rst', setUp=testing.setUp, tearDown=testing.tearDown,
            checker=testing.checker,
            optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE),
    ])
