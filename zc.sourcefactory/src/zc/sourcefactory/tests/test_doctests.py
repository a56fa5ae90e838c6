"""The tutorial (README.rst) and the rule documents as tests."""
import doctest
import re
import unittest

import zope.component.testing
import zope.testing.renormalizing

# Default reprs carry memory addresses.
CHECKER = zope.testing.renormalizing.RENormalizing([
    (re.compile(r' object at 0x[0-9a-fA-F]+>'), ' object at 0x...>'),
])


def tearDown(test):
    zope.component.testing.tearDown(test)


def test_suite():
    return unittest.TestSuite([
        doctest.DocFileSuite(
            '../README.rst', '../tokens.rst', '../adapters.rst',
            tearDown=tearDown, checker=CHECKER,
            optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE),
    ])
