"""History, redirects, errors, headers and contents: the shared browser."""
import gzip
import unittest
import urllib.error

import webob
import zope.interface.verify

from zc.testbrowser._browser import quote_url
from zc.testbrowser.interfaces import BrowserStateError
from zc.testbrowser.interfaces import ITestBrowser
from zc.testbrowser.wsgi import Browser


def app(environ, start_response):
    request = webob.Request(environ)
    path = request.path_info
    if path == '/json':
        response = webob.Response(b'{"a": 1}',
                                  content_type='application/json')
    elif path == '/bytes':
        response = webob.Response(b'\x00\x01',
                                  content_type='application/octet-stream')
    elif path == '/meta':
        html = '<meta charset="iso-8859-1"><title>Grüß</title>'
        response = webob.Response(html.encode('latin-1'))
        response.content_type = 'text/html'
        response.charset = None
    elif path == '/broken':
        response = webob.Response(b'caf\xe9', content_type='text/plain')
    elif path == '/gzip':
        response = webob.Response(gzip.compress(b'zipped'),
                                  content_type='text/plain')
        response.headers['Content-Encoding'] = 'gzip'
    elif path == '/two-cookies':
        response = webob.Response('x', content_type='text/plain')
        response.headers.add('Set-Cookie', 'a=1')
        response.headers.add('Set-Cookie', 'b=2')
    elif path == '/redirect-with-cookie':
        response = webob.Response(status=302, location='/echo')
        response.set_cookie('hop', 'yes')
    elif path == '/outside':
        response = webob.Response(status=302, location='http://python.org/')
    else:
        body = (f'{request.method} {request.path_qs} '
                f'{request.body!r} {request.headers.get("Cookie")}')
        response = webob.Response(body, content_type='text/plain')
    return response(environ, start_response)


class BrowserTests(unittest.TestCase):

    def setUp(self):
        self.browser = Browser(wsgi_app=app)

    def test_browser_provides_the_test_browser_interface(self):
        self.browser.open('http://localhost/meta')
        self.assertTrue(zope.interface.verify.verifyObject(
            ITestBrowser, self.browser))

    def test_textual_media_types_are_str_others_bytes(self):
        self.browser.open('http://localhost/json')
        self.assertEqual(self.browser.contents, '{"a": 1}')
        self.browser.open('http://localhost/bytes')
        self.assertEqual(self.browser.contents, b'\x00\x01')

    def test_meta_charset_decodes_html_without_declared_charset(self):
        self.browser.open('http://localhost/meta')
        self.assertEqual(self.browser.title, 'Grüß')

    def test_undecodable_text_falls_back_to_latin1(self):
        self.browser.open('http://localhost/broken')
        self.assertEqual(self.browser.contents, 'café')

    def test_gzip_bodies_are_decoded(self):
        self.browser.open('http://localhost/gzip')
        self.assertEqual(self.browser.contents, 'zipped')

    def test_repeated_headers_are_kept_in_order(self):
        self.browser.open('http://localhost/two-cookies')
        self.assertEqual(self.browser.headers.get_all('Set-Cookie'),
                         ['a=1', 'b=2'])
        self.assertEqual(self.browser.headers.keys()[0], 'Status')

    def test_open_with_mapping_posts_urlencoded(self):
        self.browser.open('http://localhost/echo', {'a': 'b c'})
        self.assertEqual(self.browser.contents, "POST /echo b'a=b+c' None")

    def test_post_content_type_does_not_leak(self):
        self.browser.post('http://localhost/ct', b'x', 'text/x-special')
        self.browser.open('http://localhost/ct', 'y')
        self.browser.open('http://localhost/headers')
        self.assertNotIn('special', self.browser.contents)

    def test_cookies_of_redirect_hops_are_kept(self):
        self.browser.open('http://localhost/redirect-with-cookie')
        self.assertEqual(self.browser.contents, "GET /echo b'' hop=yes")

    def test_history_counts_navigations_and_reload_replaces(self):
        for path in ('/1', '/2', '/3'):
            self.browser.open('http://localhost' + path)
        self.browser.reload()
        self.browser.goBack()
        self.assertEqual(self.browser.url, 'http://localhost/2')
        self.browser.goBack()
        self.assertEqual(self.browser.url, 'http://localhost/1')
        with self.assertRaisesRegex(BrowserStateError, 'start of history'):
            self.browser.goBack()

    def test_http_error_keeps_the_page_and_carries_the_status(self):
        def failing(environ, start_response):
            start_response('418 I\'m a teapot', [('Content-Type',
                                                  'text/plain')])
            return [b'short and stout']
        browser = Browser(wsgi_app=failing)
        with self.assertRaises(urllib.error.HTTPError) as caught:
            browser.open('http://localhost/')
        self.assertEqual(caught.exception.code, 418)
        self.assertEqual(browser.contents, 'short and stout')

    def test_added_headers_replace_earlier_values(self):
        self.browser.addHeader('X-Test', '1')
        self.browser.addHeader('x-test', '2')
        self.browser.open('http://localhost/')
        request = self.browser._request('GET', 'http://localhost/', None,
                                        None, None)
        self.assertEqual(request.get_header('X-test'), '2')

    def test_timing_is_measured(self):
        self.assertIsNone(self.browser.lastRequestPystones)
        self.browser.open('http://localhost/')
        self.assertGreater(self.browser.lastRequestSeconds, 0)
        self.assertGreater(self.browser.lastRequestPystones, 0)

    def test_wait_does_nothing(self):
        self.assertIsNone(self.browser.wait())


class QuoteTests(unittest.TestCase):

    def test_spaces_and_non_ascii_are_percent_encoded(self):
        self.assertEqual(quote_url('http://localhost/a b/ü?q=x y#frag'),
                         'http://localhost/a%20b/%C3%BC?q=x%20y')

    def test_already_quoted_urls_stay_as_they_are(self):
        self.assertEqual(quote_url('http://localhost/a%20b?q=%2F'),
                         'http://localhost/a%20b?q=%2F')

    def test_international_hosts_use_idna(self):
        self.assertEqual(quote_url('http://bücher.example:8080/'),
                         'http://xn--bcher-kva.example:8080/')


class CharsetTests(unittest.TestCase):

    def test_unknown_charset_submits_forms_in_utf8(self):
        def app(environ, start_response):
            if environ['REQUEST_METHOD'] == 'POST':
                body = environ['wsgi.input'].read()
            else:
                body = (b'<form method=post><input name=q value="\xc3\xa9">'
                        b'</form>')
            start_response('200 OK', [('Content-Type',
                                       'text/html; charset=bogus')])
            return [body]
        browser = Browser('http://localhost/', wsgi_app=app)
        browser.getForm().submit()
        self.assertEqual(browser.contents, 'q=%C3%A9')
