"""Tests of tools/check-skeleton, run by `make check` before the check.

Each test builds a distribution that follows the template in a temporary
directory, breaks one rule, and expects exactly that rule to be reported.
"""
import importlib.machinery
import importlib.util
import os
import pathlib
import shutil
import tempfile
import textwrap
import unittest

TOOLS = pathlib.Path(__file__).resolve().parent


def _load_checker():
    loader = importlib.machinery.SourceFileLoader(
        'check_skeleton', str(TOOLS / 'check-skeleton'))
    spec = importlib.util.spec_from_loader(loader.name, loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


checker = _load_checker()

SETUP = '''\
from setuptools import find_namespace_packages
from setuptools import setup

setup(
    name='zc.example',
    version='1.0.0.dev0',
    author='The zc egg family developers',
    author_email='zope-dev@zope.dev',
    license_expression='ZPL-2.1',
    license_files=['LICENSE'],
    project_urls={
        'Source': 'https://github.com/zc-egg-family/zc-family/tree/main/zc.example',
        'Issues': 'https://github.com/zc-egg-family/zc-family/issues',
        'Changelog': 'https://github.com/zc-egg-family/zc-family/blob/main/zc.example/CHANGES.rst',
    },
    classifiers=[
        'Development Status :: 2 - Pre-Alpha',
        'Programming Language :: Python :: 3',
        'Typing :: Typed',
    ],
    python_requires='>=3.10',
    package_dir={'': 'src'},
    packages=find_namespace_packages('src'),
    install_requires=['zope.interface'],
    extras_require={'test': ['zc.queue >= 3.0.0.dev0']},
)
'''

FILES = {
    'setup.py': SETUP,
    'README.rst': ('zc.example\n==========\n\n'
                   'pip install ./zc.example\n'
                   'pip install --find-links dist --pre zc.example\n'),
    'CHANGES.rst': 'Changes\n=======\n\n1.0.0.dev0 (unreleased)\n'
                   '-----------------------\n\n- New.\n',
    'MANIFEST.in': 'include *.rst\nrecursive-include src *.rst py.typed\n'
                   'recursive-include bench *.py\n',
    'bench/bench_example.py': 'print(1)\n',
    'src/zc/example/__init__.py':
        'from zc.example._thing import Thing\n\n__all__ = ["Thing"]\n',
    'src/zc/example/interfaces.py': '"""Contracts."""\n',
    'src/zc/example/_thing.py': 'class Thing:\n    """A thing."""\n',
    'src/zc/example/py.typed': '',
    'src/zc/example/README.rst': 'Tutorial\n========\n\n    >>> 1\n    1\n',
    'src/zc/example/tests/__init__.py': '',
    'src/zc/example/tests/test_doctests.py':
        'def test_suite():\n    return "../README.rst"\n',
    'src/zc/example/tests/test__thing.py':
        'def test_a_thing_is_a_thing():\n    pass\n',
}


class CheckerTestCase(unittest.TestCase):

    def setUp(self):
        tmpdir = tempfile.TemporaryDirectory(prefix='check-skeleton-')
        self.addCleanup(tmpdir.cleanup)
        here = os.getcwd()
        os.chdir(tmpdir.name)
        self.addCleanup(os.chdir, here)
        root = pathlib.Path('zc.example')
        for name, text in FILES.items():
            path = root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
        shutil.copy(checker.ROOT / 'LICENSE', root / 'LICENSE')
        self.root = root

    def write(self, name, text):
        path = self.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))

    def edit(self, name, old, new):
        path = self.root / name
        text = path.read_text()
        self.assertIn(old, text)
        path.write_text(text.replace(old, new))

    def problems(self):
        versions = {'zc.example': '1.0.0.dev0', 'zc.queue': '3.0.0.dev0'}
        return [(rule, where, message) for rule, where, message
                in checker.problems_of('zc.example', versions)]

    def assertOneProblem(self, rule, where, words):
        found = self.problems()
        self.assertEqual(len(found), 1, found)
        self.assertEqual(found[0][:2], (rule, where))
        self.assertIn(words, found[0][2])


class TemplateTests(CheckerTestCase):

    def test_a_distribution_following_the_template_passes(self):
        self.assertEqual(self.problems(), [])

    def test_a_missing_interfaces_module_is_reported(self):
        (self.root / 'src/zc/example/interfaces.py').unlink()
        self.assertOneProblem(
            'package', 'src/zc/example/interfaces.py', 'missing')

    def test_a_missing_license_is_reported(self):
        (self.root / 'LICENSE').unlink()
        self.assertOneProblem('files', 'LICENSE', 'missing')

    def test_a_license_other_than_the_repository_one_is_reported(self):
        self.write('LICENSE', 'MIT\n')
        self.assertOneProblem('files', 'LICENSE', 'differs')

    def test_a_stable_status_on_a_dev_version_is_reported(self):
        self.edit('setup.py', 'Development Status :: 2 - Pre-Alpha',
                  'Development Status :: 5 - Production/Stable')
        self.assertOneProblem('metadata', 'setup.py', 'Pre-Alpha')

    def test_a_license_classifier_is_reported(self):
        self.edit('setup.py', "'Typing :: Typed',",
                  "'Typing :: Typed', 'License :: OSI Approved',")
        self.assertOneProblem('metadata', 'setup.py', 'SPDX')

    def test_a_family_requirement_without_floor_is_reported(self):
        self.edit('setup.py', "'zc.queue >= 3.0.0.dev0'", "'zc.queue'")
        self.assertOneProblem('metadata', 'setup.py', 'floor')

    def test_a_family_floor_below_our_version_is_reported(self):
        self.edit('setup.py', "'zc.queue >= 3.0.0.dev0'",
                  "'zc.queue >= 2.0'")
        self.assertOneProblem('metadata', 'setup.py', 'below our version')

    def test_a_changes_heading_for_another_version_is_reported(self):
        self.edit('CHANGES.rst', '1.0.0.dev0 (unreleased)\n-----------------------',
                  '0.9 (unreleased)\n----------------')
        self.assertOneProblem('changes', 'CHANGES.rst', 'does not name')

    def test_the_release_number_of_a_dev_version_is_accepted(self):
        self.edit('CHANGES.rst', '1.0.0.dev0 (unreleased)\n-----------------------',
                  '1.0.0 (unreleased)\n------------------')
        self.assertEqual(self.problems(), [])

    def test_a_manifest_pattern_without_a_file_is_reported(self):
        self.edit('MANIFEST.in', 'py.typed', 'py.typed *.txt')
        self.assertOneProblem('manifest', 'MANIFEST.in:2', '*.txt')

    def test_generated_egg_info_does_not_satisfy_the_manifest(self):
        self.edit('MANIFEST.in', 'py.typed', 'py.typed *.txt')
        self.write('src/zc.example.egg-info/SOURCES.txt', 'x\n')
        self.assertOneProblem('manifest', 'MANIFEST.in:2', '*.txt')

    def test_a_readme_without_our_install_commands_is_reported(self):
        self.write('README.rst', 'Install with pip install zc.example.\n')
        found = self.problems()
        self.assertEqual([p[0] for p in found], ['install', 'install'])

    def test_a_class_defined_in_init_is_reported(self):
        self.write('src/zc/example/__init__.py', '''\
            try:
                from zc.example._thing import Thing
            except ImportError:
                class Thing:
                    pass
            ''')
        self.assertOneProblem('package', 'src/zc/example/__init__.py:4',
                              'Thing')

    def test_a_module_without_its_test_module_is_reported(self):
        (self.root / 'src/zc/example/tests/test__thing.py').rename(
            self.root / 'src/zc/example/tests/test_thing.py')
        self.assertOneProblem('package', 'src/zc/example/_thing.py',
                              'test__thing.py')

    def test_a_subpackage_module_may_be_tested_under_its_dotted_name(self):
        self.write('src/zc/example/browser/__init__.py', '')
        self.write('src/zc/example/browser/token.py', 'TOKEN = 1\n')
        self.write('src/zc/example/tests/test_browser_token.py',
                   'def test_the_token_is_one():\n    pass\n')
        self.assertEqual(self.problems(), [])

    def test_a_subpackage_module_without_any_test_module_is_reported(self):
        self.write('src/zc/example/browser/__init__.py', '')
        self.write('src/zc/example/browser/token.py', 'TOKEN = 1\n')
        self.assertOneProblem('package', 'src/zc/example/browser/token.py',
                              'test_token.py')

    def test_a_private_module_behind_its_public_name_may_be_tested_by_it(self):
        self.write('src/zc/example/thing.py',
                   'from zc.example._thing import Thing\n')
        (self.root / 'src/zc/example/tests/test__thing.py').rename(
            self.root / 'src/zc/example/tests/test_thing.py')
        self.assertEqual(self.problems(), [])

    def test_layer_hooks_are_not_taken_for_tests(self):
        self.write('src/zc/example/tests/test__thing.py', '''\
            class Layer:
                @classmethod
                def testSetUp(cls):
                    pass
                @classmethod
                def testTearDown(cls):
                    pass
            def test_a_thing_is_a_thing():
                pass
            ''')
        self.assertEqual(self.problems(), [])

    def test_short_test_names_are_reported(self):
        self.write('src/zc/example/tests/test__thing.py', '''\
            import unittest
            class Tests(unittest.TestCase):
                def test_one(self):
                    pass
                def testSimpleThing(self):
                    pass
                def testThingsReadAsSentences(self):
                    pass
            def test_suite():
                pass
            ''')
        found = self.problems()
        self.assertEqual(sorted(p[1] for p in found), [
            'src/zc/example/tests/test__thing.py::testSimpleThing',
            'src/zc/example/tests/test__thing.py::test_one'])

    def test_a_document_the_doctests_do_not_run_is_reported(self):
        self.write('src/zc/example/more.rst', 'More\n====\n')
        self.assertOneProblem('package', 'src/zc/example/more.rst',
                              'does not run')

    def test_a_tutorial_importing_from_the_tests_is_reported(self):
        self.edit('src/zc/example/README.rst', '    >>> 1\n',
                  '    >>> from zc.example.tests.support import Demo\n'
                  '    >>> 1\n')
        self.assertOneProblem('package', 'src/zc/example/README.rst:4',
                              'imports from the tests')


class CitationTests(CheckerTestCase):

    def assertCited(self, line, cited=True):
        self.write('src/zc/example/_thing.py', f'# {line}\nclass Thing:\n'
                                               '    pass\n')
        found = [p for p in self.problems() if p[0] == 'citation']
        self.assertEqual(len(found), 1 if cited else 0, (line, found))

    def test_outside_documents_are_reported(self):
        # Assembled from pieces so that a search of the repository for
        # citations finds the checker's real targets, not these samples.
        for line in ('see /work/shar' + 'ed/design/note.md',
                     'as required (spec ' + '§3)',
                     'the framing of ' + '§6.5',
                     'why: dev-' + 'buildout.md, P1',
                     'pkg_resources first (P' + '14)',
                     'rules 5 to 8 of the ' + 'spec'):
            self.assertCited(line)

    def test_our_own_docs_and_rfc_sections_are_not(self):
        for line in ('explained in docs/development.md',
                     'RFC 9112 §6.3 says so',
                     'spec = options.get("eggs")'):
            self.assertCited(line, cited=False)


class ExemptionTests(unittest.TestCase):

    def test_exemptions_are_read_with_their_reason(self):
        self.assertEqual(
            checker.read_exemptions(
                '# comment\nreason: because\nzc.a package x.py\n'),
            {('zc.a', 'package', 'x.py'): 'because'})

    def test_an_exemption_without_reason_is_refused(self):
        with self.assertRaises(SystemExit):
            checker.read_exemptions('zc.a package x.py\n')

    def test_the_repository_exemptions_file_reads(self):
        self.assertTrue(all(checker.read_exemptions(
            checker.EXEMPTIONS_FILE.read_text()).values()))


class VersionTests(unittest.TestCase):

    def test_development_releases_sort_before_pre_and_final_releases(self):
        order = ['2.0.0.dev0', '2.0.0a1', '2.0.0b2', '2.0.0rc1', '2.0.0',
                 '2.0.0.post1', '3.0.0.dev0']
        keys = [checker.parse_version(v) for v in order]
        self.assertEqual(keys, sorted(keys))

    def test_unparsable_versions_are_refused(self):
        self.assertIsNone(checker.parse_version('2.0-beta'))
