"""The recipe: construction, the script it writes, relative paths."""
import importlib.metadata
import os
import shutil
import tempfile
import unittest

# zc.buildout brings its own pkg_resources; it must be imported before
# anything that imports pkg_resources (docs/development.md).
import zc.buildout.testing

import zc.recipe.egg.testing
import zc.recipe.testrunner
from zc.recipe.testrunner._recipe import _relativize


class RelativizeTests(unittest.TestCase):

    def test_paths_inside_the_base_become_relative_and_others_stay(self):
        base = os.path.join(os.sep, 'buildout')
        self.assertEqual(_relativize(base, os.path.join(base, 'parts', 't')),
                         f"join(base, {os.path.join('parts', 't')!r})")
        self.assertEqual(_relativize(base, '/elsewhere'), "'/elsewhere'")
        # A mere name prefix is not inside.
        self.assertEqual(_relativize(base, base + 'x'), repr(base + 'x'))
        self.assertEqual(_relativize(base, base), repr(base))


class ConstructionTests(unittest.TestCase):

    def setUp(self):
        here = os.getcwd()
        self.dir = os.path.realpath(tempfile.mkdtemp())
        os.chdir(self.dir)
        self.addCleanup(shutil.rmtree, self.dir)
        self.addCleanup(os.chdir, here)
        self.buildout = zc.recipe.egg.testing.quiet_buildout(self)
        self.b = self.buildout['buildout']

    def test_script_and_location_default_to_the_part_name(self):
        options = {}
        zc.recipe.testrunner.TestRunner(self.buildout, 'tests', options)
        self.assertEqual(options['script'],
                         os.path.join(self.b['bin-directory'], 'tests'))
        self.assertEqual(options['location'],
                         os.path.join(self.b['parts-directory'], 'tests'))
        for name in ('_b', '_d', '_e', 'bin-directory', 'eggs-directory',
                     'develop-eggs-directory'):
            self.assertIn(name, options)

    def test_script_and_working_directory(self):
        options = {'script': 'test', 'working-directory': '/tmp/wd'}
        zc.recipe.testrunner.TestRunner(self.buildout, 'tests', options)
        self.assertEqual(options['script'],
                         os.path.join(self.b['bin-directory'], 'test'))
        self.assertNotIn('location', options)
        options = {'working-directory': ''}
        zc.recipe.testrunner.TestRunner(self.buildout, 'tests', options)
        self.assertIn('location', options)

    def test_recipe_is_the_default_buildout_entry_point(self):
        dist = importlib.metadata.distribution('zc.recipe.testrunner')
        self.assertEqual(
            [(ep.name, ep.value) for ep in dist.entry_points
             if ep.group == 'zc.buildout'],
            [('default', 'zc.recipe.testrunner:TestRunner')])


class InstallTests(ConstructionTests):
    """install() with the resolution and the engine's writer replaced."""

    def setUp(self):
        super().setUp()
        import pkg_resources
        self.site = os.path.join(self.dir, 'site')
        for name in ('proj', 'other'):
            info = os.path.join(self.site, f'{name}-1.0.dist-info')
            os.makedirs(info)
            with open(os.path.join(info, 'METADATA'), 'w') as f:
                f.write(f'Metadata-Version: 2.1\nName: {name}\n'
                        'Version: 1.0\n')
        self.ws = pkg_resources.WorkingSet([self.site])
        self.buildout['testenv'] = {'A': 'x', "it's": "y'"}

    def install(self, **options):
        from unittest import mock
        recipe = zc.recipe.testrunner.TestRunner(
            self.buildout, 'tests', options)
        eggs = options.get('eggs', 'tests').split('\n')
        with mock.patch.object(recipe.egg, 'working_set',
                               return_value=(eggs, self.ws)) as ws, \
                mock.patch('zc.buildout.easy_install.scripts',
                           return_value=['script']) as scripts:
            options['executable'] = 'python'
            result = recipe.install()
        ws.assert_called_once_with(('zope.testrunner',))
        return result, scripts.call_args

    def test_script_gets_paths_defaults_environment_and_initialization(self):
        result, call = self.install(
            eggs='proj [test]\nOther', defaults="['-v']",
            environment='testenv', initialization='\n  print(1)\n')
        wd = os.path.join(self.b['parts-directory'], 'tests')
        self.assertEqual(result, [wd, 'script'])
        self.assertTrue(os.path.isdir(wd))
        self.assertEqual(call.args, (
            [(os.path.join(self.b['bin-directory'], 'tests'),
              'zope.testrunner', 'run')],
            self.ws, 'python', self.b['bin-directory']))
        self.assertEqual(call.kwargs['extra_paths'], [self.site, self.site])
        self.assertEqual(call.kwargs['arguments'], (
            "(['-v']) + [\n"
            f"        '--test-path', {self.site!r},\n"
            f"        '--test-path', {self.site!r},\n"
            "        ]"))
        self.assertEqual(call.kwargs['initialization'], (
            'import os\n'
            'sys.argv[0] = os.path.abspath(sys.argv[0])\n'
            f'os.chdir({wd!r})\n'
            "os.environ['A'] = 'x'\n"
            "os.environ[\"it's\"] = \"y'\"\n"
            'print(1)'))
        self.assertEqual(call.kwargs['relative_paths'], '')

    def test_explicit_working_directory_is_not_created(self):
        result, call = self.install(eggs='proj', **{
            'working-directory': 'work'})
        self.assertEqual(result, ['script'])
        self.assertFalse(os.path.exists('work'))
        self.assertIn(f"os.chdir({os.path.join(self.dir, 'work')!r})",
                      call.kwargs['initialization'])
        self.assertEqual(call.kwargs['arguments'],
                         f"[\n        '--test-path', {self.site!r},\n"
                         "        ]")

    def test_relative_paths_are_expressed_from_the_base(self):
        result, call = self.install(eggs='proj', **{
            'relative-paths': 'true'})
        self.assertIn("os.chdir(join(base, 'parts/tests'))",
                      call.kwargs['initialization'])
        self.assertIn("'--test-path', join(base, 'site'),",
                      call.kwargs['arguments'])
        self.assertEqual(call.kwargs['relative_paths'], self.dir)

    def test_egg_missing_from_the_working_set_is_an_error(self):
        with self.assertRaises(ValueError) as caught:
            self.install(eggs='nothere>1')
        self.assertEqual(str(caught.exception),
                         'Requirement not found in working set: nothere>1')

    def test_missing_environment_section(self):
        with self.assertRaises(zc.buildout.buildout.MissingSection):
            self.install(eggs="proj", environment="nowhere")
        self.assertFalse(os.path.exists(self.b["parts-directory"] + "/tests"))
