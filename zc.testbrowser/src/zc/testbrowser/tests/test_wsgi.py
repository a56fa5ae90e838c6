"""The WSGI transport: the environ, local hosts only, layers, middleware."""
import unittest

from zc.testbrowser import wsgi


class Recorder:

    def __init__(self, body=b'ok', headers=()):
        self.environ = None
        self.closed = False
        self.body = body
        self.headers = list(headers)

    def __call__(self, environ, start_response):
        self.environ = environ
        environ['wsgi.input'].read()
        write = start_response('200 OK', [('Content-Type', 'text/plain')]
                               + self.headers)
        write(b'written ')
        return self

    def __iter__(self):
        yield self.body

    def close(self):
        self.closed = True


class EnvironTests(unittest.TestCase):

    def test_environ_follows_pep_3333(self):
        app = Recorder()
        browser = wsgi.Browser(wsgi_app=app)
        browser.open('https://example.com:8443/~ひらがな?q=1', 'a=1')
        env = app.environ
        self.assertEqual(env['wsgi.url_scheme'], 'https')
        self.assertEqual(env['HTTP_HOST'], 'example.com:8443')
        self.assertEqual((env['SERVER_NAME'], env['SERVER_PORT']),
                         ('example.com', '8443'))
        self.assertEqual(env['PATH_INFO'],
                         '/~ひらがな'.encode('utf-8').decode('latin-1'))
        self.assertEqual(env['QUERY_STRING'], 'q=1')
        self.assertEqual(env['REMOTE_ADDR'], '127.0.0.1')
        self.assertEqual(env['REQUEST_METHOD'], 'POST')
        self.assertEqual(env['CONTENT_TYPE'],
                         'application/x-www-form-urlencoded')
        self.assertEqual(env['CONTENT_LENGTH'], '3')
        self.assertNotIn('HTTP_REFERER', env)

    def test_default_ports_come_from_the_scheme(self):
        app = Recorder()
        wsgi.Browser('https://localhost/', wsgi_app=app)
        self.assertEqual(app.environ['SERVER_PORT'], '443')
        wsgi.Browser('http://localhost/', wsgi_app=app)
        self.assertEqual(app.environ['SERVER_PORT'], '80')

    def test_app_iterable_is_closed_and_write_is_supported(self):
        app = Recorder()
        browser = wsgi.Browser('http://localhost/', wsgi_app=app)
        self.assertTrue(app.closed)
        self.assertEqual(browser.contents, 'written ok')

    def test_handle_errors_switches_environ_and_header(self):
        app = Recorder()
        browser = wsgi.Browser('http://localhost/', wsgi_app=app)
        self.assertEqual(app.environ['HTTP_X_ZOPE_HANDLE_ERRORS'], 'True')
        self.assertIsNone(app.environ['paste.throw_errors'])
        browser.handleErrors = False
        browser.open('http://localhost/')
        self.assertNotIn('HTTP_X_ZOPE_HANDLE_ERRORS', app.environ)
        self.assertIs(app.environ['wsgi.handleErrors'], False)
        self.assertIs(app.environ['paste.throw_errors'], True)
        self.assertIs(app.environ['x-wsgiorg.throw_errors'], True)

    def test_only_local_hosts_are_visited(self):
        app = Recorder()
        browser = wsgi.Browser(wsgi_app=app)
        for url in ('http://127.0.0.1/', 'http://shop.example.org/',
                    'http://example.net:81/'):
            browser.open(url)
        with self.assertRaisesRegex(wsgi.HostNotAllowed, 'python.org'):
            browser.open('http://www.python.org/')

    def test_redirect_to_a_foreign_host_is_refused_before_calling(self):
        def redirecting(environ, start_response):
            start_response('302 Found', [('Location', 'http://python.org/')])
            return []
        browser = wsgi.Browser(wsgi_app=redirecting)
        with self.assertRaises(wsgi.HostNotAllowed):
            browser.open('http://localhost/')

    def test_exceptions_of_the_app_reach_the_caller(self):
        def failing(environ, start_response):
            raise KeyError('inside')
        with self.assertRaises(KeyError):
            wsgi.Browser('http://localhost/', wsgi_app=failing)


class LayerTests(unittest.TestCase):

    def test_browser_needs_an_app_or_a_layer(self):
        with self.assertRaisesRegex(AssertionError, 'wsgi_app not provided'):
            wsgi.Browser()

    def test_layer_provides_the_app_until_torn_down(self):
        app = Recorder()

        class MyLayer(wsgi.Layer):
            def make_wsgi_app(self):
                return app
        layer = MyLayer()
        layer.setUp()
        try:
            self.assertIs(wsgi.Layer.get_app(), app)
            wsgi.Browser('http://localhost/')
            self.assertIsNotNone(app.environ)
            with self.assertRaisesRegex(AssertionError, 'Already Setup'):
                MyLayer().setUp()
        finally:
            layer.tearDown()
        self.assertIsNone(wsgi.Layer.get_app())

    def test_test_browser_layer_cooperates_with_other_bases(self):
        calls = []

        class Base:
            def testSetUp(self):
                calls.append('base setup')

            def testTearDown(self):
                calls.append('base teardown')

        class Combined(wsgi.TestBrowserLayer, Base):
            def make_wsgi_app(self):
                return Recorder()
        layer = Combined()
        layer.testSetUp()
        self.assertIsNotNone(wsgi.Layer.get_app())
        layer.testTearDown()
        self.assertIsNone(wsgi.Layer.get_app())
        self.assertEqual(calls, ['base setup', 'base teardown'])

    def test_layer_without_make_wsgi_app_says_so(self):
        with self.assertRaisesRegex(NotImplementedError, 'make_wsgi_app'):
            wsgi.Layer().setUp()


class AuthorizationMiddlewareTests(unittest.TestCase):

    def test_basic_credentials_are_encoded_and_headers_removed(self):
        app = Recorder(headers=[('X-Powered-By', 'me'),
                                ('X-Content-Type-Warning', 'guessed')])
        browser = wsgi.Browser(
            wsgi_app=wsgi.AuthorizationMiddleware(app))
        browser.addHeader('Authorization', 'Basic mgr:mgrpw')
        browser.open('http://localhost/')
        self.assertEqual(app.environ['HTTP_AUTHORIZATION'],
                         'Basic bWdyOm1ncnB3')
        self.assertNotIn('X-Powered-By', browser.headers)
        self.assertNotIn('X-Content-Type-Warning', browser.headers)

    def test_other_schemes_pass_unchanged(self):
        app = Recorder()
        browser = wsgi.Browser(wsgi_app=wsgi.AuthorizationMiddleware(app))
        browser.addHeader('Authorization', 'Bearer token:x')
        browser.open('http://localhost/')
        self.assertEqual(app.environ['HTTP_AUTHORIZATION'], 'Bearer token:x')
