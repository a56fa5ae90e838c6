"""The tutorial (README.rst) as a test."""
import doctest
import shutil
import tempfile
import unittest


def setUp(test):
    # The tutorial's databases live in a fresh directory per run.
    test.globs['directory'] = tempfile.mkdtemp(prefix='zc.queue-')


def tearDown(test):
    # The tutorial closes its databases and stops its server; this matters
    # when it fails early.
    for name in ('db', 'shared'):
        db = test.globs.get(name)
        if db is not None:
            db.close()
    postgres = test.globs.get('postgres')
    if postgres is not None:
        postgres.stop()
    shutil.rmtree(test.globs['directory'])


def test_suite():
    return unittest.TestSuite([
        doctest.DocFileSuite(
            '../README.rst', setUp=setUp, tearDown=tearDown,
            optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE),
    ])
