import pathlib

from setuptools import find_namespace_packages
from setuptools import setup

HERE = pathlib.Path(__file__).parent


def read(*parts):
    return HERE.joinpath(*parts).read_text(encoding='utf-8')


setup(
    name='zc.testbrowser',
    version='2.0.0.dev0',
    description='Programmable web browser for functional black-box tests'
                ' of web applications, in process (WSGI), over HTTP or'
                ' in headless Chromium',
    long_description='\n\n'.join([
        read('README.rst'),
        read('src', 'zc', 'testbrowser', 'README.rst'),
        read('CHANGES.rst'),
    ]),
    long_description_content_type='text/x-rst',
    author='The zc egg family developers',
    author_email='zope-dev@zope.dev',
    license_expression='ZPL-2.1',
    license_files=['LICENSE'],
    project_urls={
        'Source': 'https://github.com/zc-egg-family/zc-family/tree/main/zc.testbrowser',
        'Issues': 'https://github.com/zc-egg-family/zc-family/issues',
        'Changelog':
            'https://github.com/zc-egg-family/zc-family/blob/main/zc.testbrowser/CHANGES.rst',
    },
    keywords='browser test functional wsgi webob mechanize',
    classifiers=[
        'Development Status :: 2 - Pre-Alpha',
        'Framework :: Zope',
        'Intended Audience :: Developers',
        'Programming Language :: Python :: 3',
        'Programming Language :: Python :: 3 :: Only',
        'Programming Language :: Python :: 3.10',
        'Programming Language :: Python :: 3.11',
        'Programming Language :: Python :: 3.12',
        'Programming Language :: Python :: 3.13',
        'Topic :: Software Development :: Testing',
        'Topic :: Internet :: WWW/HTTP :: WSGI',
        'Typing :: Typed',
    ],
    python_requires='>=3.10',
    package_dir={'': 'src'},
    packages=find_namespace_packages('src'),
    include_package_data=True,
    zip_safe=False,
    install_requires=[
        'mechanize >= 0.4.10, < 0.5',
        'selectolax >= 1.0',
        'WebOb >= 1.8, < 2',
        'zope.interface',
        'zope.schema',
    ],
    extras_require={
        'real': ['playwright >= 1.40'],
        'test': ['zope.testrunner', 'zope.testing', 'playwright >= 1.40'],
    },
)
