import pathlib

from setuptools import find_namespace_packages
from setuptools import setup

HERE = pathlib.Path(__file__).parent


def read(*parts):
    return HERE.joinpath(*parts).read_text(encoding='utf-8')


setup(
    name='zc.queue',
    version='3.0.0.dev0',
    description='Persistent queues that merge concurrent ZODB writes',
    long_description='\n\n'.join([
        read('README.rst'),
        read('src', 'zc', 'queue', 'README.rst'),
        read('CHANGES.rst'),
    ]),
    long_description_content_type='text/x-rst',
    author='The zc egg family developers',
    author_email='zope-dev@zope.dev',
    license_expression='ZPL-2.1',
    license_files=['LICENSE'],
    project_urls={
        'Source': 'https://github.com/zc-egg-family/zc-family/tree/main/zc.queue',
        'Issues': 'https://github.com/zc-egg-family/zc-family/issues',
        'Changelog': 'https://github.com/zc-egg-family/zc-family/blob/main/zc.queue/CHANGES.rst',
    },
    keywords='ZODB queue persistent conflict resolution',
    classifiers=[
        'Development Status :: 2 - Pre-Alpha',
        'Programming Language :: Python :: 3',
        'Programming Language :: Python :: 3 :: Only',
        'Programming Language :: Python :: 3.10',
        'Programming Language :: Python :: 3.11',
        'Programming Language :: Python :: 3.12',
        'Programming Language :: Python :: 3.13',
        'Framework :: ZODB',
        'Typing :: Typed',
    ],
    python_requires='>=3.10',
    package_dir={'': 'src'},
    packages=find_namespace_packages('src'),
    include_package_data=True,
    zip_safe=False,
    install_requires=[
        'persistent',
        'ZODB',
        'zope.interface',
    ],
    extras_require={
        # zc.queue.testing: real database servers for tests, also for
        # other distributions' tests (ZEO, and RelStorage on PostgreSQL).
        'testing': [
            'psycopg2',
            'RelStorage >= 4',
            'transaction',
            'ZEO',
        ],
        'test': [
            'hypothesis',
            'psycopg2',
            'RelStorage >= 4',
            'transaction',
            'ZEO',
            'zope.testing',
            'zope.testrunner',
        ],
    },
)
