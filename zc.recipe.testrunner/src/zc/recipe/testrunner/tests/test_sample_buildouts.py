"""Generated scripts on sample buildouts: layers, extras, src layout."""
import os
import re
import types
import unittest

from zc.recipe.testrunner.tests import test_doctests


def _project(root, name, files, setup_args):
    os.makedirs(os.path.join(root, name))
    with open(os.path.join(root, name, 'setup.py'), 'w') as f:
        f.write(f'from setuptools import setup\nsetup(name={name!r}, '
                f"version='1.0', {setup_args})\n")
    for path, text in files.items():
        path = os.path.join(root, name, path)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, 'w') as f:
            f.write(text)


LAYERED_TESTS = '''\
import unittest


class Layer1:
    @classmethod
    def setUp(cls):
        print('layer1 set up')


class Layer2:
    @classmethod
    def setUp(cls):
        print('layer2 set up')


class One(unittest.TestCase):
    layer = Layer1

    def test_one(self):
        pass


class Two(unittest.TestCase):
    layer = Layer2

    def test_two(self):
        pass
'''

SIMPLE_TESTS = '''\
import unittest


class Simple(unittest.TestCase):

    def test_simple(self):
        pass
'''


class SampleBuildoutTests(unittest.TestCase):

    def setUp(self):
        self.test = types.SimpleNamespace(globs={})
        test_doctests.setUp(self.test)
        self.addCleanup(test_doctests.testing.tearDown, self.test)
        self.globs = self.test.globs
        self.sample = self.globs['sample_buildout']

    def buildout(self, develop, part):
        server = self.globs['link_server']
        with open(os.path.join(self.sample, 'buildout.cfg'), 'w') as f:
            f.write(f'[buildout]\ndevelop = {develop}\nparts = test\n'
                    f'find-links = {server}\nindex = {server}index\n'
                    f'newest = false\n\n[test]\n'
                    f'recipe = zc.recipe.testrunner\n{part}')
        output = self.globs['system'](self.globs['buildout'] + ' -q')
        self.assertNotIn('Error', output)

    def run_script(self, *args):
        output = self.globs['system'](
            ' '.join([os.path.join(self.sample, 'bin', 'test'), *args]),
            with_exit_code=True)
        output, status = output.rsplit('EXIT CODE: ', 1)
        return output, int(status)

    def test_layers_in_subprocesses_with_a_working_directory(self):
        _project(self.sample, 'layered',
                 {'layered/__init__.py': '', 'layered/tests.py':
                  LAYERED_TESTS}, "packages=['layered']")
        os.mkdir(os.path.join(self.sample, 'work'))
        self.buildout('layered', 'eggs = layered\nworking-directory = work\n')
        output, status = self.run_script('-vv', '-j2')
        self.assertEqual(status, 0, output)
        self.assertEqual(output.count('Running in a subprocess.'), 2, output)
        self.assertIn('layer1 set up', output)
        self.assertIn('layer2 set up', output)
        self.assertEqual(len(re.findall(r'Ran 1 tests', output)), 2, output)
        self.assertIn('Total: 2 tests, 0 failures, 0 errors and 0 skipped',
                      output)

    def test_extras_pull_in_their_requirements(self):
        _project(self.sample, 'extrapkg',
                 {'extrapkg/__init__.py': '', 'extrapkg/tests.py':
                  SIMPLE_TESTS + 'import eggrecipedemoneeded\n'},
                 "packages=['extrapkg'], "
                 "extras_require={'test': ['demoneeded']}")
        self.buildout('extrapkg', 'eggs = extrapkg[test]\n')
        output, status = self.run_script('--list-tests')
        self.assertEqual(status, 0, output)
        self.assertIn('test_simple (extrapkg.tests.Simple', output)
        self.assertNotIn('Test-module import failures', output)

    def test_src_layout_has_one_test_path(self):
        _project(self.sample, 'srcpkg',
                 {'src/srcpkg/__init__.py': '', 'src/srcpkg/tests.py':
                  SIMPLE_TESTS},
                 "package_dir={'': 'src'}, packages=['srcpkg']")
        self.buildout('srcpkg', 'eggs = srcpkg\n')
        with open(os.path.join(self.sample, 'bin', 'test')) as f:
            script = f.read()
        paths = re.findall(r"'--test-path', '([^']+)'", script)
        self.assertEqual(
            [os.path.realpath(path) for path in paths],
            [os.path.realpath(os.path.join(self.sample, 'srcpkg', 'src'))])
        output, status = self.run_script('--list-tests')
        self.assertEqual(status, 0, output)
        self.assertIn('srcpkg.tests', output)
