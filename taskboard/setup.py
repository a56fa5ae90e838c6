"""The task board: the zc egg family's distributions working together.

Not released; it is built by the development buildout and started by
``make run``.
"""
from setuptools import find_packages
from setuptools import setup

setup(
    name='taskboard',
    version='1.0.0.dev0',
    description='A task board with dependencies, served by the zc egg family',
    author='The zc egg family developers',
    author_email='zope-dev@zope.dev',
    license='ZPL-2.1',
    python_requires='>=3.10',
    package_dir={'': 'src'},
    packages=find_packages('src'),
    package_data={'taskboard': ['static/*']},
    zip_safe=False,
    install_requires=[
        'BTrees',
        'persistent',
        'transaction',
        'WebOb',
        'ZEO',
        'ZODB',
        'zope.interface',
        'zc.queue >= 3.0.0.dev0',
        'zc.relation >= 4.0.0.dev0',
        'zc.resourcelibrary >= 3.0.0.dev0',
        'zc.resumelb >= 2.0.0.dev0',
        'zc.sourcefactory >= 4.0.0.dev0',
        'zc.thread >= 2.0.0.dev0',
        'zc.twist >= 2.0.0.dev0',
    ],
    extras_require={
        'postgresql': ['RelStorage', 'psycopg2'],
        'test': [
            'psycopg2',
            'RelStorage',
            'zope.testrunner',
            'zc.queue[testing] >= 3.0.0.dev0',
            'zc.testbrowser[real] >= 2.0.0.dev0',
        ],
    },
    entry_points={
        'console_scripts': [
            'taskboard-run = taskboard.launcher:main',
        ],
    },
)
