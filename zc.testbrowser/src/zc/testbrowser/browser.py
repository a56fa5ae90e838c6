"""The HTTP browser: real sockets, through mechanize's opener.

Only mechanize's transport is used: this browser does its own redirects,
error handling and cookies (shared with the WSGI browser), so robots.txt
is never fetched, ``<meta http-equiv=refresh>`` is not followed and
environment proxies are ignored.
"""
import functools
import http.client
import ssl

import mechanize

from zc.testbrowser._browser import BaseBrowser
from zc.testbrowser._browser import Response
from zc.testbrowser.interfaces import AlreadyExpiredError
from zc.testbrowser.interfaces import AmbiguityError
from zc.testbrowser.interfaces import BrowserStateError
from zc.testbrowser.interfaces import ExpiredError
from zc.testbrowser.interfaces import HTTPError
from zc.testbrowser.interfaces import ItemCountError
from zc.testbrowser.interfaces import ItemNotFoundError
from zc.testbrowser.interfaces import LinkNotFoundError
from zc.testbrowser.interfaces import ValidationError

__all__ = ['Browser', 'AlreadyExpiredError', 'AmbiguityError',
           'BrowserStateError', 'ExpiredError', 'HTTPError',
           'ItemCountError', 'ItemNotFoundError', 'LinkNotFoundError',
           'ValidationError']


class _Closing:
    """A connection that closes its socket when a request fails midway.

    mechanize leaves the socket of a failed request (a timeout, a reset)
    to the garbage collector; a test suite opening many pages would leak
    them.
    """

    def request(self, *args, **kw):
        try:
            return super().request(*args, **kw)
        except BaseException:
            self.close()
            raise

    def getresponse(self):
        try:
            return super().getresponse()
        except BaseException:
            self.close()
            raise


class _HTTPConnection(_Closing, http.client.HTTPConnection):
    pass


class _HTTPSConnection(_Closing, http.client.HTTPSConnection):
    pass


class _HTTPHandler(mechanize.HTTPHandler):

    def http_open(self, request):
        return self.do_open(_HTTPConnection, request)


class _HTTPSHandler(mechanize.HTTPSHandler):

    def https_open(self, request):
        return self.do_open(functools.partial(
            _HTTPSConnection, context=ssl.create_default_context()), request)


class Browser(BaseBrowser):
    """A browser talking HTTP to a server; ``timeout`` is per request."""

    timeout = 60

    def __init__(self, url=None):
        self._opener = mechanize.OpenerDirector()
        self._opener.add_handler(_HTTPHandler())
        self._opener.add_handler(_HTTPSHandler())
        super().__init__(url)

    def _send(self, request, handle_errors):
        request.add_header('X-Zope-Handle-Errors', str(bool(handle_errors)))
        request.timeout = self.timeout
        response = self._opener.open(request)
        try:
            return Response(response.code, response.msg,
                            list(response.info().items()), response.read())
        finally:
            response.close()
