"""Bad input against a real (local) index: buildout's UserErrors."""
import os

import zc.buildout
import zc.buildout.easy_install

import zc.recipe.egg
from zc.recipe.egg import testing
from zc.recipe.egg.tests.test_egg import BuildoutTestCase


class ResolutionErrorTests(BuildoutTestCase):

    def setUp(self):
        super().setUp()
        os.mkdir('links')
        testing.make_sample_distributions(os.path.join(self.dir, 'links'))
        self.b['find-links'] = os.path.join(self.dir, 'links')
        os.mkdir(self.b['bin-directory'])

    def scripts(self, **options):
        return zc.recipe.egg.Scripts(self.buildout, 'part', options)

    def test_missing_distribution_is_a_user_error(self):
        recipe = self.scripts(eggs='nosuchthing')
        with self.assertRaises(zc.buildout.UserError) as caught:
            recipe.install()
        self.assertIsInstance(caught.exception,
                              zc.buildout.easy_install.MissingDistribution)
        self.assertIn('nosuchthing', str(caught.exception))
        self.assertEqual(os.listdir(self.b['bin-directory']), [])

    def test_conflicting_versions_are_a_user_error(self):
        recipe = self.scripts(eggs='demoneeded==1.0\ndemoneeded==1.1')
        with self.assertRaises(zc.buildout.UserError) as caught:
            recipe.install()
        self.assertIn('demo', str(caught.exception))
        self.assertEqual(os.listdir(self.b['bin-directory']), [])

    def test_missing_extra_is_a_user_error(self):
        recipe = self.scripts(eggs='demo [nope]')
        with self.assertRaises(zc.buildout.UserError) as caught, \
                self.assertLogs('zc.buildout.easy_install') as logs:
            recipe.install()
        self.assertIn("demo 0.3 does not provide the extra 'nope'",
                      logs.output[-1])
        self.assertTrue(str(caught.exception).startswith(
            "Couldn't find the required extra."))

    def test_unknown_extra_allowed(self):
        self.b['allow-unknown-extras'] = 'true'
        recipe = self.scripts(eggs='demo [nope]', scripts='demo=d')
        with self.assertLogs('zc.buildout.easy_install', 'WARNING'):
            written = recipe.install()
        self.assertEqual(written,
                         [os.path.join(self.b['bin-directory'], 'd')])

    def test_nothing_written_for_a_bad_entry_point(self):
        recipe = self.scripts(eggs='demo', **{'entry-points': 'x=1-2:f'})
        with self.assertRaises(zc.buildout.UserError):
            recipe.install()
        self.assertEqual(os.listdir(self.b['bin-directory']), [])
        self.assertFalse([name for name in os.listdir(self.b[
            'eggs-directory']) if name.startswith('demo')])
