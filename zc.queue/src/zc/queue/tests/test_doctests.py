"""The tutorial (README.rst) as a test."""
import doctest
import shutil
import tempfile
import unittest


def setUp(test):
    # The tutorial's databases live in a fresh directory per run.
    test.globs['directory'] = tempfile.mkdtemp(prefix='zc.queue-')


def tearDown(test):
    for name in ('db', 'zeo_db'):
        db = test.globs.get(name)
        if db is not None:
            db.close()
    shutil.rmtree(test.globs['directory'])


def test_suite():
    return unittest.TestSuite([
        doctest.DocFileSuite(
            '../README.rst', setUp=setUp, tearDown=tearDown,
            optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE),
    ])
