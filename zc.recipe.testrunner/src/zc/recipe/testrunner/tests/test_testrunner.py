"""Locating a distribution's code, relativizing paths, construction."""
import importlib.metadata
import json
import os
import pathlib
import shutil
import tempfile
import unittest

import zc.buildout.testing  # installs pkg_resources first (P14)

import zc.recipe.egg.testing
import zc.recipe.testrunner
from zc.recipe.testrunner import _dist_locations
from zc.recipe.testrunner import _editable_project_root
from zc.recipe.testrunner import _pth_paths
from zc.recipe.testrunner import _relativize


class DistLocationsTests(unittest.TestCase):
    """A fake develop-eggs/<n>-<v>.dist-info in the shapes buildout makes."""

    def setUp(self):
        self.dir = pathlib.Path(os.path.realpath(tempfile.mkdtemp()))
        self.addCleanup(shutil.rmtree, self.dir)
        self.develop = self.dir / 'develop-eggs'
        self.project = self.dir / 'proj'
        self.project.mkdir()
        self.info = self.develop / 'proj-1.0.dist-info'
        self.info.mkdir(parents=True)
        (self.info / 'METADATA').write_text(
            'Metadata-Version: 2.1\nName: proj\nVersion: 1.0\n')

    def dist(self):
        return importlib.metadata.PathDistribution(self.info)

    def direct_url(self, text=None, editable=True, url=None):
        if text is None:
            text = json.dumps({
                'url': url or self.project.as_uri(),
                'dir_info': {'editable': editable}})
        (self.info / 'direct_url.json').write_text(text)

    def record(self, *names):
        (self.info / 'RECORD').write_text(''.join(
            f'{name},,\n' for name in names + ('proj-1.0.dist-info/RECORD',)))

    def pth(self, name, text):
        (self.develop / name).write_text(text)

    def assertLocations(self, expected):
        self.assertEqual(_dist_locations(self.dist()),
                         [str(path) for path in expected])

    def test_no_direct_url(self):
        self.assertIsNone(_editable_project_root(self.dist()))
        self.assertLocations([self.develop])

    def test_corrupt_json(self):
        self.direct_url('{nope')
        self.assertLocations([self.develop])
        self.direct_url('[1, 2]')
        self.assertLocations([self.develop])

    def test_not_editable(self):
        self.direct_url(editable=False)
        self.assertLocations([self.develop])
        self.direct_url(json.dumps({'url': self.project.as_uri(),
                                    'archive_info': {}}))
        self.assertLocations([self.develop])

    def test_non_file_or_missing_url(self):
        self.direct_url(url='https://example.com/proj')
        self.assertLocations([self.develop])
        self.direct_url(json.dumps({'dir_info': {'editable': True}}))
        self.assertLocations([self.develop])

    def test_editable_root_from_url(self):
        self.direct_url()
        self.assertEqual(_editable_project_root(self.dist()),
                         str(self.project))

    def test_static_pth_lines(self):
        self.direct_url()
        self.record('__editable__.proj-1.0.pth')
        self.pth('__editable__.proj-1.0.pth', f'{self.project}/src\n')
        self.assertLocations([self.project / 'src'])
        self.pth('__editable__.proj-1.0.pth',
                 f'{self.project}/src\n{self.project}/lib\n')
        self.assertLocations([self.project / 'src', self.project / 'lib'])

    def test_pth_ignores_blank_comment_and_import_lines(self):
        self.direct_url()
        self.record('__editable__.proj-1.0.pth')
        self.pth('__editable__.proj-1.0.pth',
                 f'\n# a comment\nimport sys\n{self.project}/src\n\n')
        self.assertLocations([self.project / 'src'])

    def test_import_hook_only_falls_back_to_project_root(self):
        self.direct_url()
        self.record('__editable__.proj-1.0.pth')
        self.pth('__editable__.proj-1.0.pth',
                 'import __editable___proj_finder; '
                 '__editable___proj_finder.install()\n')
        self.assertLocations([self.project])

    def test_missing_or_unreadable_pth(self):
        self.direct_url()
        self.record('__editable__.proj-1.0.pth')
        self.assertLocations([self.project])
        (self.develop / '__editable__.proj-1.0.pth').mkdir()
        self.assertLocations([self.project])

    def test_no_record_or_no_pth_in_record(self):
        self.direct_url()
        self.pth('__editable__.proj-1.0.pth', f'{self.project}/src\n')
        self.assertLocations([self.project])
        self.record('proj-1.0.dist-info/METADATA')
        self.assertLocations([self.project])

    def test_any_pth_name_and_relative_lines(self):
        self.direct_url()
        self.record('_proj.pth')
        self.pth('_proj.pth', 'relative/src\n')
        self.assertEqual(_pth_paths(self.dist()),
                         [str(self.develop / 'relative' / 'src')])
        self.assertLocations([self.develop / 'relative' / 'src'])


class RelativizeTests(unittest.TestCase):

    def test_inside_and_outside(self):
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

    def test_defaults(self):
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

    def test_entry_point(self):
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

    def test_text_pieces(self):
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

    def test_relative_paths(self):
        result, call = self.install(eggs='proj', **{
            'relative-paths': 'true'})
        self.assertIn("os.chdir(join(base, 'parts/tests'))",
                      call.kwargs['initialization'])
        self.assertIn("'--test-path', join(base, 'site'),",
                      call.kwargs['arguments'])
        self.assertEqual(call.kwargs['relative_paths'], self.dir)

    def test_missing_requirement(self):
        with self.assertRaises(ValueError) as caught:
            self.install(eggs='nothere>1')
        self.assertEqual(str(caught.exception),
                         'Requirement not found in working set: nothere>1')

    def test_missing_environment_section(self):
        with self.assertRaises(zc.buildout.buildout.MissingSection):
            self.install(eggs="proj", environment="nowhere")
        self.assertFalse(os.path.exists(self.b["parts-directory"] + "/tests"))
