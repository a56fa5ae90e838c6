"""Edge cases of the eggs and scripts recipes, without sample buildouts."""
import logging
import os
import shutil
import sys
import tempfile
import unittest
from unittest import mock

import zc.buildout
import zc.buildout.easy_install
import zc.buildout.testing

import zc.recipe.egg
from zc.recipe.egg import egg
from zc.recipe.egg import testing


class BuildoutTestCase(unittest.TestCase):
    """A minimal in-process buildout in a temporary directory."""

    def setUp(self):
        self.here = os.getcwd()
        self.dir = os.path.realpath(tempfile.mkdtemp())
        os.chdir(self.dir)
        self.buildout = testing.quiet_buildout(self)
        self.b = self.buildout['buildout']
        # Never the public index: an empty local directory instead.
        os.mkdir('index')
        self.index = 'file://' + os.path.join(self.dir, 'index')
        self.b['index'] = self.index
        zc.buildout.easy_install.clear_index_cache()
        self.addCleanup(zc.buildout.easy_install.clear_index_cache)

    def tearDown(self):
        os.chdir(self.here)
        shutil.rmtree(self.dir)


class PackageTests(unittest.TestCase):

    def test_egg_is_scripts(self):
        self.assertIs(zc.recipe.egg.Egg, zc.recipe.egg.Scripts)

    def test_entry_points_name_the_recipes(self):
        import importlib.metadata
        dist = importlib.metadata.distribution('zc.recipe.egg')
        eps = {ep.name: ep.value for ep in dist.entry_points
               if ep.group == 'zc.buildout'}
        self.assertEqual(eps, {
            'default': 'zc.recipe.egg:Scripts',
            'script': 'zc.recipe.egg:Scripts',
            'scripts': 'zc.recipe.egg:Scripts',
            'eggs': 'zc.recipe.egg:Eggs',
            'custom': 'zc.recipe.egg:Custom',
            'develop': 'zc.recipe.egg:Develop',
        })


class EggsOptionsTests(BuildoutTestCase):

    def test_publishes_directories_with_legacy_names(self):
        options = {}
        zc.recipe.egg.Eggs(self.buildout, 'part', options)
        self.assertEqual(options['eggs-directory'], self.b['eggs-directory'])
        self.assertEqual(options['_e'], self.b['eggs-directory'])
        self.assertEqual(options['develop-eggs-directory'],
                         self.b['develop-eggs-directory'])
        self.assertEqual(options['_d'], self.b['develop-eggs-directory'])
        self.assertTrue(options['_e'].endswith('v5'))

    def test_find_links_and_index_fall_back_to_buildout(self):
        self.b['find-links'] = 'http://a/ http://b/'
        self.b['index'] = 'http://index/'
        options = {}
        recipe = zc.recipe.egg.Eggs(self.buildout, 'part', options)
        self.assertEqual(options['find-links'], 'http://a/\nhttp://b/')
        self.assertEqual(options['index'], 'http://index/')
        self.assertEqual(recipe.links, ('http://a/', 'http://b/'))

    def test_part_find_links_and_index_win(self):
        self.b['find-links'] = 'http://a/'
        options = {'find-links': 'http://c/', 'index': 'http://mine/'}
        zc.recipe.egg.Eggs(self.buildout, 'part', options)
        self.assertEqual(options['find-links'], 'http://c/')
        self.assertEqual(options['index'], 'http://mine/')

    def test_no_links_no_index_are_not_written(self):
        self.b['find-links'] = ''
        del self.b['index']
        options = {}
        zc.recipe.egg.Eggs(self.buildout, 'part', options)
        self.assertNotIn('find-links', options)
        self.assertNotIn('index', options)

    def test_allow_hosts_only_from_buildout(self):
        self.b['allow-hosts'] = '\n  *.example.com \n\nlocalhost'
        options = {'allow-hosts': 'ignored.org'}
        recipe = zc.recipe.egg.Eggs(self.buildout, 'part', options)
        self.assertEqual(recipe.allow_hosts, ('*.example.com', 'localhost'))


class ScriptsOptionsTests(BuildoutTestCase):

    def test_bin_directory_and_no_extra_paths(self):
        options = {}
        recipe = zc.recipe.egg.Scripts(self.buildout, 'part', options)
        self.assertEqual(options['bin-directory'], self.b['bin-directory'])
        self.assertEqual(options['_b'], self.b['bin-directory'])
        self.assertEqual(recipe.extra_paths, [])
        self.assertNotIn('extra-paths', options)
        self.assertEqual(recipe._relative_paths, '')
        self.assertNotIn('buildout-directory', options)

    def test_extra_paths_are_absolutised(self):
        options = {'extra-paths': '\n  /abs \n\n rel/dir'}
        recipe = zc.recipe.egg.Scripts(self.buildout, 'part', options)
        expected = ['/abs', os.path.join(self.dir, 'rel/dir')]
        self.assertEqual(recipe.extra_paths, expected)
        self.assertEqual(options['extra-paths'], '\n'.join(expected))

    def test_relative_paths_from_part_or_buildout(self):
        options = {'relative-paths': 'true'}
        recipe = zc.recipe.egg.Scripts(self.buildout, 'part', options)
        self.assertEqual(recipe._relative_paths, self.dir)
        self.assertEqual(options['buildout-directory'], self.dir)
        self.b['relative-paths'] = 'true'
        recipe = zc.recipe.egg.Scripts(self.buildout, 'other', {})
        self.assertEqual(recipe._relative_paths, self.dir)
        recipe = zc.recipe.egg.Scripts(
            self.buildout, 'third', {'relative-paths': 'false'})
        self.assertEqual(recipe._relative_paths, '')

    def test_invalid_relative_paths_is_a_user_error(self):
        with self.assertRaises(zc.buildout.UserError) as caught:
            zc.recipe.egg.Scripts(
                self.buildout, 'part', {'relative-paths': 'yes'})
        self.assertEqual(str(caught.exception),
                         'Invalid value for relative-paths option: yes'
                         ' in part [part]; expected true or false')


class GetBoolTests(unittest.TestCase):

    def test_boolean_option_values_and_defaults(self):
        self.assertFalse(egg.get_bool({}, 'x'))
        self.assertTrue(egg.get_bool({}, 'x', True))
        self.assertTrue(egg.get_bool({'x': ''}, 'x', True))
        self.assertTrue(egg.get_bool({'x': 'true'}, 'x'))
        self.assertFalse(egg.get_bool({'x': 'false'}, 'x', True))

    def test_invalid_boolean_option_is_a_user_error(self):
        with self.assertRaises(zc.buildout.UserError) as caught:
            egg.get_bool({'dependent-scripts': 'yes'}, 'dependent-scripts')
        self.assertEqual(str(caught.exception),
                         'Invalid value for dependent-scripts option: yes'
                         '; expected true or false')


class WorkingSetTests(BuildoutTestCase):

    def setUp(self):
        super().setUp()
        self.calls = []
        original = zc.buildout.easy_install.Installer.install

        def install(installer, specs, working_set=None):
            self.calls.append(list(specs))
            return original(installer, specs, working_set)

        patcher = mock.patch.object(
            zc.buildout.easy_install.Installer, 'install', install)
        patcher.start()
        self.addCleanup(patcher.stop)

    def working_set(self, recipe, specs, **kw):
        return recipe._working_set(
            specs, self.b['eggs-directory'],
            self.b['develop-eggs-directory'], index=self.index, **kw)

    def test_one_resolution_per_key_and_copies(self):
        recipe = zc.recipe.egg.Eggs(self.buildout, 'fake-part', {})
        first = self.working_set(recipe, ['zc.buildout'])
        self.assertEqual(self.calls, [['zc.buildout']])
        second = self.working_set(recipe, ['zc.buildout'])
        self.assertEqual(len(self.calls), 1)
        self.assertIsNot(first, second)
        self.assertEqual([d.project_name for d in first],
                         [d.project_name for d in second])
        first.entries.clear()
        third = self.working_set(recipe, ['zc.buildout'])
        self.assertEqual(len(self.calls), 1)
        self.assertEqual(third.entries, second.entries)
        self.working_set(recipe, ['zc.buildout'], newest=False)
        self.assertEqual(len(self.calls), 2)

    def test_cache_is_shared_between_parts(self):
        one = zc.recipe.egg.Eggs(self.buildout, 'one', {})
        two = zc.recipe.egg.Eggs(self.buildout, 'two', {})
        self.working_set(one, ['zc.buildout'])
        self.working_set(two, ['zc.buildout'])
        self.assertEqual(len(self.calls), 1)
        self.assertIn(('zc.buildout',), [
            key[0] for key in self.buildout._zc_recipe_egg_working_set_cache])

    def test_requirements_default_to_part_name_and_skip_blanks(self):
        recipe = zc.recipe.egg.Eggs(self.buildout, 'zc.buildout', {})
        reqs, ws = recipe.working_set()
        self.assertEqual(reqs, ['zc.buildout'])
        self.assertEqual(recipe.options['executable'], sys.executable)
        recipe = zc.recipe.egg.Eggs(
            self.buildout, 'part', {'eggs': '\n zc.buildout \n\n'})
        reqs, ws = recipe.working_set(('setuptools',))
        self.assertEqual(reqs, ['zc.buildout'])
        self.assertIn(['zc.buildout', 'setuptools'], self.calls)
        self.assertIn('setuptools', [d.project_name for d in ws])

    def test_offline_resolves_without_installing(self):
        self.b['offline'] = 'true'
        recipe = zc.recipe.egg.Eggs(
            self.buildout, 'part', {'eggs': 'zc.buildout'})
        with mock.patch.object(zc.buildout.easy_install, 'working_set',
                               wraps=zc.buildout.easy_install.working_set
                               ) as offline:
            recipe.working_set()
        offline.assert_called_once_with(
            ['zc.buildout'], sys.executable,
            [self.b['develop-eggs-directory'], self.b['eggs-directory']])

    def test_invalid_allow_unknown_extras(self):
        self.b['allow-unknown-extras'] = 'maybe'
        recipe = zc.recipe.egg.Eggs(self.buildout, 'part', {})
        with self.assertRaises(zc.buildout.UserError) as caught:
            recipe.working_set()
        self.assertEqual(str(caught.exception),
                         "Invalid value for 'allow-unknown-extras' option: "
                         "'maybe'")


class ScriptsInstallTests(BuildoutTestCase):
    """Bad input stops the part before anything is resolved or written."""

    def install(self, **options):
        recipe = zc.recipe.egg.Scripts(
            self.buildout, 'part', dict(eggs='zc.buildout', **options))
        with mock.patch.object(zc.buildout.easy_install, 'scripts') as gen:
            gen.return_value = ['written']
            with mock.patch.object(recipe, 'working_set',
                                   wraps=recipe.working_set) as ws:
                try:
                    return recipe.install(), gen, ws
                except zc.buildout.UserError:
                    gen.assert_not_called()
                    ws.assert_not_called()
                    raise

    def test_bad_entry_point_logs_and_raises(self):
        for token in ('alt=mod.attr', '=m:a', 'x=m:a:b', 'x=m:', 'x=m-1:a',
                      'x=m:a.'):
            with self.assertLogs('part', logging.ERROR) as logs, \
                    self.assertRaises(zc.buildout.UserError) as caught:
                self.install(**{'entry-points': token})
            self.assertEqual(
                str(caught.exception),
                f'Invalid entry point {token!r} in the entry-points option'
                ' of part [part]; expected name=module:attribute')
            self.assertEqual(logs.records[0].getMessage(),
                             f'Cannot parse the entry point {token}.')

    def test_entry_points_are_appended_in_order(self):
        result, gen, ws = self.install(**{
            'entry-points': 'a=m:f  b=p.q:r.s'})
        self.assertEqual(result, ['written'])
        reqs = gen.call_args.args[0]
        self.assertEqual(reqs, ['zc.buildout', ('a', 'm', 'f'),
                                ('b', 'p.q', 'r.s')])

    def test_bad_dependent_scripts(self):
        with self.assertRaises(zc.buildout.UserError) as caught:
            self.install(**{'dependent-scripts': 'on'})
        self.assertEqual(str(caught.exception),
                         'Invalid value for dependent-scripts option: on'
                         ' in part [part]; expected true or false')

    def test_dependent_scripts_add_project_names(self):
        result, gen, ws = self.install(**{'dependent-scripts': 'true'})
        reqs = gen.call_args.args[0]
        self.assertEqual(reqs[0], 'zc.buildout')
        self.assertNotIn('setuptools', reqs)
        self.assertEqual(reqs.count('zc.buildout'), 1)
        result, gen, ws = self.install(**{'dependent-scripts': 'false'})
        self.assertEqual(gen.call_args.args[0], ['zc.buildout'])

    def test_scripts_mapping_and_engine_arguments(self):
        result, gen, ws = self.install(
            scripts='a b=c d=e=f', interpreter='py',
            initialization='x = 1', arguments='x')
        kwargs = gen.call_args.kwargs
        self.assertEqual(kwargs['scripts'], {'a': 'a', 'b': 'c', 'd': 'e=f'})
        self.assertEqual(kwargs['interpreter'], 'py')
        self.assertEqual(kwargs['initialization'], 'x = 1')
        self.assertEqual(kwargs['arguments'], 'x')
        self.assertEqual(kwargs['extra_paths'], [])
        self.assertEqual(kwargs['relative_paths'], '')
        self.assertEqual(gen.call_args.args[1:],
                         (gen.call_args.args[1], sys.executable,
                          self.b['bin-directory']))

    def test_absent_scripts_means_all(self):
        result, gen, ws = self.install()
        self.assertIsNone(gen.call_args.kwargs['scripts'])
        self.assertIsNone(gen.call_args.kwargs['interpreter'])

    def test_empty_scripts_generates_nothing(self):
        recipe = zc.recipe.egg.Scripts(
            self.buildout, 'part',
            {'eggs': 'zc.buildout', 'scripts': ' ', 'interpreter': 'py'})
        with mock.patch.object(zc.buildout.easy_install, 'scripts') as gen:
            self.assertEqual(recipe.install(), ())
        gen.assert_not_called()

    def test_eggs_install_returns_nothing(self):
        recipe = zc.recipe.egg.Eggs(
            self.buildout, 'part', {'eggs': 'zc.buildout'})
        self.assertEqual(recipe.install(), ())
        self.assertEqual(recipe.update(), ())
