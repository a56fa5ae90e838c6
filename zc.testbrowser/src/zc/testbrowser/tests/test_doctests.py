"""The tutorial and the shared scenarios as tests.

``scenarios.rst`` runs three times: with the WSGI browser calling the
shop in process, with the HTTP browser against the shop served on
127.0.0.1 by a real server that the ``HTTPServerLayer`` starts and stops,
and with the real browser (headless Chromium, in the real-browser tests'
layer) against the shop served the same way.  Output is normalised so
that every run expects the same text.
"""
import doctest
import re
import unittest

from zope.testing import renormalizing

import zc.testbrowser.browser
import zc.testbrowser.real
import zc.testbrowser.wsgi
from zc.testbrowser.tests import test_real
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


def real_setUp(test):
    server = test.globs['server'] = webapp.Server()
    browsers = test.globs['browsers'] = []

    def Browser(*args, **kw):
        browser = zc.testbrowser.real.Browser(*args, **kw)
        browsers.append(browser)
        return browser
    test.globs['Browser'] = Browser
    test.globs['app_url'] = server.url


def real_tearDown(test):
    for browser in test.globs['browsers']:
        browser.close()
    test.globs['server'].stop()


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
    real = doctest.DocFileSuite(
        'scenarios.rst', setUp=real_setUp, tearDown=real_tearDown,
        optionflags=OPTIONS, checker=CHECKER)
    real.layer = test_real.CHROMIUM
    return unittest.TestSuite([readme, wsgi, http, real])
