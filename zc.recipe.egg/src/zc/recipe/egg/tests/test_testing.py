"""The fixtures other recipes' tests build on: sample wheels and sdists."""
import base64
import hashlib
import os
import shutil
import tarfile
import tempfile
import unittest
import zipfile


from zc.recipe.egg import testing


class FixtureTests(unittest.TestCase):

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix='zc.recipe.egg-')
        self.addCleanup(shutil.rmtree, self.dir)

    def test_sample_wheel_records_a_valid_hash_for_every_file(self):
        path = testing.make_wheel(
            self.dir, 'sample', '2.0', 'samplemod', 'x = 1\n',
            requires=['other >= 1'], scripts={'run': 'samplemod:main'})
        self.assertEqual(os.path.basename(path),
                         'sample-2.0-py3-none-any.whl')
        with zipfile.ZipFile(path) as wheel:
            record = wheel.read('sample-2.0.dist-info/RECORD').decode()
            for line in record.splitlines():
                name, digest, size = line.split(',')
                if name.endswith('RECORD'):
                    self.assertEqual((digest, size), ('', ''))
                    continue
                data = wheel.read(name)
                expected = base64.urlsafe_b64encode(
                    hashlib.sha256(data).digest()).rstrip(b'=').decode()
                self.assertEqual(digest, 'sha256=' + expected, name)
                self.assertEqual(int(size), len(data), name)
            metadata = wheel.read('sample-2.0.dist-info/METADATA').decode()
            entry_points = wheel.read(
                'sample-2.0.dist-info/entry_points.txt').decode()
        self.assertIn('Requires-Dist: other >= 1', metadata)
        self.assertIn('run = samplemod:main', entry_points)

    def test_sample_wheel_can_offer_a_recipe_entry_point(self):
        path = testing.make_wheel(
            self.dir, 'recipe', '1.0', 'reciperecipe', '',
            entry_points={'zc.buildout': {'default': 'reciperecipe:Recipe'}},
            scripts={'run': 'reciperecipe:main'})
        with zipfile.ZipFile(path) as wheel:
            entry_points = wheel.read(
                'recipe-1.0.dist-info/entry_points.txt').decode()
        self.assertEqual(entry_points,
                         '[zc.buildout]\ndefault = reciperecipe:Recipe\n'
                         '[console_scripts]\nrun = reciperecipe:main\n')

    def test_sample_distributions_come_with_an_empty_index(self):
        testing.make_sample_distributions(self.dir)
        names = sorted(os.listdir(self.dir))
        self.assertEqual(os.listdir(os.path.join(self.dir, 'index')), [])
        self.assertEqual(
            len([n for n in names if n.endswith('.whl')]),
            len(testing.SAMPLE_DISTRIBUTIONS))

    def test_extdemo_sdist_holds_the_c_source_and_its_version(self):
        archive = testing.make_extdemo_sdist(self.dir, '1.4')
        with tarfile.open(archive) as sdist:
            names = sdist.getnames()
            pkg_info = sdist.extractfile(
                './extdemo-1.4/PKG-INFO').read().decode()
        for name in ('extdemo.c', 'setup.py', 'PKG-INFO'):
            self.assertIn(f'./extdemo-1.4/{name}', names)
        self.assertIn('Version: 1.4', pkg_info)

    def test_namespace_warning_and_its_source_line_are_normalized_away(self):
        pattern, replacement = testing.normalize_namespace_warning
        text = ('before\n'
                '/x/y.py:1: UserWarning: Module zc was already imported '
                'from None, but /a is being added to sys.path\n'
                '  import pkg_resources\n'
                'after\n')
        self.assertEqual(pattern.sub(replacement, text), 'before\nafter\n')
