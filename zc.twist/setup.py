import pathlib

from setuptools import find_namespace_packages
from setuptools import setup

HERE = pathlib.Path(__file__).parent


def read(*parts):
    return HERE.joinpath(*parts).read_text(encoding='utf-8')


setup(
    name='zc.twist',
    version='2.0.0.dev0',
    description='Talk to the ZODB from Twisted reactor calls',
    long_description='\n\n'.join([
        read('README.rst'),
        read('src', 'zc', 'twist', 'README.rst'),
        read('CHANGES.rst'),
    ]),
    long_description_content_type='text/x-rst',
    author='The zc egg family developers',
    author_email='zope-dev@zope.dev',
    license_expression='ZPL-2.1',
    license_files=['LICENSE'],
    project_urls={
        'Source': 'https://github.com/zc-egg-family/zc-family/tree/main/zc.twist',
        'Issues': 'https://github.com/zc-egg-family/zc-family/issues',
        'Changelog': 'https://github.com/zc-egg-family/zc-family/blob/main/zc.twist/CHANGES.rst',
    },
    keywords='twisted zodb reactor persistent deferred',
    classifiers=[
        'Development Status :: 2 - Pre-Alpha',
        'Framework :: Twisted',
        'Framework :: ZODB',
        'Programming Language :: Python :: 3',
        'Programming Language :: Python :: 3 :: Only',
        'Programming Language :: Python :: 3.10',
        'Programming Language :: Python :: 3.11',
        'Programming Language :: Python :: 3.12',
        'Programming Language :: Python :: 3.13',
        'Typing :: Typed',
    ],
    python_requires='>=3.10',
    package_dir={'': 'src'},
    packages=find_namespace_packages('src'),
    include_package_data=True,
    zip_safe=False,
    install_requires=[
        'ZODB',
        'persistent',
        'transaction',
        'Twisted',
        'zope.interface',
        'zope.component',
    ],
    extras_require={
        'zeo': ['ZEO'],
        # A family member names our version as its floor: without it pip
        # may install the original zc.queue 2.0.0 from the index.
        'test': ['zope.testrunner', 'ZEO', 'zc.queue[testing] >= 3.0.0.dev0'],
    },
)
