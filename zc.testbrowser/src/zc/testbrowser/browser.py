"""The HTTP browser: real sockets, through mechanize's opener.

Only mechanize's transport is used: this browser does its own redirects,
error handling and cookies (shared with the WSGI browser), so robots.txt
is never fetched, ``<meta http-equiv=refresh>`` is not followed and
environment proxies are ignored.
"""
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


class Browser(BaseBrowser):
    """A browser talking HTTP to a server; ``timeout`` is per request."""

    def __init__(self, url=None):
        self._opener = mechanize.OpenerDirector()
        self._opener.add_handler(mechanize.HTTPHandler())
        self._opener.add_handler(mechanize.HTTPSHandler())
        super().__init__(url)

    def _send(self, request, handle_errors):
        request.add_header('X-Zope-Handle-Errors', str(bool(handle_errors)))
        request.timeout = self.timeout
        response = self._opener.open(request)
        try:
            body = response.read()
            headers = [tuple(line.split(':', 1)) for line in
                       _header_lines(response.info())]
            return Response(response.code, response.msg,
                            [(name, value.strip()) for name, value in headers],
                            body)
        finally:
            response.close()


def _header_lines(message):
    for name, value in message.items():
        yield f'{name}:{value}'
