"""The tutorial (README.rst) as a test."""
import doctest
import shutil
import sys
import tempfile
import types
import unittest

# The tutorial defines persistent classes, which connections load again by
# module and class name, as they would from a user's script.  So the
# tutorial runs in the namespace of a module registered under this name.
TUTORIAL_MODULE = 'zc_twist_tutorial'


def setUp(test):
    module = types.ModuleType(TUTORIAL_MODULE)
    module.__dict__.update(test.globs)
    module.__dict__['__name__'] = TUTORIAL_MODULE
    module.tmpdir = tempfile.mkdtemp(prefix='zc.twist-')
    sys.modules[TUTORIAL_MODULE] = module
    test.globs = module.__dict__


def tearDown(test):
    shutil.rmtree(test.globs['tmpdir'])
    del sys.modules[TUTORIAL_MODULE]


def test_suite():
    return unittest.TestSuite([
        doctest.DocFileSuite(
            '../README.rst', setUp=setUp, tearDown=tearDown,
            optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE),
    ])
