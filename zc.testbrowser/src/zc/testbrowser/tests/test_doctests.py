"""The tutorial and the shared scenarios as tests.

``scenarios.rst`` runs twice: with the WSGI browser calling the shop in
process, and with the HTTP browser against the shop served on 127.0.0.1
by a real server that the ``HTTPServerLayer`` starts and stops.  Output
is normalised so that both runs expect the same text.
"""
import doctest
import re
import unittest

from zope.testing import renormalizing

import zc.testbrowser.browser
import zc.testbrowser.wsgi
from zc.testbrowser.tests import webapp

OPTIONS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE

# The real server's address varies; the scenarios say http://localhost.
CHECKER = renormalizing.RENormalizing([
    (re.compile(r'http://127\.0\.0\.1:\d+'), 'http://localhost'),
])


class ShopLayer(zc.testbrowser.wsgi.Layer):
    """The shop for the WSGI browser."""

    def make_wsgi_app(self):
        return webapp.application


SHOP_LAYER = ShopLayer()


class HTTPServerLayer:
    """The shop served over HTTP on 127.0.0.1 for the HTTP browser."""

    server = None

    @classmethod
    def setUp(cls):
        cls.server = webapp.Server()

    @classmethod
    def tearDown(cls):
        cls.server.stop()
        cls.server = None


def wsgi_setUp(test):
    test.globs['Browser'] = zc.testbrowser.wsgi.Browser
    test.globs['app_url'] = 'http://localhost'


def http_setUp(test):
    test.globs['Browser'] = zc.testbrowser.browser.Browser
    test.globs['app_url'] = HTTPServerLayer.server.url


def readme_setUp(test):
    test.globs['webapp'] = webapp
    test.globs['shop_url'] = HTTPServerLayer.server.url


def test_suite():
    readme = doctest.DocFileSuite(
        '../README.rst', setUp=readme_setUp, optionflags=OPTIONS,
        checker=CHECKER)
    readme.layer = HTTPServerLayer
    wsgi = doctest.DocFileSuite(
        'scenarios.rst', setUp=wsgi_setUp, optionflags=OPTIONS,
        checker=CHECKER)
    wsgi.layer = SHOP_LAYER
    http = doctest.DocFileSuite(
        'scenarios.rst', setUp=http_setUp, optionflags=OPTIONS,
        checker=CHECKER)
    http.layer = HTTPServerLayer
    return unittest.TestSuite([readme, wsgi, http])
