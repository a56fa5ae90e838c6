"""The tutorial (README.rst) as a test."""
import doctest
import http.client
import unittest
import urllib.parse
import warnings

import zope.component
from zope.interface import Interface
from zope.publisher.browser import BrowserView
from zope.publisher.interfaces.browser import IDefaultBrowserLayer

from zc.resourcelibrary import resourcelibrary
from zc.resourcelibrary.tests import zopeapp
from zc.resourcelibrary.tests.server import serving


def get(url, headers=False):
    """The body of ``url`` as text (and its headers, when asked for)."""
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port,
                                            timeout=30)
    try:
        connection.request('GET', parts.path or '/')
        response = connection.getresponse()
        body = response.read().decode()
        return (body, response.headers) if headers else body
    finally:
        connection.close()


def setUp(test):
    test.catcher = warnings.catch_warnings()
    test.catcher.__enter__()
    # WebOb 1.8 still imports the cgi module.
    warnings.filterwarnings('ignore', "'cgi' is deprecated",
                            DeprecationWarning)
    zopeapp.set_up_zope()
    test.globs.update(
        configure=lambda zcml: zopeapp.configure(zcml) and None,
        publish=zopeapp.publish,
        serving=serving,
        get=get,
        HERE=zopeapp.HERE,
        library_info=resourcelibrary.library_info,
        BrowserView=BrowserView,
        Interface=Interface,
        IDefaultBrowserLayer=IDefaultBrowserLayer,
        provideAdapter=zope.component.provideAdapter,
    )


def tearDown(test):
    zopeapp.tear_down_zope()
    test.catcher.__exit__(None, None, None)


def test_suite():
    return unittest.TestSuite([
        doctest.DocFileSuite(
            '../README.rst', setUp=setUp, tearDown=tearDown,
            optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE),
    ])
