import pathlib

from setuptools import find_namespace_packages
from setuptools import setup

HERE = pathlib.Path(__file__).parent


def read(*parts):
    return HERE.joinpath(*parts).read_text(encoding='utf-8')


setup(
    name='zc.relation',
    version='4.0.0.dev0',
    description=('Index intransitive and transitive n-ary relationships'),
    long_description='\n\n'.join([
        read('README.rst'),
        read('src', 'zc', 'relation', 'README.rst'),
        read('CHANGES.rst'),
    ]),
    long_description_content_type='text/x-rst',
    author='The zc egg family developers',
    author_email='zope-dev@zope.dev',
    license_expression='ZPL-2.1',
    license_files=['LICENSE'],
    project_urls={
        'Source': 'https://github.com/zc-egg-family/zc-family/tree/main/zc.relation',
        'Issues': 'https://github.com/zc-egg-family/zc-family/issues',
        'Changelog': 'https://github.com/zc-egg-family/zc-family/blob/main/zc.relation/CHANGES.rst',
    },
    keywords='relation catalog transitive index zodb',
    classifiers=[
        'Development Status :: 2 - Pre-Alpha',
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
        'BTrees',
        'persistent',
        'zope.interface',
    ],
    extras_require={
        'zodb': [
            'ZODB',
            'transaction',
        ],
        'test': [
            'ZODB',
            'transaction',
            'zope.testing',
            'zope.testrunner',
            'hypothesis',
        ],
    },
)
