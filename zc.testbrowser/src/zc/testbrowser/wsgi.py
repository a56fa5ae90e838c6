"""The WSGI browser: calls a WSGI application in process, through WebOb."""
import base64
import io
import re
import sys
import urllib.parse

import webob
import webob.request

from zc.testbrowser._browser import BaseBrowser
from zc.testbrowser._browser import Response

__all__ = ['Browser', 'Layer', 'TestBrowserLayer', 'AuthorizationMiddleware',
           'HostNotAllowed']

_LOCAL_HOSTS = re.compile(
    r'^(localhost|127\.0\.0\.1|(.+\.)?example\.(com|net|org))$')
_app = None


class HostNotAllowed(Exception):
    """The WSGI browser only visits local hosts (and example.*)."""


class Browser(BaseBrowser):
    """A browser whose requests are calls of a WSGI application.

    ``wsgi_app`` defaults to the application of the active ``Layer``.
    """

    def __init__(self, url=None, wsgi_app=None):
        if wsgi_app is None:
            wsgi_app = Layer.get_app()
        if wsgi_app is None:
            raise AssertionError('wsgi_app not provided or'
                                 ' zc.testbrowser.wsgi.Layer not setup')
        self._app = wsgi_app
        super().__init__(url)

    def _send(self, request, handle_errors):
        url = request.get_full_url()
        host = urllib.parse.urlsplit(url).hostname or ''
        if not _LOCAL_HOSTS.match(host):
            raise HostNotAllowed(url)
        environ = webob.request.environ_from_url(url)
        environ['REQUEST_METHOD'] = request.get_method()
        environ['REMOTE_ADDR'] = '127.0.0.1'
        environ['wsgi.errors'] = sys.stderr
        body = request.data or b''
        environ['wsgi.input'] = io.BytesIO(body)
        environ['CONTENT_LENGTH'] = str(len(body))
        environ.pop('CONTENT_TYPE', None)
        for name, value in request.header_items():
            key = name.upper().replace('-', '_')
            if key == 'CONTENT_TYPE':
                environ['CONTENT_TYPE'] = value
            elif key not in ('CONTENT_LENGTH', 'HOST'):
                environ['HTTP_' + key] = value
        if handle_errors:
            environ['HTTP_X_ZOPE_HANDLE_ERRORS'] = 'True'
            environ['paste.throw_errors'] = None
        else:
            environ['wsgi.handleErrors'] = False
            environ['paste.throw_errors'] = True
            environ['x-wsgiorg.throw_errors'] = True
        status, headers, app_iter = webob.Request(environ).call_application(
            self._app)
        try:
            data = b''.join(app_iter)
        finally:
            close = getattr(app_iter, 'close', None)
            if close is not None:
                close()
        code, _, reason = status.partition(' ')
        return Response(int(code), reason, list(headers), data)


class Layer:
    """A test layer providing a WSGI application to the browsers.

    Subclass and define ``make_wsgi_app()``.
    """

    __bases__ = ()

    def __init__(self, name=None):
        self.__name__ = name or type(self).__name__
        self.__module__ = type(self).__module__

    def make_wsgi_app(self):
        raise NotImplementedError(
            f'{type(self).__name__} must define make_wsgi_app()')

    @staticmethod
    def get_app():
        return _app

    def setUp(self):
        _install(self.make_wsgi_app())

    def tearDown(self):
        _uninstall()


def _install(app):
    global _app
    if _app is not None:
        raise AssertionError('Already Setup')
    _app = app


def _uninstall():
    global _app
    _app = None


class TestBrowserLayer:
    """A mix-in for layers that make their app per test.

    Installs ``make_wsgi_app()`` in ``testSetUp`` and removes it in
    ``testTearDown``, calling the other bases cooperatively.
    """

    def testSetUp(self):
        parent = super()
        if hasattr(parent, 'testSetUp'):
            parent.testSetUp()
        _install(self.make_wsgi_app())

    def testTearDown(self):
        _uninstall()
        parent = super()
        if hasattr(parent, 'testTearDown'):
            parent.testTearDown()


class AuthorizationMiddleware:
    """Lets tests write ``Authorization: Basic user:password`` in plain text.

    The header is base64-encoded on its way to the application; other
    schemes pass unchanged.  The response headers X-Content-Type-Warning
    and X-Powered-By are removed.
    """

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        auth = environ.get('HTTP_AUTHORIZATION')
        if auth is not None:
            scheme, _, credentials = auth.partition(' ')
            if scheme.lower() == 'basic' and ':' in credentials:
                encoded = base64.b64encode(credentials.encode('utf-8'))
                environ['HTTP_AUTHORIZATION'] = 'Basic ' + encoded.decode()

        def filtering_start_response(status, headers, exc_info=None):
            headers = [(name, value) for name, value in headers
                       if name.lower() not in ('x-content-type-warning',
                                               'x-powered-by')]
            return start_response(status, headers, exc_info)

        return self.wsgi_app(environ, filtering_start_response)
