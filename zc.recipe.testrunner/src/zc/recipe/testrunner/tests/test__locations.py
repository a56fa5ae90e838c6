"""Locating a distribution's code: plain, editable, through .pth files."""
import importlib.metadata
import json
import os
import pathlib
import shutil
import tempfile
import unittest

from zc.recipe.testrunner._locations import _dist_locations
from zc.recipe.testrunner._locations import _editable_project_root
from zc.recipe.testrunner._locations import _pth_paths


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

    def test_corrupt_direct_url_json_means_not_editable(self):
        self.direct_url('{nope')
        self.assertLocations([self.develop])
        self.direct_url('[1, 2]')
        self.assertLocations([self.develop])

    def test_direct_url_without_the_editable_flag_means_not_editable(self):
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
