"""The load balancer's HTTP front end: a lean HTTP/1.1 server for WSGI.

gevent's pywsgi is a general server; for every small request it builds a
handler object, parses headers through several layers and formats the
response in pieces, which cost the LB more CPU than routing the request.
This server does the same protocol work in a few string operations per
request: the head is found and split in one buffer, the environment is
built in one pass, and a small response leaves in one send.

What it implements: HTTP/1.0 and 1.1, persistent connections and
pipelining, ``Content-Length`` and chunked request bodies (with ``Expect:
100-continue``), chunked (1.1) or close-delimited (1.0) responses when the
application gives no length, no body for HEAD, 1xx, 204 and 304, idle
and header timeouts, and clear 4xx/5xx answers to bad requests.  What
the bytes mean is decided in ``zc.resumelb.http11``, which does no I/O;
this module reads and writes them on gevent sockets.
"""
import datetime
import fcntl
import functools
import logging
import socket
import struct
import sys
import termios
import time
from email.utils import formatdate

import gevent.server

from zc.resumelb import http11
from zc.resumelb import util

logger = logging.getLogger(__name__)

#: After a response, an unread request body up to this size is read and
#: discarded to keep the connection; a longer one closes it instead.
MAX_DRAIN_BYTES = 65536
_RECV_SIZE = 65536
_monotonic = time.monotonic
_BadRequest = http11.BadRequest


class Abort(Exception):
    """The application gave up on a response and has said why already.

    The server closes the connection (a response already started cannot
    be finished any other way) without logging a traceback.  Subclasses
    may set ``log_status`` to the status the access log should show.
    """

    log_status = None


class ClientDisconnected(ConnectionError):
    """The client closed the connection, reset it or timed out."""


class InvalidBody(ValueError):
    """The request body breaks the chunked coding.

    Raised to the application by ``wsgi.input``; if the application lets
    it through, the client gets ``status``.
    """

    status = '400 Bad Request'


class BodyTooLarge(InvalidBody):
    """A chunked request body grew over the server's limit."""

    status = '413 Content Too Large'


class _Clock:
    """The Date header and access-log time, formatted once a second."""

    second = None

    def now(self):
        second = int(time.time())
        if second != self.second:
            self.http_date = formatdate(second, usegmt=True)
            self.log_time = str(datetime.datetime.fromtimestamp(second))
            self.second = second
        return self


clock = _Clock()


class _LoggerLog:
    """Access lines to a ``logging.Logger``, at INFO."""

    def __init__(self, logger):
        self.info = logger.info

    def write(self, line):
        self.info(line.rstrip('\n'))


class Server(gevent.server.StreamServer):
    """Serve ``application`` over HTTP on ``listener``.

    ``listener``: a listening socket or a ``(host, port)`` address.
    ``log``: where access lines go: a file-like object (each line is
    written and flushed), a ``logging.Logger`` (at INFO), ``None`` for
    none; standard error by default.  ``error_log``: the logger for
    application errors.  ``spawn``: as for gevent servers; a
    ``gevent.pool.Pool(n)`` caps simultaneous connections at ``n``.
    ``socket_timeout``: seconds a client connection may make no progress
    (nothing read, nothing written) before it is dropped; ``None`` for
    never.  ``header_timeout``: seconds from a request's first byte
    within which its whole head must have arrived, else it gets
    ``408 Request Timeout`` and the connection is closed.
    ``max_body_size``: larger request bodies get 413.
    """

    def __init__(self, listener, application, log=sys.stderr,
                 error_log=None, spawn='default', socket_timeout=None,
                 header_timeout=None, max_body_size=None):
        super().__init__(listener, spawn=spawn)
        self.header_timeout = header_timeout
        self.max_body_size = max_body_size
        self.application = application
        if isinstance(log, logging.Logger):
            log = _LoggerLog(log)
        self.log = log
        self.error_log = error_log if error_log is not None else logger
        self.socket_timeout = socket_timeout
        self.base_environ = None
        self.connections = set()
        self._sweeper = None
        #: Set when the server shuts down: no connection is kept alive.
        self.draining = False
        #: Where responses are counted (``zc.resumelb.metrics``), if at all.
        self.metrics = None

    def init_socket(self):
        super().init_socket()
        host, port = self.address[:2]
        self.base_environ = {
            'SCRIPT_NAME': '',
            'SERVER_NAME': str(host),
            'SERVER_PORT': str(port),
            'SERVER_SOFTWARE': 'zc.resumelb',
            'GATEWAY_INTERFACE': 'CGI/1.1',
            'wsgi.version': (1, 0),
            'wsgi.url_scheme': 'http',
            'wsgi.errors': sys.stderr,
            'wsgi.multithread': False,
            'wsgi.multiprocess': False,
            'wsgi.run_once': False,
        }

    def start(self):
        super().start()
        if self._sweeper is None and (self.socket_timeout is not None
                                      or self.header_timeout is not None):
            self._sweeper = gevent.spawn(self._sweep)

    def close(self):
        if self._sweeper is not None:
            self._sweeper.kill(block=False)
            self._sweeper = None
        super().close()

    def close_idle(self):
        """Close connections waiting for a next request; keep no other
        connection alive after its response."""
        self.draining = True
        for conn in list(self.connections):
            if conn.idle:
                conn.sock.close()

    def _sweep(self):
        # One ticker for every connection instead of gevent's timer armed
        # around each socket operation, which costs more than a tenth of
        # the LB's time per small request.
        timeout = self.socket_timeout
        head_timeout = self.header_timeout
        period = min(max(min(t for t in (timeout, head_timeout)
                             if t is not None) / 4, 0.01), 1.0)
        while True:
            gevent.sleep(period)
            now = time.monotonic()
            for conn in list(self.connections):
                since = conn.waiting_since
                if (timeout is not None and since is not None
                        and now - since >= timeout):
                    if conn.sending and conn.client_read():
                        conn.waiting_since = now
                    else:
                        conn.time_out()
                    continue
                since = conn.head_since
                if (head_timeout is not None and since is not None
                        and now - since >= head_timeout):
                    conn.head_time_out(head_timeout)

    def handle(self, sock, address):
        util.set_nodelay(sock)
        conn = _Connection(self, sock, address)
        self.connections.add(conn)
        try:
            conn.serve()
        finally:
            self.connections.discard(conn)


class _Connection:
    """One client connection: requests read and answered in turn."""

    def __init__(self, server, sock, address):
        self.server = server
        self.sock = sock
        self.buffer = b''
        self.closed = False
        #: When the socket operation in progress began, if one is.
        self.waiting_since = None
        self.timed_out = False
        #: Whether it waits for the first byte of a next request.
        self.idle = False
        #: When the first byte of a head not yet complete arrived.
        self.head_since = None
        #: Set when that head took longer than the header timeout.
        self.head_timed_out = None
        #: Whether the operation in progress is a send, and how many bytes
        #: the kernel had not sent yet when last asked.
        self.sending = False
        self.unsent = None
        # Between keep-alive requests the socket is almost always empty
        # when we come to read: waiting for it to become readable first
        # saves a recv that would fail with EAGAIN (gevent's recv tries
        # before it waits).
        self.wait_readable = functools.partial(sock._wait, sock._read_event)
        if isinstance(address, tuple):
            self.client = address[0]
            self.base_environ = dict(server.base_environ,
                                     REMOTE_ADDR=address[0],
                                     REMOTE_PORT=str(address[1]))
        else:
            self.client = '-'
            self.base_environ = dict(server.base_environ, REMOTE_ADDR='')

    def serve(self):
        try:
            while self.serve_one():
                pass
        except OSError:
            pass  # the client went away or timed out; nobody to tell
        finally:
            self.sock.close()

    def client_read(self):
        """Whether the client took bytes since the last time we asked.

        A socket becomes writable again only once much of its send
        buffer is free, which takes a slow but steady reader longer than
        the timeout: the kernel's count of unsent bytes shows progress.
        """
        try:
            unsent = struct.unpack('i', fcntl.ioctl(
                self.sock.fileno(), termios.TIOCOUTQ, b'\0\0\0\0'))[0]
        except OSError:
            return False
        progress = unsent != self.unsent
        self.unsent = unsent
        return progress

    def time_out(self, seconds=None):
        """Drop the connection: it makes no progress, or its head does
        not come."""
        self.timed_out = seconds or self.server.socket_timeout
        self.sock.close()  # the waiting task gets an error

    def head_time_out(self, seconds):
        """End the wait for the rest of a head that is late: the reading
        task then sees the end of its input and answers 408."""
        if self.head_timed_out:
            return  # the reading task has not run since
        self.head_timed_out = seconds
        try:
            self.sock.shutdown(socket.SHUT_RD)
        except OSError:
            self.time_out(seconds)

    def _lost(self, doing, error):
        if self.timed_out:
            return ClientDisconnected(
                f'{doing} {self.client} took over'
                f' {self.timed_out} seconds')
        return ClientDisconnected(f'{doing} {self.client}: {error}')

    def recv(self):
        self.waiting_since = _monotonic()
        try:
            return self.sock.recv(_RECV_SIZE)
        except OSError as error:
            if self.head_timed_out:
                # gevent ends a wait on a socket shut for reading with
                # an error; the kernel would have said end of input.
                return b''
            raise self._lost('reading from', error) from None
        finally:
            self.waiting_since = None

    def read_head(self):
        """The request's head lines, or None at EOF."""
        buffer = self.buffer
        if buffer:
            self.head_since = _monotonic()
        try:
            while True:
                lines, rest = http11.split_head(buffer)
                if lines is not None:
                    self.buffer = rest
                    return lines
                if not buffer:
                    self.waiting_since = _monotonic()
                    self.idle = True
                    try:
                        self.wait_readable()
                    except OSError as error:
                        raise self._lost('waiting for', error) from None
                    finally:
                        self.waiting_since = None
                        self.idle = False
                    self.head_since = _monotonic()
                data = self.recv()
                if not data:
                    if self.head_timed_out:
                        raise _BadRequest(
                            '408 Request Timeout', 'the request head took'
                            f' over {self.head_timed_out} seconds')
                    if buffer.strip():
                        raise _BadRequest('400 Bad Request',
                                          'connection closed inside the'
                                          ' head')
                    return None
                # Clients may send empty lines between requests.
                buffer = (buffer + data) if buffer else data.lstrip(b'\r\n')
        finally:
            self.head_since = None

    def serve_one(self):
        """Answer one request; return whether to go on with the next."""
        try:
            lines = self.read_head()
            if lines is None:
                return False
            request = _Request(self, lines)
        except _BadRequest as error:
            self.refuse(error)
            return False
        request.respond()
        if not request.keep_alive or self.closed or self.server.draining:
            return False
        return request.input.discard(MAX_DRAIN_BYTES)

    def refuse(self, error):
        body = f'{error.reason}\n'.encode('latin-1', 'replace')
        if self.sock.closed:
            return
        self.send(
            b'HTTP/1.1 %s\r\nContent-Type: text/plain\r\n'
            b'Content-Length: %d\r\nConnection: close\r\n\r\n%s'
            % (error.status.encode('latin-1'), len(body), body))
        self.server.error_log.info('refused a request from %s: %s',
                                   self.client, error.reason)
        if self.server.metrics is not None:
            self.server.metrics.response(int(error.status[:3]))

    def send(self, data):
        # One plain send usually takes a whole small response; gevent's
        # sendall would first ask the kernel for the send buffer size.
        self.waiting_since = _monotonic()
        self.sending = True
        try:
            sent = self.sock.send(data)
            if sent < len(data):
                # A client reading steadily makes progress: each piece
                # sent restarts its timeout.
                view = memoryview(data)
                while sent < len(view):
                    self.waiting_since = _monotonic()
                    sent += self.sock.send(view[sent:])
        except OSError as error:
            raise self._lost('writing to', error) from None
        finally:
            self.waiting_since = None
            self.sending = False


class _Request(http11.Request, http11.ResponseHead):
    """One request and its response."""

    body_length = 0
    log_status = None

    def __init__(self, conn, lines):
        self.conn = conn
        self.start = time.time()
        server = conn.server
        super().__init__(lines, conn.base_environ, server.max_body_size)
        if server.draining:
            self.keep_alive = False
        body = self.body
        if body is None:
            self.input = _NO_INPUT
        elif body == http11.CHUNKED:
            self.input = _ChunkedInput(conn, self.expect_continue,
                                       server.max_body_size)
        else:
            self.input = _Input(conn, body, self.expect_continue)
        self.environ['wsgi.input'] = self.input

    # The WSGI side

    def write(self, data):
        """Send ``data`` (bytes) as part of the response body."""
        if type(data) is not bytes:
            if not isinstance(data, (bytes, bytearray, memoryview)):
                raise TypeError(f'response body chunks must be bytes,'
                                f' not {type(data).__name__}: {data!r:.60}')
            data = bytes(data)
        if self.status is None:
            raise AssertionError('write() before start_response()')
        head = b'' if self.headers_sent else self._head(data)
        if not self.has_body or not data:
            if head:
                self.conn.send(head)
            return
        self.body_length += len(data)
        if self.chunked:
            data = b'%x\r\n%s\r\n' % (len(data), data)
        self.conn.send(head + data if head else data)

    def _head(self, first, complete=False):
        return self.response_head(first, complete, clock.now().http_date)

    def respond(self):
        """Run the application and send its response."""
        conn = self.conn
        server = conn.server
        result = None
        try:
            result = server.application(self.environ, self.start_response)
            if (type(result) is list and len(result) == 1
                    and self.status is not None and not self.headers_sent):
                # The common case: the whole body in one piece.
                data = result[0]
                if type(data) is not bytes:
                    self.write(data)  # raises the TypeError
                conn.send(self._head(data, complete=True)
                          + (data if self.has_body else b''))
                self.body_length = len(data) if self.has_body else 0
            else:
                for data in result:
                    if data:
                        self.write(data)
                if not self.headers_sent:
                    if self.status is None:
                        raise AssertionError('the application returned'
                                             ' without calling'
                                             ' start_response')
                    conn.send(self._head(b'', complete=True))
                elif self.chunked:
                    conn.send(b'0\r\n\r\n')
            if (self.declared_length is not None and self.has_body
                    and self.body_length != self.declared_length):
                # The client would wait for bytes that never come, or
                # read the surplus as the next response.
                server.error_log.error(
                    'application sent %d bytes of a %d-byte body for %s',
                    self.body_length, self.declared_length,
                    self.request_line)
                self.keep_alive = False
        except Abort as error:
            self.log_status = error.log_status
            conn.closed = True
        except ClientDisconnected:
            self.log_status = self.log_status or '499'
            conn.closed = True
        except InvalidBody as error:
            conn.closed = True
            if not self.headers_sent:
                self.log_status = error.status[:3]
                conn.refuse(_BadRequest(error.status, str(error)))
        except Exception as error:
            self._fail(error)
        finally:
            if result is not None and hasattr(result, 'close'):
                try:
                    result.close()
                except Exception:
                    server.error_log.exception(
                        'closing the response of %s', self.request_line)
            if server.log is not None:
                self._log()
            if server.metrics is not None:
                server.metrics.response(
                    int(self.log_status or (self.status or '000')[:3]))

    def _fail(self, error):
        conn = self.conn
        conn.server.error_log.error(
            'error in the application for %s from %s', self.request_line,
            conn.client, exc_info=error)
        if self.headers_sent:
            conn.closed = True
            return
        self.log_status = '500'
        body = b'Internal Server Error\n'
        try:
            conn.send(b'HTTP/1.1 500 Internal Server Error\r\n'
                      b'Content-Type: text/plain\r\nContent-Length: %d\r\n'
                      b'Date: %s\r\n%s\r\n%s'
                      % (len(body), clock.now().http_date.encode(),
                         b'' if self.keep_alive else b'Connection: close\r\n',
                         b'' if self.method == 'HEAD' else body))
        except OSError:
            conn.closed = True

    def _log(self):
        status = self.log_status or (self.status or '000')[:3]
        conn = self.conn
        conn.server.log.write(
            f'{conn.client} - - [{clock.now().log_time}]'
            f' "{http11.escape_log(self.request_line)}" {status}'
            f' {self.body_length or "-"}'
            f' {time.time() - self.start:.6f}\n')


class _NoInput:
    """The body of a request that has none."""

    def read(self, size=-1):
        return b''

    def readline(self, size=-1):
        return b''

    def readlines(self, hint=-1):
        return []

    def __iter__(self):
        return iter(())

    def discard(self, limit):
        return True


_NO_INPUT = _NoInput()


class _Input:
    """A ``Content-Length`` request body, read from the connection."""

    def __init__(self, conn, length, expect_continue=False):
        self.conn = conn
        self.remaining = length
        self.expect_continue = expect_continue

    def _continue(self):
        """Tell a client waiting for it to send the body: the app reads."""
        if self.expect_continue:
            self.expect_continue = False
            self.conn.send(b'HTTP/1.1 100 Continue\r\n\r\n')

    def _more(self, size):
        """Up to ``size`` bytes of the body; raises if the client left."""
        conn = self.conn
        self._continue()
        data = conn.buffer
        if not data:
            data = conn.recv()
            if not data:
                raise ClientDisconnected(
                    f'the client closed the connection with {self.remaining}'
                    ' bytes of the request body unsent')
        if len(data) > size:
            conn.buffer = data[size:]
            return data[:size]
        conn.buffer = b''
        return data

    def read(self, size=-1):
        if size is None or size < 0 or size > self.remaining:
            size = self.remaining
        if size == 0:
            return b''
        data = self._more(size)
        self.remaining -= len(data)
        if len(data) == size:
            return data
        parts = [data]
        size -= len(data)
        while size:
            data = self._more(size)
            self.remaining -= len(data)
            size -= len(data)
            parts.append(data)
        return b''.join(parts)

    def readline(self, size=-1):
        if size is None or size < 0 or size > self.remaining:
            size = self.remaining
        parts = []
        while size:
            data = self._more(size)
            end = data.find(b'\n') + 1
            if end:
                self.conn.buffer = data[end:] + self.conn.buffer
                data = data[:end]
            self.remaining -= len(data)
            size -= len(data)
            parts.append(data)
            if end:
                break
        return b''.join(parts)

    def readlines(self, hint=-1):
        lines = []
        total = 0
        while line := self.readline():
            lines.append(line)
            total += len(line)
            if 0 < hint <= total:
                break
        return lines

    def __iter__(self):
        return iter(self.readline, b'')

    def discard(self, limit):
        """Read what the application left unread, up to ``limit`` bytes.

        Returns whether the connection is in step for a next request.
        """
        if self.expect_continue:
            # The client waits for our word before sending the body;
            # it never got it, so nothing of the body is on its way.
            return False
        if self.remaining > limit:
            return False
        try:
            while self.remaining:
                self.remaining -= len(self._more(self.remaining))
        except OSError:
            return False
        return True


class _ChunkedInput(_Input):
    """A chunked request body, decoded as it is read."""

    def __init__(self, conn, expect_continue=False, max_size=None):
        super().__init__(conn, 0, expect_continue)
        self.decoder = http11.ChunkedDecoder(max_size)
        self.data = b''  # decoded, not yet read

    @property
    def done(self):
        return self.decoder.done and not self.data

    def _fill(self):
        """Decode more of the body; False once it has all been decoded."""
        decoder = self.decoder
        if decoder.done:
            return False
        self._continue()
        conn = self.conn
        raw = conn.buffer
        if raw:
            conn.buffer = b''
        else:
            raw = conn.recv()
            if not raw:
                raise ClientDisconnected('the client closed the connection'
                                         ' inside a chunked request body')
        try:
            data = decoder.feed(raw)
        except http11.BodyTooLarge as error:
            raise BodyTooLarge(str(error)) from None
        except ValueError as error:
            raise InvalidBody(str(error)) from None
        if data:
            self.data = self.data + data if self.data else data
        if decoder.done:
            conn.buffer = decoder.rest
        return True

    def _take(self, size):
        data = self.data
        if size < 0 or size >= len(data):
            self.data = b''
            return data
        self.data = data[size:]
        return data[:size]

    def read(self, size=-1):
        if size is None:
            size = -1
        while (size < 0 or len(self.data) < size) and self._fill():
            pass
        return self._take(size)

    def readline(self, size=-1):
        if size is None:
            size = -1
        while True:
            end = self.data.find(b'\n') + 1
            if end:
                return self._take(end if size < 0 else min(end, size))
            if 0 <= size <= len(self.data) or not self._fill():
                return self._take(size)

    def discard(self, limit):
        if self.expect_continue:
            return False
        discarded = 0
        try:
            while True:
                discarded += len(self.data)
                self.data = b''
                if discarded > limit:
                    return False
                if self.decoder.done:
                    return True
                self._fill()
        except (OSError, ValueError):
            return False
