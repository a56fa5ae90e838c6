import pathlib

from setuptools import find_namespace_packages
from setuptools import setup

HERE = pathlib.Path(__file__).parent


def read(*parts):
    return HERE.joinpath(*parts).read_text(encoding='utf-8')


setup(
    name='zc.resumelb',
    version='2.0.0.dev0',
    description='Résumé-based WSGI load balancer: requests of a class go to'
                ' the workers that are good at them',
    long_description='\n\n'.join([
        read('README.rst'),
        read('src', 'zc', 'resumelb', 'README.rst'),
        read('CHANGES.rst'),
    ]),
    long_description_content_type='text/x-rst',
    author='The zc egg family developers',
    author_email='zope-dev@zope.dev',
    license_expression='ZPL-2.1',
    license_files=['LICENSE'],
    project_urls={
        'Source': 'https://github.com/zc-egg-family/zc-family/tree/main/zc.resumelb',
        'Issues': 'https://github.com/zc-egg-family/zc-family/issues',
        'Changelog': 'https://github.com/zc-egg-family/zc-family/blob/main/zc.resumelb/CHANGES.rst',
    },
    keywords='wsgi load balancer gevent cache affinity',
    classifiers=[
        'Development Status :: 2 - Pre-Alpha',
        'Programming Language :: Python :: 3',
        'Programming Language :: Python :: 3 :: Only',
        'Programming Language :: Python :: 3.10',
        'Programming Language :: Python :: 3.11',
        'Programming Language :: Python :: 3.12',
        'Programming Language :: Python :: 3.13',
        'Topic :: Internet :: WWW/HTTP :: WSGI :: Server',
        'Typing :: Typed',
    ],
    python_requires='>=3.10',
    package_dir={'': 'src'},
    packages=find_namespace_packages('src'),
    include_package_data=True,
    zip_safe=False,
    install_requires=['gevent>=24', 'zope.interface'],
    extras_require={
        'test': ['zope.testrunner', 'zope.testing', 'PasteDeploy', 'kazoo',
                 'matplotlib'],
        'zk': ['kazoo'],
        'sim': ['matplotlib'],
    },
    entry_points={
        'console_scripts': [
            'resumelb = zc.resumelb.lb:main',
            'zkresumelb = zc.resumelb.zk:lbmain',
            'get-worker-resume = zc.resumelb.worker:get_resume_main',
            'get-lb-status = zc.resumelb.zk:get_lb_status',
            'rlb-nagios = zc.resumelb.nagios:main',
        ],
        'paste.server_runner': [
            'main = zc.resumelb.worker:server_runner',
            'zk = zc.resumelb.zk:worker',
        ],
    },
)
