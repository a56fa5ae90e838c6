import pathlib

from setuptools import find_namespace_packages
from setuptools import setup

HERE = pathlib.Path(__file__).parent


def read(*parts):
    return HERE.joinpath(*parts).read_text(encoding='utf-8')


setup(
    name='zc.resourcelibrary',
    version='3.0.0.dev0',
    description='Post-rendering inclusion of JavaScript and CSS libraries '
                'into HTML pages, for Zope and for any WSGI application',
    long_description='\n\n'.join([
        read('README.rst'),
        read('src', 'zc', 'resourcelibrary', 'README.rst'),
        read('CHANGES.rst'),
    ]),
    long_description_content_type='text/x-rst',
    author='The zc egg family developers',
    author_email='zope-dev@zope.dev',
    license_expression='ZPL-2.1',
    license_files=['LICENSE'],
    keywords='zope wsgi javascript css resource library '
             'subresource integrity content security policy',
    project_urls={
        'Source': 'https://github.com/zc-egg-family/zc-family/tree/main/zc.resourcelibrary',
        'Issues': 'https://github.com/zc-egg-family/zc-family/issues',
        'Changelog':
            'https://github.com/zc-egg-family/zc-family/blob/main/zc.resourcelibrary/CHANGES.rst',
    },
    classifiers=[
        'Development Status :: 2 - Pre-Alpha',
        'Framework :: Zope :: 3',
        'Programming Language :: Python :: 3',
        'Programming Language :: Python :: 3 :: Only',
        'Programming Language :: Python :: 3.10',
        'Programming Language :: Python :: 3.11',
        'Programming Language :: Python :: 3.12',
        'Programming Language :: Python :: 3.13',
        'Topic :: Internet :: WWW/HTTP :: WSGI :: Middleware',
        'Typing :: Typed',
    ],
    python_requires='>=3.10',
    package_dir={'': 'src'},
    packages=find_namespace_packages('src'),
    include_package_data=True,
    zip_safe=False,
    install_requires=[
        'WebOb',
        'zope.browserpage',
        'zope.browserresource',
        'zope.component',
        'zope.configuration',
        'zope.interface',
        'zope.publisher',
        'zope.security',
        'zope.tales',
        'zope.traversing',
    ],
    extras_require={
        'test': [
            'zc.testbrowser >= 2.0.0.dev0',
            'zope.app.publication',
            'zope.pagetemplate',
            'zope.testing',
            'zope.testrunner',
        ],
    },
)
