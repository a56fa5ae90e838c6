"""Fixtures for doctests of buildout recipes: sample eggs, a local link
server, our develop recipes in sample buildouts, and output normalizers.

zc.recipe.testrunner uses these too.  Everything stays on 127.0.0.1: the
sample buildouts get an empty local directory as their index, so the
public index is never consulted: without an explicit index, resolving a
working set in a test process began scanning the public index
(docs/development.md).
"""
import base64
import hashlib
import logging
import os
import re
import shutil
import tempfile
import zipfile

import zc.buildout.easy_install
import zc.buildout.testing
from zope.testing import renormalizing

# (name, version, module, module source, requirements, console scripts)
_DEMO_MAIN = '''\
import eggrecipedemoneeded

x = {digit}


def main(*args):
    print(x, eggrecipedemoneeded.y, *args)
    return 0


def alt():
    print('alt', x)
'''

SAMPLE_DISTRIBUTIONS = [
    ('demoneeded', '1.0', 'eggrecipedemoneeded', 'y = 0\n', [], {}),
    ('demoneeded', '1.1', 'eggrecipedemoneeded', 'y = 1\n', [], {}),
    ('demoneeded', '1.2rc1', 'eggrecipedemoneeded', 'y = 2\n', [], {}),
] + [
    ('demo', version, 'eggrecipedemo', _DEMO_MAIN.format(digit=version[2]),
     ['demoneeded'], {'demo': 'eggrecipedemo:main'})
    for version in ('0.1', '0.2', '0.3', '0.4rc1')
] + [
    ('bigdemo', '0.1', 'eggrecipebigdemo', 'import eggrecipedemo\n',
     ['demo'], {}),
    ('other', '1.0', 'eggrecipeother', 'z = 42\n', [], {}),
]


def _record_line(path, data):
    digest = base64.urlsafe_b64encode(
        hashlib.sha256(data).digest()).rstrip(b'=').decode()
    return f'{path},sha256={digest},{len(data)}'


def make_wheel(dest, name, version, module, source, requires=(),
               scripts=None, entry_points=None):
    """Write a pure-Python wheel holding one module; return its path.

    ``scripts`` maps console script names to ``module:function``;
    ``entry_points`` maps other groups (``zc.buildout`` for a recipe) to
    such mappings.  Writing the zip directly costs milliseconds, where
    running setup.py for each sample costs most of a second.
    """
    info = f'{name}-{version}.dist-info'
    metadata = (f'Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n'
                + ''.join(f'Requires-Dist: {r}\n' for r in requires))
    files = {
        f'{module}.py': source,
        f'{info}/METADATA': metadata,
        f'{info}/WHEEL': ('Wheel-Version: 1.0\nGenerator: zc.recipe.egg\n'
                          'Root-Is-Purelib: true\nTag: py3-none-any\n'),
        f'{info}/top_level.txt': module + '\n',
    }
    groups = dict(entry_points or {})
    if scripts:
        groups['console_scripts'] = scripts
    if groups:
        files[f'{info}/entry_points.txt'] = ''.join(
            f'[{group}]\n' + ''.join(f'{entry} = {target}\n'
                                     for entry, target in targets.items())
            for group, targets in groups.items())
    record = [_record_line(path, text.encode()) for path, text in files.items()]
    record.append(f'{info}/RECORD,,')
    files[f'{info}/RECORD'] = '\n'.join(record) + '\n'
    path = os.path.join(dest, f'{name}-{version}-py3-none-any.whl')
    with zipfile.ZipFile(path, 'w') as wheel:
        for name_in_zip, text in files.items():
            wheel.writestr(name_in_zip, text)
    return path


def make_sample_distributions(dest):
    """Write every sample distribution into ``dest`` (see the tutorial)."""
    for name, version, module, source, requires, scripts in (
            SAMPLE_DISTRIBUTIONS):
        make_wheel(dest, name, version, module, source, requires, scripts)
    os.mkdir(os.path.join(dest, 'index'))


def setUp(test, *develop):
    """Sample buildout with a link server and ``develop`` recipes visible.

    The globals gain ``link_server`` (URL of the sample distributions,
    its ``index/`` is an empty index) and ``sample_eggs`` (their directory,
    to add more).
    """
    zc.buildout.testing.buildoutSetUp(test)
    # A cached index object could point at the public index.
    zc.buildout.easy_install.clear_index_cache()
    for name in ('zc.recipe.egg',) + develop:
        zc.buildout.testing.install_develop(name, test)
    sample_eggs = test.globs['tmpdir']('sample_eggs')
    make_sample_distributions(sample_eggs)
    test.globs['sample_eggs'] = sample_eggs
    test.globs['link_server'] = test.globs['start_server'](sample_eggs)


def tearDown(test):
    """Undo :func:`setUp`."""
    zc.buildout.easy_install.clear_index_cache()
    zc.buildout.testing.buildoutTearDown(test)


def quiet_buildout(test_case):
    """An in-process ``zc.buildout.testing.Buildout`` for a unittest case.

    Constructing one configures logging for a command-line run: a handler
    on the root logger that prints to standard output, added again by every
    instance.  Those handlers are taken back at once, so later tests don't
    print every log record many times; records still reach
    ``assertLogs``.  The loggers' levels are restored at cleanup.
    """
    loggers = [logging.getLogger(), logging.getLogger('zc.buildout')]
    saved = [(logger, logger.handlers[:], logger.level) for logger in loggers]
    buildout = zc.buildout.testing.Buildout()
    for logger, handlers, level in saved:
        logger.handlers[:] = handlers
    quiet = logging.NullHandler()
    loggers[0].addHandler(quiet)

    def restore():
        loggers[0].removeHandler(quiet)
        for logger, handlers, level in saved:
            logger.setLevel(level)
    test_case.addCleanup(restore)
    return buildout


normalize_namespace_warning = (
    # pkg_resources reacting to the native zc namespace, harmless but
    # printed whenever a recipe loads: the warning and the source line
    # printed under it.
    re.compile(r'.*UserWarning: Module zc was already imported.*\n'
               r'(\s+.*\n)?'), '')

checker = renormalizing.RENormalizing([
    normalize_namespace_warning,
    zc.buildout.testing.normalize_path,
    zc.buildout.testing.normalize_endings,
    zc.buildout.testing.normalize_egg_py,
    zc.buildout.testing.not_found,
    zc.buildout.testing.ignore_root_logger,
    zc.buildout.testing.ignore_not_upgrading,
    (re.compile(r'#!\S+'), '#!/usr/bin/python'),
    (re.compile(r'\d+[.]\d+ seconds'), 'N.NNN seconds'),
    (re.compile(r'http://localhost:\d+/'), 'http://test.server/'),
])
"""Normalizes paths, shebangs, timings and buildout's chatter."""


_EXTDEMO_C = '''\
#include <Python.h>
#include <extdemo.h>

#ifdef TWO
#define VAL 2
#else
#define VAL EXTDEMO
#endif

static struct PyModuleDef moduledef = {
    PyModuleDef_HEAD_INIT, "extdemo", NULL, -1, NULL};

PyMODINIT_FUNC PyInit_extdemo(void)
{
    PyObject *module = PyModule_Create(&moduledef);
    if (module != NULL)
        PyModule_AddIntConstant(module, "val", VAL);
    return module;
}
'''

_EXTDEMO_SETUP = '''\
import os
from setuptools import Extension, setup

# Tells the tests which environment the build saw.
report = os.environ.get('EXTDEMO_REPORT')
name = 'test_environment_variable'
if report and name in os.environ:
    with open(report, 'w') as f:
        f.write(f'Have environment {{name}}: {{os.environ[name]}}\\n')

setup(name='extdemo', version={version!r}, zip_safe=False,
      ext_modules=[Extension('extdemo', ['extdemo.c'])])
'''


def make_extdemo(dest, version):
    """Write the ``extdemo`` project (a C extension) into ``dest``.

    Its source needs an ``extdemo.h`` defining ``EXTDEMO`` from an include
    directory; with ``TWO`` defined its ``val`` is 2.  Returns the project
    directory.
    """
    project = os.path.join(dest, f'extdemo-{version}')
    os.makedirs(project)
    with open(os.path.join(project, 'extdemo.c'), 'w') as f:
        f.write(_EXTDEMO_C)
    with open(os.path.join(project, 'setup.py'), 'w') as f:
        f.write(_EXTDEMO_SETUP.format(version=version))
    with open(os.path.join(project, 'PKG-INFO'), 'w') as f:
        f.write(f'Metadata-Version: 2.1\nName: extdemo\nVersion: {version}\n')
    return project


def make_extdemo_sdist(dest, version):
    """Write ``extdemo-<version>.tar.gz`` into ``dest``; return its path."""
    work = tempfile.mkdtemp()
    try:
        make_extdemo(work, version)
        archive = shutil.make_archive(
            os.path.join(dest, f'extdemo-{version}'), 'gztar', work)
    finally:
        shutil.rmtree(work)
    return archive
