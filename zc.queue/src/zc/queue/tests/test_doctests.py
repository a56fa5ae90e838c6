"""The tutorial (README.rst) as a test."""
import doctest
import shutil
import tempfile
import unittest


def setUp(test):
    # The tutorial's databases live in a fresh directory per run.
    test.globs['directory'] = tempfile.mkdtemp(prefix='zc.queue-')


def tearDown(test):
    # The tutorial closes its database; this matters when it fails early.
    db = test.globs.get('db')
    if db is not None:
        db.close()
    shutil.rmtree(test.globs['directory'])


def test_suite():
    return unittest.TestSuite([
        doctest.DocFileSuite(
            '../README.rst', setUp=setUp, tearDown=tearDown,
            optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE),
    ])
