import pathlib

from setuptools import find_namespace_packages
from setuptools import setup

HERE = pathlib.Path(__file__).parent


def read(*parts):
    return HERE.joinpath(*parts).read_text(encoding='utf-8')


setup(
    # Above the last upstream release (5.0): buildout uses a develop egg
    # only when its version satisfies every constraint on the name, so a
    # lower version would silently lose to the index copy
    # (docs/development.md).
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
    author_email='zope-dev@zope.dev',
    license_expression='ZPL-2.1',
    license_files=['LICENSE'],
    project_urls={
        'Source': 'https://github.com/zc-egg-family/zc-family/tree/main/zc.recipe.testrunner',
        'Issues': 'https://github.com/zc-egg-family/zc-family/issues',
        'Changelog': 'https://github.com/zc-egg-family/zc-family/blob/main/zc.recipe.testrunner/CHANGES.rst',
    },
    keywords='development build buildout recipe test testrunner',
    classifiers=[
        'Development Status :: 2 - Pre-Alpha',
        'Framework :: Buildout',
        'Framework :: Buildout :: Recipe',
        'Programming Language :: Python :: 3',
        'Programming Language :: Python :: 3 :: Only',
        'Programming Language :: Python :: 3.10',
        'Programming Language :: Python :: 3.11',
        'Programming Language :: Python :: 3.12',
        'Programming Language :: Python :: 3.13',
        'Topic :: Software Development :: Build Tools',
        'Typing :: Typed',
    ],
    python_requires='>=3.10',
    package_dir={'': 'src'},
    packages=find_namespace_packages('src'),
    include_package_data=True,
    zip_safe=False,
    install_requires=[
        'zc.buildout >= 6',
        # Our version as the floor, or pip and buildout may pick the
        # original 6.0.0 from the index.
        'zc.recipe.egg >= 7.0.0.dev0',
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
