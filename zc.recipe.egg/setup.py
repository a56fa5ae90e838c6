import pathlib

from setuptools import find_namespace_packages
from setuptools import setup

HERE = pathlib.Path(__file__).parent


def read(*parts):
    return HERE.joinpath(*parts).read_text(encoding='utf-8')


setup(
    # Above the last upstream release (6.0.0): buildout silently requires
    # zc.recipe.egg >= 2.0.6 and our zc.recipe.testrunner asks for
    # >= 7.0.0.dev0; a develop egg below either floor silently loses to the
    # index copy (docs/development.md).
    name='zc.recipe.egg',
    version='7.0.0.dev0',
    description='Buildout recipes: install eggs, generate scripts and '
                'interpreters, build eggs with custom settings',
    long_description='\n\n'.join([
        read('README.rst'),
        read('src', 'zc', 'recipe', 'egg', 'README.rst'),
        read('CHANGES.rst'),
    ]),
    long_description_content_type='text/x-rst',
    author='The zc egg family developers',
    author_email='zope-dev@zope.dev',
    license_expression='ZPL-2.1',
    license_files=['LICENSE'],
    project_urls={
        'Source': 'https://github.com/zc-egg-family/zc-family/tree/main/zc.recipe.egg',
        'Issues': 'https://github.com/zc-egg-family/zc-family/issues',
        'Changelog': 'https://github.com/zc-egg-family/zc-family/blob/main/zc.recipe.egg/CHANGES.rst',
    },
    keywords='development build buildout recipe egg script',
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
        'zc.buildout >= 6.0.1',
        'setuptools',
    ],
    extras_require={
        'test': ['zope.testing', 'zope.testrunner'],
    },
    entry_points={
        'zc.buildout': [
            'default = zc.recipe.egg:Scripts',
            'script = zc.recipe.egg:Scripts',
            'scripts = zc.recipe.egg:Scripts',
            'eggs = zc.recipe.egg:Eggs',
            'custom = zc.recipe.egg:Custom',
            'develop = zc.recipe.egg:Develop',
        ],
    },
)
