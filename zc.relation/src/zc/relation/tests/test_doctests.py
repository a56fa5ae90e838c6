"""The tutorial and the topic documents as tests."""
import doctest
import unittest

import transaction
import zope.testing.module

FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


def setUp(test):
    # Catalogs stored in ZODB pickle the doctest's own classes and
    # functions, which must therefore live in an importable module.
    zope.testing.module.setUp(test, 'zc.relation.doctest_module')


def tearDown(test):
    transaction.abort()
    db = test.globs.get('db')
    if db is not None:
        db.close()
    zope.testing.module.tearDown(test)


def test_suite():
    return unittest.TestSuite([
        doctest.DocFileSuite(
            '../README.rst', '../tokens.rst', '../searchindex.rst',
            '../optimization.rst',
            setUp=setUp, tearDown=tearDown, optionflags=FLAGS),
    ])
