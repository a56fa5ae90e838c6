"""The WSGI middleware, mostly through real HTTP on 127.0.0.1."""
import asyncio
import base64
import gzip
import hashlib
import http.client
import io
import logging
import math
import os
import shutil
import sys
import tempfile
import threading
import time
import unittest
import urllib.parse
import wsgiref.util

import webob

import zc.resourcelibrary
from zc.resourcelibrary import resourcelibrary
from zc.resourcelibrary.tests import zopeapp
from zc.resourcelibrary.tests.server import serving
from zc.resourcelibrary.wsgi import NEEDED_KEY
from zc.resourcelibrary.wsgi import ResourceLibraryMiddleware

HERE = os.path.dirname(__file__)
PAGE = '<html><head><title>t</title></head><body>page</body></html>'


def page_app(needs=('my-lib',), body=PAGE, content_type='text/html',
             headers=()):
    def app(environ, start_response):
        for name in needs:
            zc.resourcelibrary.need(name)
        response = webob.Response(body, content_type=content_type)
        for name, value in headers:
            response.headers.add(name, value)
        return response(environ, start_response)
    return app


def get(url, path, method='GET', headers=None):
    """(status, headers, body) of one real HTTP request."""
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port,
                                            timeout=30)
    try:
        connection.request(method, path, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()


def call_raw(app, path='/', **environ):
    """Call ``app`` in-process; (status, headers, iterable)."""
    started = []
    env = webob.Request.blank(path, environ=environ).environ
    result = app(env, lambda status, headers, exc_info=None:
                 started.append((status, headers)))
    return started[0][0], dict(started[0][1]), result


def call(app, path='/', **environ):
    """Call ``app`` in-process; (status, headers, body), as a server does."""
    status, headers, result = call_raw(app, path, **environ)
    try:
        return status, headers, b''.join(result)
    finally:
        if hasattr(result, 'close'):
            result.close()


class WSGITestCase(unittest.TestCase):

    def setUp(self):
        self.saved = dict(resourcelibrary.library_info)
        zc.resourcelibrary.register(
            'my-lib', os.path.join(HERE, 'my-lib'),
            include=['included.js', 'included.css'])
        zc.resourcelibrary.register(
            'other-lib', os.path.join(HERE, 'other-lib'),
            include=['other.js'], require=['my-lib'])

    def tearDown(self):
        resourcelibrary.library_info.clear()
        resourcelibrary.library_info.update(self.saved)


class InjectionTests(WSGITestCase):

    def test_html_gets_the_tags_of_the_needed_libraries_in_order(self):
        app = ResourceLibraryMiddleware(page_app(needs=['other-lib']))
        with serving(app) as url:
            status, headers, body = get(url, '/')
        body = body.decode()
        self.assertEqual(status, 200)
        self.assertIn(f'<head>\n    <script src="{url}/@@/my-lib/'
                      'included.js" \n        type="text/javascript">',
                      body)
        self.assertLess(body.index('included.css'), body.index('other.js'))
        self.assertEqual(int(headers['Content-Length']), len(body))

    def test_urls_include_the_script_name(self):
        app = ResourceLibraryMiddleware(page_app())
        status, headers, body = call(app, '/page', SCRIPT_NAME='/shop',
                                     HTTP_HOST='example.com')
        self.assertIn(b'"http://example.com/shop/@@/my-lib/included.js"',
                      body)

    def test_each_host_and_script_name_gets_its_own_urls(self):
        app = ResourceLibraryMiddleware(page_app())
        for host, script in (('a.example', ''), ('b.example', ''),
                             ('a.example', '/shop'), ('a.example', '')):
            body = call(app, SCRIPT_NAME=script, HTTP_HOST=host)[2]
            self.assertIn(f'"http://{host}{script}/@@/my-lib/included.js"'
                          .encode(), body)

    def test_pages_follow_a_library_changed_after_the_first_page(self):
        app = ResourceLibraryMiddleware(page_app(needs=['other-lib']))
        self.assertNotIn(b'included.kss', call(app)[2])
        resourcelibrary.library_info['my-lib'].included.append(
            'included.kss')
        self.assertIn(b'/@@/my-lib/included.kss', call(app)[2])
        del resourcelibrary.library_info['other-lib']
        zc.resourcelibrary.register(
            'other-lib', os.path.join(HERE, 'other-lib'),
            include=['other.js'])
        body = call(app)[2]
        self.assertIn(b'/@@/other-lib/other.js', body)
        self.assertNotIn(b'my-lib', body)

    def test_a_library_forgotten_after_the_first_page_is_an_error(self):
        app = ResourceLibraryMiddleware(page_app(needs=['other-lib']))
        call(app)
        del resourcelibrary.library_info['my-lib']
        with self.assertRaisesRegex(RuntimeError, '"my-lib"'):
            call(app, **{'paste.throw_errors': True})

    def test_needs_are_exposed_in_the_environ(self):
        seen = []

        def app(environ, start_response):
            zc.resourcelibrary.need('my-lib')
            seen.extend(environ[NEEDED_KEY])
            return page_app(needs=())(environ, start_response)
        call(ResourceLibraryMiddleware(app))
        self.assertEqual(seen, ['my-lib'])

    def test_nothing_needed_leaves_the_page_alone(self):
        app = ResourceLibraryMiddleware(page_app(needs=()))
        with serving(app) as url:
            status, headers, body = get(url, '/')
        self.assertEqual(body.decode(), PAGE)

    def test_page_without_head_is_unchanged(self):
        body = '<p>fragment</p>'
        app = ResourceLibraryMiddleware(page_app(body=body))
        self.assertEqual((call(app)[2]), body.encode())

    def test_marker_takes_the_tags(self):
        body = ('<html><head><title>t</title><!-- zc.resourcelibrary -->'
                '</head></html>')
        app = ResourceLibraryMiddleware(page_app(body=body))
        text = (call(app)[2]).decode()
        self.assertIn('<title>t</title><script src=', text)

    def test_latin1_pages_are_decoded_and_encoded_with_their_charset(self):
        def app(environ, start_response):
            zc.resourcelibrary.need('my-lib')
            start_response('200 OK', [
                ('Content-Type', 'text/html; charset=latin-1')])
            return ['<html><head></head>été</html>'.encode('latin-1')]
        body = (call(ResourceLibraryMiddleware(app))[2])
        self.assertTrue(body.endswith('été</html>'.encode('latin-1')))
        self.assertIn(b'included.js', body)

    def test_bytes_around_the_tags_stay_as_they_were(self):
        # UTF-8 pages are not decoded and encoded again, only checked.
        raw = '<html><head></head>“café”\r\n\ufeff</html>'.encode('utf-8')

        def app(environ, start_response):
            zc.resourcelibrary.need('my-lib')
            start_response('200 OK', [
                ('Content-Type', 'text/html; charset=utf-8')])
            return [raw]
        with serving(ResourceLibraryMiddleware(app)) as url:
            status, headers, body = get(url, '/')
        self.assertTrue(body.startswith(b'<html><head>\n    <script src='))
        self.assertTrue(body.endswith(raw[len('<html><head>'):]))
        self.assertEqual(int(headers['Content-Length']), len(body))

    def test_page_that_is_not_valid_utf8_is_left_alone(self):
        # No charset means UTF-8; these are Latin-1 bytes.
        raw = '<html><head></head>été</html>'.encode('latin-1')

        def app(environ, start_response):
            zc.resourcelibrary.need('my-lib')
            start_response('200 OK', [('Content-Type', 'text/html'),
                                      ('Content-Length', str(len(raw)))])
            return [raw]
        with serving(ResourceLibraryMiddleware(app)) as url:
            status, headers, body = get(url, '/')
        self.assertEqual((status, body), (200, raw))
        self.assertEqual(headers['Content-Length'], str(len(raw)))

    def test_without_check_encoding_an_invalid_utf8_page_gets_tags(self):
        raw = b'<html><head></head>\xe9t\xe9</html>'
        app = ResourceLibraryMiddleware(page_app(body=raw),
                                        check_encoding=False)
        body = call(app)[2]
        self.assertIn(b'included.js', body)
        self.assertTrue(body.endswith(b'</head>\xe9t\xe9</html>'))

    def test_the_same_page_object_in_another_charset_is_checked_again(self):
        # "Á" in UTF-8 ends in 0x81, a byte that cp1252 does not have.
        raw = '<html><head></head>Á</html>'.encode('utf-8')
        charset = ['utf-8']

        def app(environ, start_response):
            zc.resourcelibrary.need('my-lib')
            start_response('200 OK', [
                ('Content-Type', f'text/html; charset={charset[0]}')])
            return [raw]
        middleware = ResourceLibraryMiddleware(app)
        self.assertIn(b'included.js', call(middleware)[2])
        charset[0] = 'cp1252'
        self.assertEqual(call(middleware)[2], raw)

    def test_an_invalid_page_served_again_is_left_alone_again(self):
        raw = b'<html><head></head>\xe9t\xe9</html>'

        def app(environ, start_response):
            zc.resourcelibrary.need('my-lib')
            start_response('200 OK', [('Content-Type', 'text/html')])
            return [raw]
        middleware = ResourceLibraryMiddleware(app)
        for _ in range(3):
            self.assertEqual(call(middleware)[2], raw)

    def test_page_with_bytes_its_windows_charset_lacks_is_left_alone(self):
        raw = b'<html><head></head>\x81</html>'
        app = ResourceLibraryMiddleware(page_app(
            body=raw, content_type='text/html; charset=cp1252'))
        self.assertEqual(call(app)[2], raw)

    def test_latin1_page_with_any_bytes_gets_the_tags(self):
        raw = b'<html><head></head>' + bytes(range(128, 256)) + b'</html>'
        app = ResourceLibraryMiddleware(page_app(
            body=raw, content_type='text/html; charset=iso-8859-1'))
        body = call(app)[2]
        self.assertIn(b'included.js', body)
        self.assertTrue(body.endswith(raw[len('<html><head>'):]))

    def test_pages_in_other_encodings_are_decoded_and_encoded(self):
        def app(environ, start_response):
            zc.resourcelibrary.need('my-lib')
            start_response('200 OK', [
                ('Content-Type', 'text/html; charset=utf-16')])
            return ['<html><head></head>été</html>'.encode('utf-16')]
        body = call(ResourceLibraryMiddleware(app))[2].decode('utf-16')
        self.assertTrue(body.startswith('<html><head>\n    <script src='))
        self.assertTrue(body.endswith('été</html>'))

    def test_undecodable_page_in_another_encoding_is_left_alone(self):
        raw = '<html><head></head>'.encode('utf-16') + b'\x00'

        def app(environ, start_response):
            zc.resourcelibrary.need('my-lib')
            start_response('200 OK', [
                ('Content-Type', 'text/html; charset=utf-16'),
                ('Content-Length', str(len(raw)))])
            return [raw]
        with serving(ResourceLibraryMiddleware(app)) as url:
            status, headers, body = get(url, '/')
        self.assertEqual((status, body), (200, raw))

    def test_unknown_charset_is_left_alone(self):
        raw = b'<html><head></head></html>'
        app = ResourceLibraryMiddleware(page_app(
            body=raw, content_type='text/html; charset=no-such-thing'))
        self.assertEqual(call(app)[2], raw)

    def test_gzip_encoded_html_is_left_alone(self):
        raw = gzip.compress(PAGE.encode())
        app = ResourceLibraryMiddleware(page_app(
            body=raw, headers=[('Content-Encoding', 'gzip')]))
        self.assertEqual((call(app)[2]), raw)

    def test_head_request_without_a_body_sends_no_wrong_length(self):
        # WebOb answers HEAD with the page's length and no body; GET's page
        # is longer by the tags.
        # (In process: wsgiref itself sends "Content-Length: 0" with any
        # empty body, HEAD or not.)
        app = ResourceLibraryMiddleware(page_app())
        got = call(app)[1]
        status, headers, body = call_raw(app, REQUEST_METHOD='HEAD')
        self.assertEqual((status, body), ('200 OK', []))
        self.assertGreater(int(got['Content-Length']), len(PAGE))
        self.assertNotIn('Content-Length', headers)
        self.assertEqual(headers['Content-Type'], got['Content-Type'])

    def test_head_request_without_needs_keeps_its_length(self):
        app = ResourceLibraryMiddleware(page_app(needs=()))
        status, headers, body = call(app, REQUEST_METHOD='HEAD')
        self.assertEqual((status, body), ('200 OK', b''))
        self.assertEqual(int(headers['Content-Length']), len(PAGE))

    def test_a_page_made_as_it_is_sent_gets_what_it_needs_meanwhile(self):
        closed = []

        class Rendering:
            def __iter__(self):
                zc.resourcelibrary.need('my-lib')
                yield PAGE.encode()

            def close(self):
                closed.append(True)

        def app(environ, start_response):
            start_response('200 OK', [('Content-Type', 'text/html'),
                                      ('Content-Length', str(len(PAGE)))])
            return Rendering()
        with serving(ResourceLibraryMiddleware(app)) as url:
            status, headers, body = get(url, '/')
        self.assertIn(b'included.js', body)
        self.assertEqual(int(headers['Content-Length']), len(body))
        self.assertEqual(closed, [True])

    def test_a_page_failing_while_it_is_made_fails_the_request(self):
        closed = []

        class Failing:
            def __iter__(self):
                zc.resourcelibrary.need('my-lib')
                yield b'<html><head>'
                raise ValueError('the template broke')

            def close(self):
                closed.append(True)

        def app(environ, start_response):
            start_response('200 OK', [('Content-Type', 'text/html'),
                                      ('Content-Length', '100')])
            return Failing()
        with self.assertRaisesRegex(ValueError, 'the template broke'):
            call(ResourceLibraryMiddleware(app))
        self.assertEqual(closed, [True])
        # The request's needs were put away all the same.
        self.assertIsNone(resourcelibrary.needed.get(None))

    def test_a_page_made_as_it_is_sent_needing_nothing_is_sent_whole(self):
        def app(environ, start_response):
            start_response('200 OK', [('Content-Type', 'text/html'),
                                      ('Content-Length', str(len(PAGE)))])
            yield PAGE.encode()[:10]
            yield PAGE.encode()[10:]
        status, headers, body = call(ResourceLibraryMiddleware(app))
        self.assertEqual(body, PAGE.encode())
        self.assertEqual(int(headers['Content-Length']), len(PAGE))

    def test_head_request_with_the_page_gets_the_headers_of_get(self):
        def app(environ, start_response):
            zc.resourcelibrary.need('my-lib')
            start_response('200 OK', [('Content-Type', 'text/html')])
            return [PAGE.encode()]
        app = ResourceLibraryMiddleware(app, preload=True)
        with serving(app) as url:
            got = get(url, '/')[1]
            status, headers, body = get(url, '/', method='HEAD')
        self.assertEqual((status, body), (200, b''))
        self.assertEqual(headers['Content-Length'], got['Content-Length'])
        self.assertEqual(headers['Link'], got['Link'])

    def test_app_iterable_is_closed_after_injection(self):
        closed = []

        class Body(list):
            def close(self):
                closed.append(True)

        def app(environ, start_response):
            zc.resourcelibrary.need('my-lib')
            start_response('200 OK', [('Content-Type', 'text/html'),
                                      ('Content-Length', str(len(PAGE)))])
            return Body([PAGE.encode()])
        result = call(ResourceLibraryMiddleware(app))[2]
        self.assertIn(b'included.js', result)
        self.assertEqual(closed, [True])


class PassThroughTests(WSGITestCase):

    def assertUntouched(self, content_type, body):
        iterable = [body]

        def app(environ, start_response):
            zc.resourcelibrary.need('my-lib')
            start_response('200 OK', [('Content-Type', content_type)])
            return iterable
        status, headers, result = call_raw(ResourceLibraryMiddleware(app))
        # The very same iterable: nothing was buffered or copied.
        self.assertIs(result, iterable)

    def test_json_passes_through_unbuffered(self):
        self.assertUntouched('application/json', b'{"head": "<head>"}')

    def test_images_pass_through_unbuffered(self):
        self.assertUntouched('image/png', b'\x89PNG<head>')

    def test_xhtml_passes_through_unless_asked_for(self):
        self.assertUntouched('application/xhtml+xml', b'<head></head>')
        app = ResourceLibraryMiddleware(
            page_app(content_type='application/xhtml+xml'), xhtml=True)
        self.assertIn(b'included.js', (call(app)[2]))

    def test_html_without_head_in_memory_goes_on_as_it_came(self):
        self.assertUntouched('text/html', b'<p>a fragment, no head</p>')

    def test_html_left_alone_is_closed_by_the_server_not_twice(self):
        closed = []

        class Body(list):
            def close(self):
                closed.append(True)
        iterable = Body([b'<p>no head</p>'])

        def app(environ, start_response):
            zc.resourcelibrary.need('my-lib')
            start_response('200 OK', [('Content-Type', 'text/html')])
            return iterable
        status, headers, result = call_raw(ResourceLibraryMiddleware(app))
        self.assertEqual(closed, [])
        self.assertIs(result, iterable)
        result.close()

    def test_what_a_json_app_writes_goes_to_the_server_at_once(self):
        received = []

        def app(environ, start_response):
            zc.resourcelibrary.need('my-lib')
            write = start_response('200 OK',
                                   [('Content-Type', 'application/json')])
            write(b'[1,')
            # Already with the server while the application still works.
            self.assertEqual(received, [b'[1,'])
            write(b'2]')
            return []

        def start_response(status, headers, exc_info=None):
            return received.append
        result = ResourceLibraryMiddleware(app)(
            webob.Request.blank('/').environ, start_response)
        self.assertEqual((received, list(result)), ([b'[1,', b'2]'], []))

    def test_what_an_html_app_writes_gets_the_tags(self):
        def app(environ, start_response):
            zc.resourcelibrary.need('my-lib')
            write = start_response('200 OK', [('Content-Type', 'text/html')])
            write(b'<html><head></head>')
            return [b'</html>']
        body = call(ResourceLibraryMiddleware(app))[2]
        self.assertTrue(body.startswith(b'<html><head>\n    <script'))
        self.assertTrue(body.endswith(b'</head></html>'))

    def test_html_that_needs_nothing_passes_through_unbuffered(self):
        def app(environ, start_response):
            start_response('200 OK', [('Content-Type', 'text/html'),
                                      ('Content-Length', str(len(PAGE)))])
            return environ['wsgi.file_wrapper'](io.BytesIO(PAGE.encode()))
        environ = {'wsgi.file_wrapper': wsgiref.util.FileWrapper}
        status, headers, result = call_raw(ResourceLibraryMiddleware(app),
                                           **environ)
        self.assertIsInstance(result, wsgiref.util.FileWrapper)
        result.close()

    def test_streamed_html_is_sent_as_it_is_produced(self):
        released = threading.Event()

        def app(environ, start_response):
            zc.resourcelibrary.need('my-lib')
            start_response('200 OK', [('Content-Type', 'text/html')])
            yield b'<html><head></head><body>first '
            # Only a client that already got the first chunk releases us.
            yield b'released' if released.wait(10) else b'timed out'
            yield b'</body></html>'
        with serving(ResourceLibraryMiddleware(app)) as url:
            parts = urllib.parse.urlsplit(url)
            connection = http.client.HTTPConnection(
                parts.hostname, parts.port, timeout=30)
            connection.request('GET', '/')
            response = connection.getresponse()
            received = b''
            deadline = time.monotonic() + 10
            while b'first' not in received and time.monotonic() < deadline:
                received += response.read1(1024)
            released.set()
            received += response.read()
            connection.close()
        self.assertEqual(received, b'<html><head></head><body>first '
                                   b'released</body></html>')


class ErrorTests(WSGITestCase):

    def test_unknown_library_is_logged_and_the_page_left_alone(self):
        app = ResourceLibraryMiddleware(page_app(needs=['nope']))
        with self.assertLogs('zc.resourcelibrary.wsgi', logging.ERROR) as log:
            body = (call(app)[2])
        self.assertEqual(body.decode(), PAGE)
        self.assertIn('Unknown resource library: "nope"', log.output[0])

    def test_unknown_library_raises_when_errors_are_thrown(self):
        app = ResourceLibraryMiddleware(page_app(needs=['nope']))
        for environ in ({'wsgi.handleErrors': False},
                        {'paste.throw_errors': True}):
            with self.assertRaisesRegex(RuntimeError,
                                        'Unknown resource library: "nope"'):
                call(app, **environ)

    def test_unknown_library_gives_500_through_a_real_server(self):
        app = ResourceLibraryMiddleware(page_app(needs=['nope']))

        def throwing(environ, start_response):
            environ['wsgi.handleErrors'] = False
            return app(environ, start_response)
        with serving(throwing) as url:
            status, headers, body = get(url, '/')
        self.assertEqual(status, 500)

    def test_an_error_response_may_replace_the_headers_not_yet_sent(self):
        def app(environ, start_response):
            start_response('200 OK', [('Content-Type', 'text/html')])
            try:
                raise ValueError('late trouble')
            except ValueError:
                start_response('500 Internal Server Error',
                               [('Content-Type', 'text/plain')],
                               sys.exc_info())
            return [b'failed']
        status, headers, body = call(ResourceLibraryMiddleware(app))
        self.assertEqual((status, body), ('500 Internal Server Error',
                                          b'failed'))

    def test_exc_info_after_the_app_wrote_part_of_its_body_reraises(self):
        def app(environ, start_response):
            write = start_response('200 OK', [('Content-Type', 'text/html')])
            write(b'<html><head></head>')
            try:
                raise ValueError('half-way trouble')
            except ValueError:
                start_response('500 Internal Server Error',
                               [('Content-Type', 'text/plain')],
                               sys.exc_info())
            return [b'never sent']
        with self.assertRaisesRegex(ValueError, 'half-way trouble'):
            call(ResourceLibraryMiddleware(app))

    def test_an_iterable_failing_before_the_headers_is_closed(self):
        closed = []

        class Body:
            def __iter__(self):
                raise OSError('disk gone')
                yield b''  # a generator

            def close(self):
                closed.append(True)

        def app(environ, start_response):
            zc.resourcelibrary.need('my-lib')
            start_response('200 OK', [('Content-Type', 'text/html'),
                                      ('Content-Length', '40')])
            return Body()
        started = []
        with self.assertRaisesRegex(OSError, 'disk gone'):
            ResourceLibraryMiddleware(app)(
                webob.Request.blank('/').environ,
                lambda *args: started.append(args))
        self.assertEqual((closed, started), ([True], []))

    def test_body_data_before_the_start_is_an_error_not_a_hang(self):
        closed = []

        def app(environ, start_response):
            try:
                # A server would read what comes before the start forever.
                for _ in range(100_000):
                    yield b'<p>'
            finally:
                closed.append(True)
        with self.assertRaisesRegex(RuntimeError,
                                    'body data before starting'):
            call(ResourceLibraryMiddleware(app))
        self.assertEqual(closed, [True])

    def test_app_returning_without_starting_a_response_is_an_error(self):
        def app(environ, start_response):
            return [b'']
        with self.assertRaisesRegex(RuntimeError,
                                    'returned without starting'):
            call(ResourceLibraryMiddleware(app))

    def test_a_body_of_text_instead_of_bytes_is_named_clearly(self):
        def app(environ, start_response):
            zc.resourcelibrary.need('my-lib')
            start_response('200 OK', [('Content-Type', 'text/html')])
            return ['<html><head></head></html>']
        with self.assertRaisesRegex(TypeError, 'body that is not bytes'):
            call(ResourceLibraryMiddleware(app))

    def test_a_generator_of_text_instead_of_bytes_is_named_clearly(self):
        def app(environ, start_response):
            start_response('200 OK', [('Content-Type', 'text/html'),
                                      ('Content-Length', '26')])
            yield '<html><head></head></html>'
        with self.assertRaisesRegex(TypeError, 'body that is not bytes'):
            call(ResourceLibraryMiddleware(app))

    def test_the_collector_is_reset_when_the_app_fails(self):
        def app(environ, start_response):
            zc.resourcelibrary.need('my-lib')
            raise ValueError('broken')
        with self.assertRaises(ValueError):
            call(ResourceLibraryMiddleware(app))
        self.assertIsNone(resourcelibrary.needed.get())

    def test_missing_file_with_integrity_is_an_error(self):
        directory = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, directory)
        with open(os.path.join(directory, 'gone.js'), 'w') as f:
            f.write('1')
        zc.resourcelibrary.register('fragile', directory, ['gone.js'])
        os.remove(os.path.join(directory, 'gone.js'))
        app = ResourceLibraryMiddleware(page_app(needs=['fragile']),
                                        html5=True, integrity=True)
        with self.assertRaisesRegex(RuntimeError, '"gone.js" not found'):
            call(app, **{'paste.throw_errors': True})

    def test_bad_options_are_refused(self):
        for prefix in ('static', '/static', 'static/', '/'):
            with self.assertRaisesRegex(ValueError, 'prefix must'):
                ResourceLibraryMiddleware(page_app(), prefix=prefix)
        with self.assertRaisesRegex(ValueError, 'html5=True'):
            ResourceLibraryMiddleware(page_app(), integrity=True)
        with self.assertRaisesRegex(ValueError, 'crossorigin'):
            ResourceLibraryMiddleware(page_app(), crossorigin='yes')
        for recheck in (-1, '1', None):
            with self.assertRaisesRegex(ValueError, 'recheck must be'):
                ResourceLibraryMiddleware(page_app(), recheck=recheck)

    def test_a_bad_nonce_in_the_environ_is_refused(self):
        app = ResourceLibraryMiddleware(page_app(), csp_nonce=True)
        with self.assertRaisesRegex(ValueError, 'nonce'):
            call(app, **{'csp.nonce': '"><script>'})


class IsolationTests(WSGITestCase):

    def test_concurrent_requests_in_threads_keep_their_needs_apart(self):
        both_inside = threading.Barrier(2, timeout=10)

        def app(environ, start_response):
            zc.resourcelibrary.need(environ['PATH_INFO'].strip('/'))
            both_inside.wait()
            return page_app(needs=())(environ, start_response)
        results = {}

        def fetch(url, name):
            results[name] = get(url, '/' + name)[2].decode()
        with serving(ResourceLibraryMiddleware(app)) as url:
            threads = [threading.Thread(target=fetch, args=(url, name))
                       for name in ('my-lib', 'other-lib')]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(30)
        self.assertNotIn('other.js', results['my-lib'])
        self.assertIn('included.js', results['my-lib'])
        self.assertIn('other.js', results['other-lib'])

    def test_concurrent_asyncio_tasks_keep_their_needs_apart(self):
        middleware = ResourceLibraryMiddleware(page_app(needs=()))

        def app(environ, start_response):
            async def widget(name):
                # Tasks copy the request's context: their needs count.
                await asyncio.sleep(0)
                zc.resourcelibrary.need(name)

            async def render():
                await asyncio.gather(widget(environ['PATH_INFO'][1:]))
            asyncio.run(render())
            return page_app(needs=())(environ, start_response)
        middleware.app = app

        async def main():
            names = ['my-lib', 'other-lib'] * 10
            bodies = await asyncio.gather(*[
                asyncio.to_thread(lambda n=n: (
                    call(middleware, '/' + n)[2]).decode())
                for n in names])
            return list(zip(names, bodies))
        for name, body in asyncio.run(main()):
            self.assertIn('included.js', body)
            self.assertEqual('other.js' in body, name == 'other-lib')

    def test_need_after_the_request_collects_nothing(self):
        call(ResourceLibraryMiddleware(page_app()))
        self.assertIsNone(resourcelibrary.needed.get())
        self.assertIsNone(zc.resourcelibrary.need('my-lib'))


class FileTests(WSGITestCase):

    def setUp(self):
        super().setUp()
        self.app = ResourceLibraryMiddleware(page_app())

    def test_files_are_served_with_type_length_and_validators(self):
        with serving(self.app) as url:
            status, headers, body = get(url, '/@@/my-lib/included.css')
        with open(os.path.join(HERE, 'my-lib', 'included.css'), 'rb') as f:
            self.assertEqual(body, f.read())
        self.assertEqual(headers['Content-Type'], 'text/css')
        self.assertEqual(int(headers['Content-Length']), len(body))
        self.assertTrue(headers['ETag'].startswith('"'))
        self.assertIn('GMT', headers['Last-Modified'])

    def test_files_not_included_in_pages_are_served_too(self):
        status, headers, body = call(self.app,
                                     '/@@/my-lib/not-included.js')
        self.assertEqual(status, '200 OK')
        self.assertEqual(headers['Content-Type'], 'text/javascript')

    def test_unknown_library_or_file_is_404(self):
        for path in ('/@@/nope/included.js', '/@@/my-lib/nope.js',
                     '/@@/my-lib/', '/@@/my-lib'):
            self.assertEqual(call(self.app, path)[0], '404 Not Found', path)

    def test_paths_leaving_the_directory_are_refused(self):
        with serving(self.app) as url:
            for path in ('/@@/my-lib/../other-lib/other.js',
                         '/@@/my-lib/%2e%2e/other-lib/other.js',
                         '/@@/my-lib//etc/passwd',
                         '/@@/my-lib/..%2fother-lib%2fother.js',
                         '/@@/my-lib/%252e%252e/other-lib/other.js',
                         '/@@/my-lib/%c0%ae%c0%ae/other-lib/other.js',
                         '/@@/my-lib/..%5cother-lib%5cother.js',
                         '/@@/my-lib/included.js%00.css',
                         '/@@/my-lib/.hidden'):
                self.assertEqual(get(url, path)[0], 404, path)

    def test_symbolic_links_out_of_the_directory_are_refused(self):
        directory = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, directory)
        os.symlink(os.path.join(HERE, 'other-lib', 'other.js'),
                   os.path.join(directory, 'escape.js'))
        zc.resourcelibrary.register('linked', directory)
        self.assertEqual(call(self.app, '/@@/linked/escape.js')[0],
                         '404 Not Found')

    def test_matching_etag_gives_304(self):
        with serving(self.app) as url:
            headers = get(url, '/@@/my-lib/included.js')[1]
            status, _, body = get(url, '/@@/my-lib/included.js', headers={
                'If-None-Match': headers['ETag']})
            self.assertEqual((status, body), (304, b''))
            status = get(url, '/@@/my-lib/included.js', headers={
                'If-None-Match': '"other"'})[0]
            self.assertEqual(status, 200)

    def test_unmodified_since_gives_304(self):
        with serving(self.app) as url:
            headers = get(url, '/@@/my-lib/included.js')[1]
            status = get(url, '/@@/my-lib/included.js', headers={
                'If-Modified-Since': headers['Last-Modified']})[0]
            self.assertEqual(status, 304)
            status = get(url, '/@@/my-lib/included.js', headers={
                'If-Modified-Since': 'Thu, 01 Jan 1970 00:00:00 GMT'})[0]
            self.assertEqual(status, 200)

    def test_head_gives_the_headers_without_body(self):
        with serving(self.app) as url:
            status, headers, body = get(url, '/@@/my-lib/included.js',
                                        method='HEAD')
        self.assertEqual((status, body), (200, b''))
        self.assertEqual(int(headers['Content-Length']), os.path.getsize(
            os.path.join(HERE, 'my-lib', 'included.js')))

    def test_a_byte_range_gets_206_with_that_part(self):
        path = os.path.join(HERE, 'my-lib', 'included.js')
        with open(path, 'rb') as f:
            content = f.read()
        with serving(self.app) as url:
            status, headers, body = get(url, '/@@/my-lib/included.js',
                                        headers={'Range': 'bytes=2-5'})
            self.assertEqual((status, body), (206, content[2:6]))
            self.assertEqual(headers['Content-Range'],
                             f'bytes 2-5/{len(content)}')
            self.assertEqual(headers['Content-Length'], '4')
            status, headers, body = get(url, '/@@/my-lib/included.js',
                                        headers={'Range': 'bytes=-3'})
            self.assertEqual((status, body), (206, content[-3:]))

    def test_a_range_past_the_end_gets_416(self):
        size = os.path.getsize(os.path.join(HERE, 'my-lib', 'included.js'))
        with serving(self.app) as url:
            status, headers, body = get(url, '/@@/my-lib/included.js',
                                        headers={'Range': 'bytes=999-'})
        self.assertEqual(status, 416)
        self.assertEqual(headers['Content-Range'], f'bytes */{size}')
        self.assertEqual(int(headers['Content-Length']), len(body))

    def test_several_ranges_or_a_stale_if_range_get_the_whole_file(self):
        path = os.path.join(HERE, 'my-lib', 'included.js')
        with open(path, 'rb') as f:
            content = f.read()
        with serving(self.app) as url:
            etag = get(url, '/@@/my-lib/included.js')[1]['ETag']
            for headers in ({'Range': 'bytes=0-1,3-4'},
                            {'Range': 'bytes=0-1', 'If-Range': '"old"'}):
                status, _, body = get(url, '/@@/my-lib/included.js',
                                      headers=headers)
                self.assertEqual((status, body), (200, content), headers)
            status, _, body = get(url, '/@@/my-lib/included.js', headers={
                'Range': 'bytes=0-1', 'If-Range': etag})
            self.assertEqual((status, body), (206, content[:2]))

    def test_head_with_a_range_gets_the_headers_of_the_part(self):
        with serving(self.app) as url:
            status, headers, body = get(url, '/@@/my-lib/included.js',
                                        method='HEAD',
                                        headers={'Range': 'bytes=0-0'})
        self.assertEqual((status, body, headers['Content-Length']),
                         (206, b'', '1'))

    def test_file_names_in_utf8_are_served(self):
        directory = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, directory)
        with open(os.path.join(directory, 'café.js'), 'w') as f:
            f.write('var cafe;')
        zc.resourcelibrary.register('accents', directory,
                                    include=['café.js'])
        app = ResourceLibraryMiddleware(page_app(needs=['accents']))
        with serving(app) as url:
            page = get(url, '/')[2].decode()
            self.assertIn('/@@/accents/caf%C3%A9.js', page)
            status, _, body = get(url, '/@@/accents/caf%C3%A9.js')
            self.assertEqual((status, body), (200, b'var cafe;'))
            self.assertEqual(get(url, '/@@/accents/caf%E9.js')[0], 404)

    def test_other_methods_under_the_prefix_go_to_the_application(self):
        def app(environ, start_response):
            start_response('200 OK', [('Content-Type', 'text/plain')])
            return [environ['REQUEST_METHOD'].encode()]
        for method in ('POST', 'PUT', 'DELETE', 'OPTIONS'):
            status, headers, body = call(ResourceLibraryMiddleware(app),
                                         '/@@/my-lib/included.js',
                                         REQUEST_METHOD=method)
            self.assertEqual((status, body), ('200 OK', method.encode()))

    def test_files_are_served_under_another_prefix(self):
        app = ResourceLibraryMiddleware(page_app(), prefix='/static/')
        self.assertEqual(call(app, '/static/my-lib/included.js')[0],
                         '200 OK')
        self.assertIn(b'/static/my-lib/included.js', (call(app)[2]))


class ZCMLLibraryTests(unittest.TestCase):

    def setUp(self):
        zopeapp.set_up_zope()
        zopeapp.configure('''
            <resourceLibrary name="from-zcml">
              <directory source="my-lib" include="included.js"/>
            </resourceLibrary>''')

    def tearDown(self):
        zopeapp.tear_down_zope()

    def test_libraries_declared_in_zcml_are_injected_and_served(self):
        app = ResourceLibraryMiddleware(page_app(needs=['from-zcml']))
        with serving(app) as url:
            page = get(url, '/')[2]
            status, headers, body = get(url, '/@@/from-zcml/included.js')
        self.assertIn(f'"{url}/@@/from-zcml/included.js"'.encode(), page)
        self.assertEqual((status, headers['Content-Type']),
                         (200, 'text/javascript'))


class ChangingFileTests(WSGITestCase):

    def setUp(self):
        super().setUp()
        self.directory = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, self.directory)
        self.path = os.path.join(self.directory, 'app.js')
        self.write('var version = 1;')
        zc.resourcelibrary.register('changing', self.directory, ['app.js'])
        self.app = self.middleware(recheck=0)

    def middleware(self, **options):
        return ResourceLibraryMiddleware(
            page_app(needs=['changing']), versioned=True, html5=True,
            integrity=True, **options)

    def write(self, text, mtime=1_700_000_000):
        with open(self.path, 'w') as f:
            f.write(text)
        os.utime(self.path, (mtime, mtime))

    def script_url(self, app=None):
        body = (call(app or self.app)[2]).decode()
        return body.split('src="http://localhost', 1)[1].split('"', 1)[0]

    def test_versioned_url_gets_far_future_caching(self):
        url = self.script_url()
        self.assertIn('?v=', url)
        status, headers, body = call(self.app, url)
        self.assertEqual(headers['Cache-Control'],
                         'public, max-age=31536000, immutable')

    def test_stale_or_missing_version_gets_ordinary_caching(self):
        for url in ('/@@/changing/app.js', '/@@/changing/app.js?v=old'):
            headers = call(self.app, url)[1]
            self.assertEqual(headers['Cache-Control'],
                             'public, max-age=3600')

    def test_changed_file_gets_a_new_version_and_integrity(self):
        first = self.script_url()
        self.write('var version = 2;', mtime=1_700_000_100)
        second = self.script_url()
        self.assertNotEqual(first, second)
        body = (call(self.app)[2]).decode()
        digest = hashlib.sha384(b'var version = 2;').digest()
        self.assertIn('integrity="sha384-%s" crossorigin="anonymous"'
                      % base64.b64encode(digest).decode(), body)

    def test_pages_keep_the_digest_until_the_recheck_interval_is_over(self):
        app = self.middleware(recheck=0.05)
        first = self.script_url(app)
        self.write('var version = 2;', mtime=1_700_000_100)
        time.sleep(0.1)
        self.assertNotEqual(self.script_url(app), first)

    def test_pages_within_the_recheck_interval_are_not_rechecked(self):
        app = self.middleware(recheck=math.inf)
        first = self.script_url(app)
        self.write('var version = 2;', mtime=1_700_000_100)
        self.assertEqual(self.script_url(app), first)

    def test_serving_a_changed_file_always_sends_its_current_validators(self):
        app = self.middleware(recheck=math.inf)
        self.script_url(app)
        self.write('var version = 2;', mtime=1_700_000_100)
        status, headers, body = call(app, '/@@/changing/app.js')
        self.assertEqual(body, b'var version = 2;')
        digest = hashlib.sha384(body).digest()
        self.assertEqual(headers['ETag'], '"%s"' % digest[:16].hex())
        self.assertEqual(headers['Content-Length'], str(len(body)))
        # ... and pages use the new digest from then on.
        self.assertIn('integrity="sha384-%s"'
                      % base64.b64encode(digest).decode(),
                      call(app)[2].decode())

    def test_the_default_recheck_interval_is_one_second(self):
        self.assertEqual(ResourceLibraryMiddleware(page_app()).recheck, 1.0)

    def test_digest_is_computed_once_per_file_version(self):
        self.script_url()
        first = self.app.files.lookup(self.directory, 'app.js')
        self.script_url()
        self.assertIs(self.app.files.lookup(self.directory, 'app.js'), first)


class OptionTests(WSGITestCase):

    def test_nonce_from_the_environ_goes_on_every_tag(self):
        app = ResourceLibraryMiddleware(page_app(needs=['other-lib']),
                                        csp_nonce=True)
        status, headers, body = call(app, **{'csp.nonce': 'abc123'})
        body = body.decode()
        self.assertEqual(body.count('nonce="abc123"'), 3)
        # The policy is the business of whoever set the nonce.
        self.assertNotIn('Content-Security-Policy', headers)

    def test_nonce_from_the_environ_extends_an_existing_policy(self):
        app = ResourceLibraryMiddleware(page_app(headers=[(
            'Content-Security-Policy', "script-src 'self'")]),
            csp_nonce=True)
        headers = call(app, **{'csp.nonce': 'abc123'})[1]
        self.assertEqual(headers['Content-Security-Policy'],
                         "script-src 'self' 'nonce-abc123'")

    def test_a_report_only_policy_is_extended_and_none_is_added(self):
        app = ResourceLibraryMiddleware(page_app(headers=[(
            'Content-Security-Policy-Report-Only', "default-src 'self'")]),
            csp_nonce=True)
        status, headers, body = call(app)
        nonce = body.split(b'nonce="')[1].split(b'"')[0].decode()
        self.assertEqual(
            headers['Content-Security-Policy-Report-Only'],
            f"default-src 'self'; script-src 'self' 'nonce-{nonce}'; "
            f"style-src 'self' 'nonce-{nonce}'")
        self.assertNotIn('Content-Security-Policy', headers)

    def test_generated_nonce_is_shared_with_the_app_and_the_policy(self):
        seen = []

        def app(environ, start_response):
            seen.append(environ['csp.nonce'])
            return page_app()(environ, start_response)
        middleware = ResourceLibraryMiddleware(app, csp_nonce=True)
        with serving(middleware) as url:
            status, headers, body = get(url, '/')
            second = get(url, '/')[1]
        [nonce] = seen[:1]
        self.assertGreaterEqual(len(nonce), 22)
        self.assertIn(f'nonce="{nonce}"', body.decode())
        self.assertEqual(headers['Content-Security-Policy'],
                         f"script-src 'self' 'nonce-{nonce}'; "
                         f"style-src 'self' 'nonce-{nonce}'")
        self.assertNotEqual(seen[0], seen[1])
        self.assertIn(seen[1], second['Content-Security-Policy'])

    def test_preload_links_name_every_injected_file(self):
        app = ResourceLibraryMiddleware(page_app(needs=['other-lib']),
                                        preload=True)
        with serving(app) as url:
            headers = get(url, '/')[1]
        self.assertEqual(headers.get_all('Link'), [', '.join([
            f'<{url}/@@/my-lib/included.js>; rel=preload; as=script',
            f'<{url}/@@/my-lib/included.css>; rel=preload; as=style',
            f'<{url}/@@/other-lib/other.js>; rel=preload; as=script'])])

    def test_module_scripts_are_preloaded_as_modules(self):
        zc.resourcelibrary.register(
            'modules', os.path.join(HERE, 'other-lib'), ['other.js'],
            loading={'other.js': 'module'})
        app = ResourceLibraryMiddleware(page_app(needs=['modules']),
                                        preload=True, html5=True)
        status, headers, body = call(app)
        self.assertEqual(headers['Link'], '<http://localhost/@@/modules/'
                                          'other.js>; rel=modulepreload')
        self.assertIn(b'type="module"', body)

    def test_no_preload_header_when_nothing_was_injected(self):
        app = ResourceLibraryMiddleware(page_app(body='<p>no head</p>'),
                                        preload=True)
        self.assertNotIn('Link', call(app)[1])

    def test_scripts_at_end_of_body(self):
        app = ResourceLibraryMiddleware(page_app(), scripts_at_end=True,
                                        html5=True)
        body = (call(app)[2]).decode()
        self.assertIn('<head>\n    <link rel="stylesheet" ', body)
        self.assertIn('included.js"></script>\n</body>', body)

    def test_any_head_on_request(self):
        app = ResourceLibraryMiddleware(
            page_app(body='<HTML><HEAD lang="en"></HEAD></HTML>'),
            any_head=True)
        self.assertIn(b'<HEAD lang="en">\n    <script',
                      (call(app)[2]))
