"""The tutorial (README.rst) as a test."""
import doctest
import shutil
import tempfile
import unittest


def setUp(test):
    test.globs['tmpdir'] = tempfile.mkdtemp(prefix='zc.twist-')


def tearDown(test):
    shutil.rmtree(test.globs['tmpdir'])


def test_suite():
    return unittest.TestSuite([
        doctest.DocFileSuite(
            '../README.rst', setUp=setUp, tearDown=tearDown,
            optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE),
    ])
