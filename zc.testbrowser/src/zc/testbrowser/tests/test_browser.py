"""The HTTP browser against real servers on 127.0.0.1."""
import os
import socket
import unittest
import unittest.mock

import webob
import zope.interface.verify

from zc.testbrowser import browser as http_browser
from zc.testbrowser.interfaces import ITestBrowser
from zc.testbrowser.tests import webapp


class RecordingApp:
    """Records the raw request lines and headers every request arrives with."""

    def __init__(self):
        self.requests = []

    def __call__(self, environ, start_response):
        request = webob.Request(environ)
        self.requests.append((request.method, environ.get('RAW_URI') or
                              environ['PATH_INFO'], dict(request.headers)))
        if request.path_info == '/refresh':
            body = (b'<html><head><meta http-equiv="refresh"'
                    b' content="0; url=/elsewhere"><title>Stay</title>'
                    b'</head></html>')
            response = webob.Response(body, content_type='text/html')
        else:
            response = webob.Response('ok', content_type='text/plain')
        return response(environ, start_response)


class HTTPBrowserTests(unittest.TestCase):

    def setUp(self):
        self.app = RecordingApp()
        self.server = webapp.Server(self.app)
        self.addCleanup(self.server.stop)
        self.browser = http_browser.Browser()

    def test_browser_provides_the_test_browser_interface(self):
        self.browser.open(self.server.url + '/refresh')
        self.assertTrue(zope.interface.verify.verifyObject(
            ITestBrowser, self.browser))

    def test_only_the_default_headers_are_sent(self):
        self.browser.open(self.server.url + '/')
        [(method, path, headers)] = self.app.requests
        self.assertEqual(headers['User-Agent'], 'zc.testbrowser/2.0.0.dev0')
        self.assertEqual(headers['Connection'], 'close')
        self.assertEqual(headers['X-Zope-Handle-Errors'], 'True')
        self.assertNotIn('Referer', headers)
        self.assertNotIn('Cookie', headers)

    def test_handle_errors_false_is_sent_as_a_header(self):
        self.browser.handleErrors = False
        self.browser.open(self.server.url + '/')
        self.assertEqual(self.app.requests[0][2]['X-Zope-Handle-Errors'],
                         'False')

    def test_robots_txt_is_never_fetched_and_refresh_never_followed(self):
        self.browser.open(self.server.url + '/refresh')
        self.assertEqual(self.browser.title, 'Stay')
        self.assertEqual([path for _, path, _ in self.app.requests],
                         ['/refresh'])

    def test_spaces_and_non_ascii_are_quoted_on_the_wire(self):
        self.browser.open(self.server.url + '/a b/ü')
        self.assertEqual(self.app.requests[0][1],
                         '/a b/ü'.encode('utf-8').decode('latin-1'))
        self.assertEqual(self.browser.url,
                         self.server.url + '/a%20b/%C3%BC')

    def test_environment_proxies_are_ignored(self):
        with unittest.mock.patch.dict(os.environ, {
                'http_proxy': 'http://127.0.0.1:9', 'no_proxy': ''}):
            self.browser.open(self.server.url + '/')
        self.assertEqual(self.browser.contents, 'ok')

    def test_reload_posts_again(self):
        self.browser.open(self.server.url + '/form', 'a=1')
        self.browser.reload()
        self.assertEqual([method for method, _, _ in self.app.requests],
                         ['POST', 'POST'])


class TimeoutTests(unittest.TestCase):

    def test_a_silent_server_times_out_after_the_timeout(self):
        listener = socket.create_server(('127.0.0.1', 0))
        self.addCleanup(listener.close)
        port = listener.getsockname()[1]
        browser = http_browser.Browser()
        browser.timeout = 0.2
        with self.assertRaises(OSError):
            browser.open(f'http://127.0.0.1:{port}/')

    def test_refused_connection_is_an_error(self):
        listener = socket.create_server(('127.0.0.1', 0))
        port = listener.getsockname()[1]
        listener.close()
        with self.assertRaises(OSError):
            http_browser.Browser(f'http://127.0.0.1:{port}/')
