import pathlib

from setuptools import find_namespace_packages
from setuptools import setup

HERE = pathlib.Path(__file__).parent


def read(*parts):
    return HERE.joinpath(*parts).read_text(encoding='utf-8')


setup(
    # Above the last upstream release (5.0) so that no version floor or
    # habit of pinning prefers the index copy (dev-buildout.md, P1).
    name='zc.recipe.testrunner',
    version='6.0.0.dev0',
    description='Buildout recipe: a zope.testrunner script for a set of eggs',
    long_description='\n\n'.join([
        read('README.rst'),
        read('src', 'zc', 'recipe', 'testrunner', 'README.rst'),
        read('CHANGES.rst'),
    ]),
    long_description_content_type='text/x-rst',
    author='The zc egg family developers',
    license='ZPL-2.1',
    keywords='development build buildout recipe test testrunner',
    classifiers=[
        'Development Status :: 5 - Production/Stable',
        'Framework :: Buildout',
        'Framework :: Buildout :: Recipe',
        'Programming Language :: Python :: 3',
        'Programming Language :: Python :: 3 :: Only',
        'Programming Language :: Python :: 3.10',
        'Programming Language :: Python :: 3.11',
        'Programming Language :: Python :: 3.12',
        'Programming Language :: Python :: 3.13',
        'Topic :: Software Development :: Build Tools',
    ],
    python_requires='>=3.10',
    package_dir={'': 'src'},
    packages=find_namespace_packages('src'),
    include_package_data=True,
    zip_safe=False,
    install_requires=[
        'zc.buildout >= 6',
        'zc.recipe.egg >= 6',
        'zope.testrunner >= 6.4',
        'packaging >= 23.2',
        'setuptools',
    ],
    extras_require={
        'test': ['zope.testing'],
    },
    entry_points={
        'zc.buildout': [
            'default = zc.recipe.testrunner:TestRunner',
        ],
    },
)
