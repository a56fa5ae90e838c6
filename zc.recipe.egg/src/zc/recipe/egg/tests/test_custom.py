"""The custom and develop recipes: option processing and engine calls."""
import logging
import os
import sys
from unittest import mock

import zc.buildout
import zc.buildout.buildout
import zc.buildout.easy_install

import zc.recipe.egg
from zc.recipe.egg.tests.test_egg import BuildoutTestCase


class BuildExtTests(BuildoutTestCase):

    def test_directories_joined_with_pathsep(self):
        options = {'include-dirs': 'include\n /usr/include \n\n',
                   'library-dirs': 'lib'}
        recipe = zc.recipe.egg.Custom(self.buildout, 'part', options)
        include = os.pathsep.join(
            [os.path.join(self.dir, 'include'), '/usr/include'])
        self.assertEqual(recipe.build_ext['include-dirs'], include)
        self.assertEqual(options['include-dirs'], include)
        self.assertEqual(options['library-dirs'],
                         os.path.join(self.dir, 'lib'))

    def test_rpath_keeps_linker_variables(self):
        options = {'rpath': 'lib\n$ORIGIN/../lib\n${LIB}\n$PLATFORM/x'}
        recipe = zc.recipe.egg.Develop(
            self.buildout, 'part', dict(options, setup='src'))
        self.assertEqual(recipe.build_ext['rpath'], os.pathsep.join([
            os.path.join(self.dir, 'lib'), '$ORIGIN/../lib', '${LIB}',
            '$PLATFORM/x']))

    def test_swig_and_verbatim_options(self):
        options = {'swig': 'bin/swig', 'define': 'A,B', 'undef': 'C',
                   'libraries': 'z', 'link-objects': 'x.o', 'debug': '1',
                   'force': '1', 'compiler': 'unix', 'swig-cpp': '1',
                   'swig-opts': '-v'}
        recipe = zc.recipe.egg.Custom(self.buildout, 'part', dict(options))
        expected = dict(options, swig=os.path.join(self.dir, 'bin/swig'))
        self.assertEqual(recipe.build_ext, expected)
        self.assertEqual(recipe.options['swig'], expected['swig'])

    def test_missing_options_are_not_passed(self):
        recipe = zc.recipe.egg.Custom(self.buildout, 'part', {})
        self.assertEqual(recipe.build_ext, {})


class CustomTests(BuildoutTestCase):

    def custom(self, name='part', **options):
        return zc.recipe.egg.Custom(self.buildout, name, options)

    def test_options_are_published_for_other_parts(self):
        self.b['find-links'] = 'http://a/ http://b/'
        recipe = self.custom()
        options = recipe.options
        self.assertEqual(options['_d'], self.b['develop-eggs-directory'])
        self.assertEqual(options['_e'], self.b['eggs-directory'])
        self.assertEqual(options['find-links'], 'http://a/\nhttp://b/')
        self.assertEqual(options['index'], self.index)
        self.assertEqual(options['_environment-data'], '[]')

    def build(self, recipe):
        seen = {}

        def build(*args, **kw):
            seen['args'], seen['kw'] = args, kw
            seen['env'] = os.environ.get('ZC_RECIPE_EGG_TEST')
            seen['other'] = os.environ.get('ZC_RECIPE_EGG_OTHER')
            return ['built']

        with mock.patch.object(zc.buildout.easy_install, 'build', build):
            self.assertEqual(recipe.install(), ['built'])
        return seen

    def test_spec_egg_then_eggs_then_part_name(self):
        seen = self.build(self.custom(egg=' extdemo ', eggs='no'))
        self.assertEqual(seen['args'][0], 'extdemo')
        with self.assertLogs('part', logging.WARNING) as logs:
            seen = self.build(self.custom(eggs='old'))
        self.assertEqual(seen['args'][0], 'old')
        self.assertEqual(logs.records[0].getMessage(),
                         'The eggs option is deprecated. Use egg instead')
        seen = self.build(self.custom('extdemo'))
        self.assertEqual(seen['args'][0], 'extdemo')

    def test_build_engine_gets_the_build_ext_arguments(self):
        self.b['newest'] = 'true'
        recipe = self.custom(**{'include-dirs': 'inc'})
        seen = self.build(recipe)
        self.assertEqual(seen['args'], (
            'part', self.b['develop-eggs-directory'],
            {'include-dirs': os.path.join(self.dir, 'inc')}, (), self.index,
            sys.executable, [self.b['eggs-directory']]))
        self.assertEqual(seen['kw'], {'newest': True})
        self.b['newest'] = 'false'
        seen = self.build(self.custom())
        self.assertEqual(seen['kw'], {'newest': False})

    def test_environment_set_interpolated_and_restored(self):
        self.buildout['env'] = {'ZC_RECIPE_EGG_TEST': 'foo:%(HOME)s',
                                'ZC_RECIPE_EGG_OTHER': 'new'}
        recipe = self.custom(environment='env')
        self.assertEqual(recipe.options['_environment-data'], repr(sorted(
            self.buildout['env'].items())))
        with mock.patch.dict(os.environ, {'ZC_RECIPE_EGG_OTHER': 'old'}):
            os.environ.pop('ZC_RECIPE_EGG_TEST', None)
            seen = self.build(recipe)
            self.assertEqual(os.environ['ZC_RECIPE_EGG_OTHER'], 'old')
            self.assertNotIn('ZC_RECIPE_EGG_TEST', os.environ)
        self.assertEqual(seen['env'], 'foo:' + os.environ['HOME'])
        self.assertEqual(seen['other'], 'new')

    def test_environment_restored_when_the_build_fails(self):
        self.buildout['env'] = {'ZC_RECIPE_EGG_TEST': 'x'}
        recipe = self.custom(environment='env')
        with mock.patch.object(zc.buildout.easy_install, 'build',
                               side_effect=zc.buildout.UserError('boom')):
            with self.assertRaises(zc.buildout.UserError):
                recipe.install()
        self.assertNotIn('ZC_RECIPE_EGG_TEST', os.environ)

    def test_missing_environment_section(self):
        with self.assertRaises(zc.buildout.buildout.MissingSection):
            self.custom(environment='nowhere')

    def test_offline_is_a_no_op(self):
        self.b['offline'] = 'true'
        recipe = self.custom()
        with mock.patch.object(zc.buildout.easy_install, 'build') as build:
            self.assertEqual(recipe.install(), ())
            self.assertEqual(recipe.update(), ())
        build.assert_not_called()


class DevelopTests(BuildoutTestCase):

    def test_setup_is_required(self):
        self.buildout['part'] = {}
        with self.assertRaises(zc.buildout.buildout.MissingOption) as caught:
            zc.recipe.egg.Develop(
                self.buildout, 'part', self.buildout['part'])
        self.assertEqual(str(caught.exception), 'Missing option: part:setup')

    def test_setup_resolved_and_egg_link_returned(self):
        options = {'setup': 'src/extdemo', 'define': 'TWO'}
        recipe = zc.recipe.egg.Develop(self.buildout, 'part', options)
        self.assertEqual(options['setup'],
                         os.path.join(self.dir, 'src/extdemo'))
        with mock.patch.object(zc.buildout.easy_install, 'develop',
                               return_value='link') as develop:
            self.assertEqual(recipe.install(), 'link')
            self.assertEqual(recipe.update(), 'link')
        develop.assert_called_with(
            options['setup'], self.b['develop-eggs-directory'],
            {'define': 'TWO'})
