"""The LB's HTTP front end, spoken to over real sockets on 127.0.0.1."""
import io
import logging
import time
import unittest

import gevent
import gevent.pool
import gevent.socket
import socket

from zc.resumelb import http11
from zc.resumelb import httpserver


class _SendLog:
    """A client socket that records what each send call was given."""

    def __init__(self, sock, sends):
        self._sock = sock
        self.sends = sends

    def __getattr__(self, name):
        return getattr(self._sock, name)

    def send(self, data, *args):
        self.sends.append(bytes(data))
        return self._sock.send(data, *args)

    def sendall(self, data, *args):
        self.sends.append(bytes(data))
        return self._sock.sendall(data, *args)


def hello(environ, start_response):
    start_response('200 OK', [('Content-Type', 'text/plain'),
                              ('Content-Length', '5')])
    return [b'hello']


class ServerTestCase(unittest.TestCase):

    def serve(self, app, server_class=httpserver.Server, **kw):
        kw.setdefault('log', None)
        self.errors = []
        handler = _ListHandler(self.errors)
        error_log = logging.getLogger('zc.resumelb.tests.httpserver')
        error_log.addHandler(handler)
        error_log.propagate = False
        error_log.setLevel(logging.INFO)
        self.addCleanup(error_log.removeHandler, handler)
        server = server_class(('127.0.0.1', 0), app, error_log=error_log,
                              **kw)
        server.start()
        self.addCleanup(server.stop)
        self.server = server
        return server

    def connect(self):
        sock = gevent.socket.create_connection(self.server.address[:2])
        sock.settimeout(10)
        self.addCleanup(sock.close)
        return sock

    def exchange(self, data, sock=None, end=False):
        """Send ``data``; return everything until the server closes.

        ``end``: shut the sending side down after ``data``.
        """
        sock = sock or self.connect()
        sock.sendall(data)
        if end:
            sock.shutdown(socket.SHUT_WR)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
        return b''.join(chunks)

    def read_response(self, sock, buffer=b''):
        """One response from ``sock``: (status line, headers, body, rest)."""
        while b'\r\n\r\n' not in buffer:
            chunk = sock.recv(65536)
            self.assertTrue(chunk, f'connection closed after {buffer!r}')
            buffer += chunk
        head, buffer = buffer.split(b'\r\n\r\n', 1)
        status, *lines = head.decode('latin-1').split('\r\n')
        headers = dict(line.split(': ', 1) for line in lines)
        if 'Content-Length' in headers:
            size = int(headers['Content-Length'])
            while len(buffer) < size:
                buffer += sock.recv(65536)
            return status, headers, buffer[:size], buffer[size:]
        self.assertEqual(headers.get('Transfer-Encoding'), 'chunked')
        body = b''
        while True:
            while b'\r\n' not in buffer:
                buffer += sock.recv(65536)
            size_line, buffer = buffer.split(b'\r\n', 1)
            size = int(size_line, 16)
            while len(buffer) < size + 2:
                buffer += sock.recv(65536)
            body, buffer = body + buffer[:size], buffer[size + 2:]
            if size == 0:
                return status, headers, body, buffer


class _ListHandler(logging.Handler):

    def __init__(self, records):
        super().__init__()
        self.records = records

    def emit(self, record):
        self.records.append(record)


class ResponseTests(ServerTestCase):

    def test_small_response_goes_out_in_one_send(self):
        sends = []

        class Server(httpserver.Server):
            def handle(self, sock, address):
                super().handle(_SendLog(sock, sends), address)
        self.serve(hello, Server)
        sock = self.connect()
        sock.sendall(b'GET / HTTP/1.1\r\nHost: h\r\n\r\n')
        status, headers, body, _ = self.read_response(sock)
        self.assertEqual((status, body), ('HTTP/1.1 200 OK', b'hello'))
        self.assertEqual(len(sends), 1, sends)
        self.assertIn(b'\r\nDate: ', sends[0])

    def test_keep_alive_and_pipelining(self):
        self.serve(lambda env, start: hello(env, start) if env['PATH_INFO']
                   == '/a' else [b'unused'])
        sock = self.connect()
        sock.sendall(b'GET /a HTTP/1.1\r\nHost: h\r\n\r\n' * 3)
        rest = b''
        for _ in range(3):
            status, headers, body, rest = self.read_response(sock, rest)
            self.assertEqual(body, b'hello')
            self.assertNotIn('Connection', headers)

    def test_http10_closes_unless_asked_to_keep_alive(self):
        self.serve(hello)
        answer = self.exchange(b'GET / HTTP/1.0\r\n\r\n')
        self.assertIn(b'\r\nConnection: close\r\n', answer)
        self.assertTrue(answer.endswith(b'hello'))
        sock = self.connect()
        sock.sendall(b'GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n')
        status, headers, body, _ = self.read_response(sock)
        self.assertEqual(headers['Connection'], 'keep-alive')
        sock.sendall(b'GET / HTTP/1.0\r\n\r\n')
        self.assertTrue(self.exchange(b'', sock).endswith(b'hello'))

    def test_body_without_length(self):
        def app(environ, start_response):
            start_response('200 OK', [('Content-Type', 'text/plain')])
            return iter([b'one ', b'', b'two'])
        self.serve(app)
        sock = self.connect()
        sock.sendall(b'GET / HTTP/1.1\r\nHost: t\r\n\r\n')
        status, headers, body, _ = self.read_response(sock)
        self.assertEqual(body, b'one two')
        # HTTP/1.0 has no chunks: the end of the connection ends the body.
        answer = self.exchange(b'GET / HTTP/1.0\r\n\r\n')
        self.assertNotIn(b'chunked', answer)
        self.assertIn(b'Connection: close', answer)
        self.assertTrue(answer.endswith(b'\r\n\r\none two'))

    def test_whole_body_in_a_list_gets_a_length(self):
        def app(environ, start_response):
            start_response('200 OK', [('Content-Type', 'text/plain')])
            return [b'abc']
        self.serve(app)
        sock = self.connect()
        sock.sendall(b'GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n')
        status, headers, body, _ = self.read_response(sock)
        self.assertEqual((headers['Content-Length'], body), ('3', b'abc'))

    def test_no_body_for_head_204_304(self):
        def app(environ, start_response):
            status = environ['QUERY_STRING'] or '200 OK'
            start_response(status.replace('+', ' '),
                           [('Content-Length', '7')])
            return [b'content']
        self.serve(app)
        for request in (b'HEAD / HTTP/1.1\r\nHost: t\r\n\r\n',
                        b'GET /?204+No+Content HTTP/1.1\r\nHost: t\r\n\r\n',
                        b'GET /?304+Not+Modified HTTP/1.1\r\nHost: t\r\n\r\n'):
            answer = self.exchange(request + b'GET / HTTP/1.1\r\nHost: t\r\n'
                                   b'Connection: close\r\n\r\n')
            first, second = answer.split(b'HTTP/1.1 ', 2)[1:]
            self.assertTrue(first.endswith(b'\r\n\r\n'), first)
            self.assertTrue(second.endswith(b'\r\n\r\ncontent'), second)

    def test_head_without_a_length_gets_none_made_up(self):
        def app(environ, start_response):
            start_response('200 OK', [('Content-Type', 'text/plain')])
            return []
        self.serve(app)
        answer = self.exchange(b'HEAD / HTTP/1.0\r\n\r\n')
        self.assertNotIn(b'Content-Length', answer)
        self.assertTrue(answer.endswith(b'\r\n\r\n'))

    def test_the_write_callable_sends_first(self):
        def app(environ, start_response):
            write = start_response('200 OK', [])
            write(b'written ')
            return [b'returned']
        self.serve(app)
        sock = self.connect()
        sock.sendall(b'GET / HTTP/1.1\r\nHost: t\r\n\r\n')
        self.assertEqual(self.read_response(sock)[2], b'written returned')

    def test_result_is_closed(self):
        closed = []

        class Result:
            def __iter__(self):
                yield b'x'

            def close(self):
                closed.append(True)

        def app(environ, start_response):
            start_response('200 OK', [])
            return Result()
        self.serve(app)
        sock = self.connect()
        sock.sendall(b'GET / HTTP/1.1\r\nHost: t\r\n\r\n')
        self.read_response(sock)
        self.assertEqual(closed, [True])

    def test_app_connection_header_is_replaced(self):
        def app(environ, start_response):
            start_response('200 OK', [('Connection', 'close'),
                                      ('Content-Length', '0')])
            return []
        self.serve(app)
        answer = self.exchange(b'GET / HTTP/1.1\r\nHost: t\r\n\r\n')
        self.assertEqual(answer.count(b'Connection:'), 1)


class EnvironTests(ServerTestCase):

    def environ_of(self, request):
        seen = []

        def app(environ, start_response):
            seen.append(dict(environ))
            return hello(environ, start_response)
        self.serve(app)
        self.exchange(request)
        return seen[0]

    def test_request_line_and_server(self):
        env = self.environ_of(b'GET /a%20b/c?x=1&y=%20 HTTP/1.1\r\nHost: t\r\n'
                              b'Connection: close\r\n\r\n')
        self.assertEqual(env['REQUEST_METHOD'], 'GET')
        self.assertEqual(env['PATH_INFO'], '/a b/c')
        self.assertEqual(env['QUERY_STRING'], 'x=1&y=%20')
        self.assertEqual(env['SERVER_PROTOCOL'], 'HTTP/1.1')
        self.assertEqual(env['SCRIPT_NAME'], '')
        self.assertEqual(env['SERVER_NAME'], '127.0.0.1')
        self.assertEqual(env['SERVER_PORT'], str(self.server.address[1]))
        self.assertEqual(env['REMOTE_ADDR'], '127.0.0.1')
        self.assertEqual(env['wsgi.url_scheme'], 'http')
        self.assertEqual(env['wsgi.version'], (1, 0))

    def test_absolute_form_target(self):
        env = self.environ_of(b'GET http://example.com/p?q HTTP/1.0\r\n\r\n')
        self.assertEqual((env['PATH_INFO'], env['QUERY_STRING']),
                         ('/p', 'q'))

    def test_headers_become_environ_keys(self):
        env = self.environ_of(
            b'POST / HTTP/1.1\r\nHost: h\r\nContent-Type: text/plain\r\n'
            b'Content-Length: 0\r\nX-Many: a\r\nX-Many: b\r\n'
            b'X-Folded: one\r\n  two\r\nX_Sneaky: 1\r\n'
            b'Connection: close\r\n\r\n')
        self.assertEqual(env['HTTP_HOST'], 'h')
        self.assertEqual(env['CONTENT_TYPE'], 'text/plain')
        self.assertEqual(env['CONTENT_LENGTH'], '0')
        self.assertNotIn('HTTP_CONTENT_TYPE', env)
        self.assertEqual(env['HTTP_X_MANY'], 'a,b')
        self.assertEqual(env['HTTP_X_FOLDED'], 'one two')
        # An underscore would let X_Sneaky pass for X-Sneaky.
        self.assertNotIn('HTTP_X_SNEAKY', env)

    def test_bare_linefeeds_end_lines(self):
        env = self.environ_of(b'GET /lf HTTP/1.0\nHost: h\n\n')
        self.assertEqual((env['PATH_INFO'], env['HTTP_HOST']), ('/lf', 'h'))


def echo(environ, start_response):
    """Answers with what it read; ``?line`` reads line by line."""
    stream = environ['wsgi.input']
    if environ['QUERY_STRING'] == 'line':
        body = b'|'.join(stream)
    elif environ['QUERY_STRING'] == 'none':
        body = b''
    else:
        body = stream.read()
    start_response('200 OK', [('Content-Length', str(len(body)))])
    return [body]


class RequestBodyTests(ServerTestCase):

    def test_a_content_length_body_is_read(self):
        self.serve(echo)
        sock = self.connect()
        sock.sendall(b'POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 11\r\n\r\n'
                     b'hello world')
        self.assertEqual(self.read_response(sock)[2], b'hello world')

    def test_the_body_can_be_read_by_lines(self):
        self.serve(echo)
        sock = self.connect()
        sock.sendall(b'POST /?line HTTP/1.1\r\nHost: t\r\nContent-Length: 8\r\n\r\n'
                     b'a\nbc\nde\n')
        self.assertEqual(self.read_response(sock)[2], b'a\n|bc\n|de\n')

    def test_a_chunked_body_is_decoded(self):
        self.serve(echo)
        sock = self.connect()
        sock.sendall(b'POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n'
                     b'5;ext=1\r\nhello\r\n1\r\n \r\nA\r\n0123456789\r\n'
                     b'0\r\nTrailer: x\r\n\r\n'
                     b'POST /?line HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked'
                     b'\r\n\r\n3\r\na\nb\r\n2\r\n\nc\r\n0\r\n\r\n')
        status, headers, body, rest = self.read_response(sock)
        self.assertEqual(body, b'hello 0123456789')
        self.assertEqual(self.read_response(sock, rest)[2], b'a\n|b\n|c')

    def test_bad_chunk_size_is_an_error_for_the_app(self):
        seen = []

        def app(environ, start_response):
            try:
                environ['wsgi.input'].read()
            except ValueError as error:
                seen.append(str(error))
            start_response('400 Bad Request', [])
            return [b'']
        self.serve(app)
        self.exchange(b'POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n'
                      b'Connection: close\r\n\r\nzz\r\n')
        self.assertEqual(seen, ["invalid chunk size line b'zz'"])

    def test_bad_chunk_the_app_lets_through_is_a_400(self):
        self.serve(echo)
        answer = self.exchange(b'POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding:'
                               b' chunked\r\n\r\n5\r\nhello\r\nzz\r\n')
        self.assertTrue(answer.startswith(b'HTTP/1.1 400 Bad Request\r\n'))
        self.assertTrue(answer.endswith(b"invalid chunk size line b'zz'\n"))

    def test_expect_continue_is_answered_when_the_app_reads(self):
        self.serve(echo)
        for query, continues in (('', 1), ('none', 0)):
            answer = self.exchange(
                b'POST /?%s HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n'
                b'Expect: 100-continue\r\nConnection: close\r\n\r\nabc'
                % query.encode())
            self.assertEqual(answer.count(b'100 Continue'), continues,
                             answer)

    def test_unread_body_is_drained(self):
        self.serve(lambda env, start: hello(env, start))
        sock = self.connect()
        sock.sendall(b'POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n\r\nabc'
                     b'GET / HTTP/1.1\r\nHost: t\r\n\r\n')
        status, headers, body, rest = self.read_response(sock)
        self.assertEqual(self.read_response(sock, rest)[2], b'hello')

    def test_large_unread_body_closes_the_connection(self):
        self.serve(hello)
        size = httpserver.MAX_DRAIN_BYTES + 1
        sock = self.connect()
        sock.sendall(b'POST / HTTP/1.1\r\nHost: t\r\nContent-Length: %d\r\n\r\n'
                     % size)
        answer = self.exchange(b'', sock)
        self.assertTrue(answer.endswith(b'hello'))

    def test_client_leaving_mid_body(self):
        seen = []

        def app(environ, start_response):
            try:
                environ['wsgi.input'].read()
            except httpserver.ClientDisconnected as error:
                seen.append(str(error))
            start_response('200 OK', [])
            return []
        self.serve(app)
        sock = self.connect()
        sock.sendall(b'POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\nabc')
        sock.shutdown(2)
        for _ in range(100):
            if seen:
                break
            gevent.sleep(0.01)
        self.assertEqual(seen, ['the client closed the connection with 7'
                                ' bytes of the request body unsent'])


class BadRequestTests(ServerTestCase):

    def status_of(self, request):
        self.serve(hello)
        answer = self.exchange(request, end=True)
        self.assertIn(b'\r\nConnection: close\r\n', answer)
        return answer.split(b'\r\n', 1)[0].decode()

    def test_malformed_requests_get_400(self):
        for request in (b'GARBAGE\r\n\r\n',
                        b'GET /\r\n\r\n',
                        b'GET / HTTP/1.1\r\nHost: t\r\nno colon here\r\n\r\n',
                        b'GET / HTTP/1.1\r\nHost: t\r\nName : space\r\n\r\n',
                        b'GET / HTTP/1.1\r\nHost: t\r\nContent-Length: -1\r\n\r\n',
                        b'GET / HTTP/1.1\r\nHost: t\r\nContent-Length: 1\r\n'
                        b'Content-Length: 2\r\n\r\n',
                        b'POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 1\r\n'
                        b'Transfer-Encoding: chunked\r\n\r\n',
                        b'GET nonsense HTTP/1.1\r\nHost: t\r\n\r\n',
                        b'GET / HTTP/1.1\r\nHost: h'):
            with self.subTest(request=request):
                self.assertEqual(self.status_of(request),
                                 'HTTP/1.1 400 Bad Request')

    def test_oversized_heads_get_414_or_431(self):
        self.assertEqual(
            self.status_of(b'GET /' + b'a' * 70000 + b' HTTP/1.1\r\nHost: t\r\n\r\n'),
            'HTTP/1.1 414 URI Too Long')
        self.assertEqual(
            self.status_of(b'GET / HTTP/1.1\r\nHost: t\r\nX-Big: ' + b'a' * 70000
                           + b'\r\n\r\n'),
            'HTTP/1.1 431 Request Header Fields Too Large')
        many = b''.join(b'X-H%d: v\r\n' % i
                        for i in range(http11.MAX_HEADERS + 1))
        self.assertEqual(
            self.status_of(b'GET / HTTP/1.1\r\nHost: t\r\n' + many + b'\r\n'),
            'HTTP/1.1 431 Request Header Fields Too Large')

    def test_unsupported_codings_get_501(self):
        self.assertEqual(self.status_of(b'GET / HTTP/2.0\r\n\r\n'),
                         'HTTP/1.1 505 HTTP Version Not Supported')
        self.assertEqual(
            self.status_of(b'POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: gzip'
                           b'\r\n\r\n'),
            'HTTP/1.1 501 Not Implemented')

    def test_refusals_are_logged(self):
        self.status_of(b'GARBAGE\r\n\r\n')
        self.assertEqual([r.getMessage() for r in self.errors],
                         ["refused a request from 127.0.0.1: invalid request"
                          " line 'GARBAGE'"])


class ApplicationErrorTests(ServerTestCase):

    def check_500_then_next_request(self, app, message):
        self.serve(app)
        sock = self.connect()
        sock.sendall(b'GET / HTTP/1.1\r\nHost: t\r\n\r\n')
        status, headers, body, _ = self.read_response(sock)
        self.assertEqual(status, 'HTTP/1.1 500 Internal Server Error')
        record, = self.errors
        self.assertIn(message, str(record.exc_info[1]))
        self.errors.clear()
        sock.sendall(b'GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n')
        return self.exchange(b'', sock)

    def test_exception_before_the_response(self):
        def app(environ, start_response):
            raise ValueError('broken app')
        self.check_500_then_next_request(app, 'broken app')

    def test_a_str_body_is_a_500(self):
        def app(environ, start_response):
            start_response('200 OK', [])
            return ['text']
        self.check_500_then_next_request(
            app, "response body chunks must be bytes, not str: 'text'")

    def test_bad_status_and_headers(self):
        for status, headers, message in (
                ('200', [], "invalid status '200'"),
                (200, [], 'invalid status 200'),
                ('200 OK', [('X-Bad', 'a\r\nInjected: 1')],
                 'line break inside the status or a header'),
                ('200 OK', [('X-Num', 1)], 'names and values must be str')):
            with self.subTest(status=status, headers=headers):
                def app(environ, start_response):
                    start_response(status, headers)
                    return [b'body']
                answer = self.check_500_then_next_request(app, message)
                self.assertTrue(answer.startswith(b'HTTP/1.1 500'))
                self.server.stop()

    def test_start_response_twice(self):
        def app(environ, start_response):
            start_response('200 OK', [])
            start_response('200 OK', [])
            return []
        self.check_500_then_next_request(app, 'a second time')

    def test_exc_info_replaces_an_unsent_response(self):
        def app(environ, start_response):
            start_response('200 OK', [])
            try:
                raise KeyError('x')
            except KeyError as error:
                start_response('503 Busy', [], (KeyError, error, None))
            return [b'later']
        self.serve(app)
        answer = self.exchange(b'GET / HTTP/1.0\r\n\r\n')
        self.assertTrue(answer.startswith(b'HTTP/1.1 503 Busy'))

    def test_failure_after_the_headers_closes_the_connection(self):
        def app(environ, start_response):
            start_response('200 OK', [])
            yield b'part'
            raise ValueError('mid-body')
        self.serve(app)
        answer = self.exchange(b'GET / HTTP/1.1\r\nHost: t\r\n\r\n')
        self.assertTrue(answer.endswith(b'4\r\npart\r\n'), answer)
        self.assertEqual(len(self.errors), 1)

    def test_short_body_closes_the_connection(self):
        def app(environ, start_response):
            start_response('200 OK', [('Content-Length', '10')])
            return iter([b'short'])
        self.serve(app)
        answer = self.exchange(b'GET / HTTP/1.1\r\nHost: t\r\n\r\nGET / HTTP/1.1\r\nHost: t\r\n\r\n')
        self.assertEqual(answer.count(b'HTTP/1.1'), 1)
        self.assertEqual([r.getMessage() for r in self.errors],
                         ['application sent 5 bytes of a 10-byte body for'
                          ' GET / HTTP/1.1'])

    def test_abort_closes_quietly(self):
        class Gone(httpserver.Abort):
            log_status = '499'

        def app(environ, start_response):
            start_response('200 OK', [])
            yield b'part'
            raise Gone()
        log = io.StringIO()
        self.serve(app, log=log)
        answer = self.exchange(b'GET / HTTP/1.1\r\nHost: t\r\n\r\nGET / HTTP/1.1\r\nHost: t\r\n\r\n')
        self.assertEqual(answer.count(b'HTTP/1.1'), 1)
        self.assertEqual(self.errors, [])
        self.assertIn('"GET / HTTP/1.1" 499 4 ', log.getvalue())


class AccessLogTests(ServerTestCase):

    LINE = (r'127\.0\.0\.1 - - \[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\]'
            r' "GET /x\?y HTTP/1\.0" 200 5 \d+\.\d{6}')

    def test_lines_go_to_a_file_each_flushed(self):
        class Flushed(io.StringIO):
            flushes = 0

            def flush(self):
                self.flushes += 1

        log = Flushed()
        from zc.resumelb.lb import _LineLog
        self.serve(hello, log=_LineLog(log))
        self.exchange(b'GET /x?y HTTP/1.0\r\n\r\n')
        self.assertRegex(log.getvalue(), f'^{self.LINE}\n$')
        self.assertEqual(log.flushes, 1)

    def test_the_request_line_is_escaped(self):
        log = io.StringIO()
        self.serve(hello, log=log)
        self.exchange(b'GET /"x"\\ HTTP/1.0\r\n\r\n')
        self.assertIn(' "GET /\\x22x\\x22\\x5C HTTP/1.0" 200 ', log.getvalue())

    def test_lines_can_go_to_a_logger(self):
        records = []
        access = logging.getLogger('zc.resumelb.tests.access')
        access.addHandler(_ListHandler(records))
        access.setLevel(logging.INFO)
        access.propagate = False
        self.serve(hello, log=access)
        self.exchange(b'GET /x?y HTTP/1.0\r\n\r\n')
        record, = records
        self.assertEqual(record.levelno, logging.INFO)
        self.assertRegex(record.getMessage(), f'^{self.LINE}$')


class TimeoutAndLimitTests(ServerTestCase):

    def test_silent_client_is_dropped(self):
        self.serve(hello, socket_timeout=0.2)
        start = time.monotonic()
        self.assertEqual(self.exchange(b'GET / HT'), b'')
        self.assertLess(time.monotonic() - start, 2)

    def test_idle_keep_alive_connection_is_dropped(self):
        self.serve(hello, socket_timeout=0.2)
        sock = self.connect()
        sock.sendall(b'GET / HTTP/1.1\r\nHost: t\r\n\r\n')
        self.read_response(sock)
        self.assertEqual(self.exchange(b'', sock), b'')

    def test_slow_upload_fails_in_the_app(self):
        seen = []

        def app(environ, start_response):
            try:
                environ['wsgi.input'].read()
            except httpserver.ClientDisconnected as error:
                seen.append(str(error))
                raise
        self.serve(app, socket_timeout=0.2)
        answer = self.exchange(b'POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 9\r\n'
                               b'\r\nabc')
        self.assertEqual(answer, b'')
        self.assertEqual(seen, ['reading from 127.0.0.1 took over 0.2'
                                ' seconds'])

    def test_a_busy_application_is_not_timed_out(self):
        def app(environ, start_response):
            gevent.sleep(0.5)
            return hello(environ, start_response)
        self.serve(app, socket_timeout=0.2)
        answer = self.exchange(b'GET / HTTP/1.0\r\n\r\n')
        self.assertTrue(answer.endswith(b'hello'))

    def test_a_trickled_head_meets_the_header_timeout(self):
        self.serve(hello, socket_timeout=5, header_timeout=0.3)
        sock = self.connect()
        start = time.monotonic()
        with self.assertRaises(OSError):
            for byte in b'GET / HTTP/1.1\r\nHost: t\r\n' * 20:
                sock.sendall(bytes([byte]))  # progress, but no head
                gevent.sleep(0.05)
                if time.monotonic() - start > 5:
                    break
        self.assertLess(time.monotonic() - start, 3)

    def test_a_head_late_past_the_header_timeout_gets_408(self):
        self.serve(hello, socket_timeout=5, header_timeout=0.2)
        start = time.monotonic()
        answer = self.exchange(b'GET / HTTP/1.1\r\nHost: t\r\n')
        self.assertLess(time.monotonic() - start, 3)
        self.assertTrue(answer.startswith(
            b'HTTP/1.1 408 Request Timeout\r\n'), answer)
        self.assertIn(b'\r\nConnection: close\r\n', answer)
        self.assertTrue(answer.endswith(
            b'\r\n\r\nthe request head took over 0.2 seconds\n'))

    def test_a_connection_that_sent_nothing_gets_no_408(self):
        self.serve(hello, socket_timeout=0.3, header_timeout=0.1)
        self.assertEqual(self.exchange(b''), b'')

    def test_a_client_reading_steadily_is_never_cut_off(self):
        size = 20_000_000

        def big(environ, start_response):
            start_response('200 OK', [('Content-Length', str(size))])
            return [b'x' * size]
        self.serve(big, socket_timeout=1.0)
        sock = gevent.socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8192)
        sock.settimeout(10)
        sock.connect(self.server.address[:2])
        self.addCleanup(sock.close)
        sock.sendall(b'GET / HTTP/1.1\r\nHost: t\r\n\r\n')
        received = 0
        start = time.monotonic()
        # Well over the 1 s timeout in all, never long without reading.
        while received < size + 30 and time.monotonic() - start < 60:
            chunk = sock.recv(1 << 20)
            if not chunk:
                break
            received += len(chunk)
            if time.monotonic() - start < 2.5:
                gevent.sleep(0.01)
        self.assertGreater(time.monotonic() - start, 1.0)
        self.assertGreater(received, size)

    def test_a_chunked_body_over_the_limit_is_413(self):
        def app(environ, start_response):
            environ['wsgi.input'].read()
            return hello(environ, start_response)
        self.serve(app, max_body_size=10)
        answer = self.exchange(b'POST / HTTP/1.1\r\nHost: t\r\n'
                               b'Transfer-Encoding: chunked\r\n\r\n'
                               b'6\r\nabcdef\r\n6\r\nghijkl\r\n0\r\n\r\n')
        self.assertTrue(answer.startswith(b'HTTP/1.1 413 Content Too Large'),
                        answer)
        answer = self.exchange(b'POST / HTTP/1.1\r\nHost: t\r\n'
                               b'Content-Length: 11\r\n\r\n')
        self.assertTrue(answer.startswith(b'HTTP/1.1 413'), answer)

    def test_the_connection_cap_makes_clients_wait(self):
        pool = gevent.pool.Pool(1)
        self.serve(hello, spawn=pool)
        first = self.connect()
        first.sendall(b'GET / HTTP/1.1\r\nHost: t\r\n\r\n')
        self.read_response(first)
        second = self.connect()
        second.sendall(b'GET / HTTP/1.1\r\nHost: t\r\n\r\n')
        second.settimeout(0.3)
        with self.assertRaises(TimeoutError):
            second.recv(100)
        first.close()
        second.settimeout(10)
        self.assertEqual(self.read_response(second)[2], b'hello')


class MangledRequestTests(ServerTestCase):
    """Requests damaged at random: always a clean answer or a clean close."""

    GOOD = (b'POST /echo?q=1 HTTP/1.1\r\nHost: example.com\r\n'
            b'Content-Type: text/plain\r\nTransfer-Encoding: chunked\r\n'
            b'Connection: close\r\n\r\n5\r\nhello\r\n0\r\n\r\n')

    def mangle(self, rng):
        data = bytearray(self.GOOD)
        for _ in range(rng.randint(1, 4)):
            action = rng.randrange(4)
            at = rng.randrange(len(data) + 1)
            if action == 0:
                data[at] = rng.randrange(256)
            elif action == 1:
                del data[at:at + rng.randint(1, 8)]
            elif action == 2:
                data[at:at] = bytes(rng.randrange(256)
                                    for _ in range(rng.randint(1, 8)))
            else:
                data = data[:at]
        return bytes(data)

    def test_mangled_requests_get_an_answer_or_a_close(self):
        import random
        rng = random.Random(20261123)
        self.serve(echo, socket_timeout=0.5)
        for _ in range(300):
            request = self.mangle(rng)
            answer = self.exchange(request, end=True)
            if answer:
                self.assertRegex(answer, rb'^HTTP/1\.1 [1-5]\d\d ',
                                 request)
        application_errors = [r.getMessage() for r in self.errors
                              if r.levelno > logging.INFO]
        self.assertEqual(application_errors, [])
        sock = self.connect()
        sock.sendall(self.GOOD)
        self.assertEqual(self.read_response(sock)[2], b'hello')
