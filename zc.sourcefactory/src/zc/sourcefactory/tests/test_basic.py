import os
import subprocess
import sys
import unittest

from zc.sourcefactory import factories
from zc.sourcefactory import policies
from zc.sourcefactory.basic import BasicSourceFactory


def imported_after(module):
    """The zc.sourcefactory modules a fresh interpreter has after `module`.
    """
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    code = (f'import sys, {module}; print(sorted(m for m in sys.modules'
            f' if m.startswith("zc.sourcefactory")))')
    return subprocess.run(
        [sys.executable, '-c', code], env=env, check=True,
        capture_output=True, text=True, timeout=60).stdout


class BasicTests(unittest.TestCase):

    def test_basic_factory_is_the_factory_with_the_basic_policies(self):
        self.assertEqual(
            BasicSourceFactory.__bases__,
            (factories.BasicSourceFactory, policies.BasicSourcePolicy))

    def test_importing_basic_imports_the_source_module(self):
        self.assertIn("'zc.sourcefactory.source'",
                      imported_after('zc.sourcefactory.basic'))
