import pathlib

from setuptools import find_namespace_packages
from setuptools import setup

HERE = pathlib.Path(__file__).parent


def read(*parts):
    return HERE.joinpath(*parts).read_text(encoding='utf-8')


setup(
    name='zc.sourcefactory',
    version='4.0.0.dev0',
    description='An easy way to create custom Zope sources',
    long_description='\n\n'.join([
        read('README.rst'),
        read('src', 'zc', 'sourcefactory', 'README.rst'),
        read('CHANGES.rst'),
    ]),
    long_description_content_type='text/x-rst',
    author='The zc egg family developers',
    author_email='zope-dev@zope.dev',
    license_expression='ZPL-2.1',
    license_files=['LICENSE'],
    project_urls={
        'Source': 'https://github.com/zc-egg-family/zc-family/tree/main/zc.sourcefactory',
        'Issues': 'https://github.com/zc-egg-family/zc-family/issues',
        'Changelog':
            'https://github.com/zc-egg-family/zc-family/blob/main/zc.sourcefactory/CHANGES.rst',
    },
    keywords='zope schema source vocabulary choice terms token',
    classifiers=[
        'Development Status :: 2 - Pre-Alpha',
        'Framework :: Zope :: 3',
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
    package_data={'zc.sourcefactory': ['*.zcml', '*.rst', 'browser/*.zcml',
                                       'py.typed']},
    zip_safe=False,
    install_requires=[
        'persistent',
        'ZODB',
        'zope.browser',
        'zope.component',
        'zope.dublincore',
        'zope.interface',
        'zope.intid',
        'zope.proxy',
        'zope.publisher',
        'zope.schema',
    ],
    extras_require={
        'test': [
            'zope.component[zcml]',
            'zope.configuration',
            'zope.formlib',
            'zope.keyreference',
            'zope.security',
            'zope.site',
            'zope.testing',
            'zope.testrunner',
        ],
    },
)
