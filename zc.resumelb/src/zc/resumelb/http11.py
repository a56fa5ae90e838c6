"""HTTP/1.1 without I/O: request heads in, WSGI environ out; the
``start_response`` the worker and the front end share; response heads.

The front end (``zc.resumelb.httpserver``) reads bytes and writes them;
everything it decides about their meaning is here, so that it can be
tested with plain bytes.  The rules are those of RFC 9112 and RFC 9110
for a server that passes requests on: anything ambiguous is refused with
a 4xx, because a request that two parsers read differently is how
requests get smuggled past a front end.
"""
import re
from urllib.parse import unquote_to_bytes

MAX_REQUEST_LINE = 8192
MAX_HEAD_BYTES = 65536
MAX_HEADERS = 100
#: Content-Length values are refused beyond this many digits (an exabyte):
#: longer ones are an attack or an error, never a body.
MAX_LENGTH_DIGITS = 18
#: Hex digits of a chunk size, likewise.
MAX_CHUNK_SIZE_DIGITS = 16
#: ``parse_request``'s body framing for a chunked body.
CHUNKED = -1

_TOKEN = r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+"
_REQUEST_LINE = re.compile(
    rf'({_TOKEN}) ([\x21-\x7e]+) HTTP/(\d)\.(\d)')
_HEADER_NAME = re.compile(_TOKEN)
# In a head, only visible characters, spaces, tabs and the line ends are
# allowed: a CR, LF or NUL inside a value is how headers are injected
# into what a backend or a log sees.
_FORBIDDEN = re.compile(r'[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]')
_SPECIAL_HEADERS = {'CONTENT_TYPE': 'CONTENT_TYPE',
                    'CONTENT_LENGTH': 'CONTENT_LENGTH'}
_HEX = frozenset(b'0123456789abcdefABCDEF')


class BadRequest(Exception):
    """The request cannot be served; ``status`` says how to answer."""

    def __init__(self, status, reason):
        super().__init__(reason)
        self.status = status
        self.reason = reason


def split_head(buffer):
    """Split a request head off ``buffer`` (bytes).

    Returns ``(lines, rest)``: the head's lines as str (latin-1) and the
    bytes after it, or ``(None, buffer)`` while the head is incomplete.
    Lines end with CRLF; a bare LF is accepted as a line end, as RFC 9112
    allows, a bare CR is not.  Raises ``BadRequest`` for control
    characters and when the head grows over the limits.
    """
    end = buffer.find(b'\r\n\r\n', 0, MAX_HEAD_BYTES + 4)
    if end >= 0:
        head, rest = buffer[:end], buffer[end + 4:]
    else:
        end = buffer.find(b'\n\n', 0, MAX_HEAD_BYTES + 2)
        skip = 2
        if end < 0:
            end = buffer.find(b'\n\r\n', 0, MAX_HEAD_BYTES + 3)
            skip = 3
        if end < 0:
            if len(buffer) > MAX_HEAD_BYTES:
                if buffer.find(b'\n', 0, MAX_REQUEST_LINE) < 0:
                    raise BadRequest('414 URI Too Long',
                                     'request line too long')
                raise BadRequest('431 Request Header Fields Too Large',
                                 f'request head over {MAX_HEAD_BYTES}'
                                 ' bytes')
            return None, buffer
        head, rest = buffer[:end], buffer[end + skip:]
    head = head.decode('latin-1')
    lines = head.split('\r\n')
    for line in lines:
        if not line.isprintable():
            # Rare: tabs, obs-text, bare line ends, or worse.
            return _check(head), rest
    return lines, rest


def _check(head):
    if _FORBIDDEN.search(head):
        raise BadRequest('400 Bad Request', 'control character in the head')
    head = head.replace('\r\n', '\n')
    if '\r' in head:
        raise BadRequest('400 Bad Request', 'bare CR in the head')
    return head.split('\n')


class Request:
    """What a request head says: the environment and the body framing.

    ``body`` is None (no body), a byte count, or ``CHUNKED``.  The
    front end's request class derives from this one.
    """

    def __init__(self, lines, base_environ, max_body_size=None):
        self.request_line = line = lines[0]
        if len(line) > MAX_REQUEST_LINE:
            raise BadRequest('414 URI Too Long', 'request line too long')
        match = _REQUEST_LINE.fullmatch(line)
        if match is None:
            raise BadRequest('400 Bad Request',
                             f'invalid request line {line[:100]!r}')
        method, target, major, minor = match.groups()
        if major != '1':
            raise BadRequest('505 HTTP Version Not Supported',
                             f'HTTP/{major}.{minor} is not supported')
        self.method = method
        self.http11 = http11 = minor != '0'
        if len(lines) > MAX_HEADERS + 1:
            raise BadRequest('431 Request Header Fields Too Large',
                             f'more than {MAX_HEADERS} header fields')
        self.environ = environ = base_environ.copy()
        environ['REQUEST_METHOD'] = method
        environ['SERVER_PROTOCOL'] = f'HTTP/1.{minor}'
        environ['RAW_URI'] = target
        _set_path(environ, target)
        _set_headers(environ, lines)
        if http11 and 'HTTP_HOST' not in environ:
            raise BadRequest('400 Bad Request', 'HTTP/1.1 request without'
                             ' a Host header')
        connection = environ.get('HTTP_CONNECTION')
        if connection is None:
            self.keep_alive = http11
        else:
            connection = connection.lower()
            self.keep_alive = ('close' not in connection if http11
                               else 'keep-alive' in connection)
        self.expect_continue = (
            http11 and 'HTTP_EXPECT' in environ
            and environ['HTTP_EXPECT'].lower() == '100-continue')
        self.body = _framing(environ, max_body_size)
        if self.body == CHUNKED and not http11:
            # An HTTP/1.0 peer may not know what it sent: serve this
            # request, but trust the connection with no other.
            self.keep_alive = False


def _set_path(environ, target):
    if not target.startswith('/'):
        scheme, sep, rest = target.partition('://')
        if sep and scheme.lower() in ('http', 'https'):
            target = '/' + rest.partition('/')[2]
        elif target == '*' and environ['REQUEST_METHOD'] == 'OPTIONS':
            environ['PATH_INFO'] = '*'
            environ['QUERY_STRING'] = ''
            return
        else:
            raise BadRequest('400 Bad Request',
                             f'invalid request target {target[:100]!r}')
    path, _, query = target.partition('?')
    if '%' in path:
        path = unquote_to_bytes(path).decode('latin-1')
    environ['PATH_INFO'] = path
    environ['QUERY_STRING'] = query


def _set_headers(environ, lines):
    key = None
    for line in lines[1:]:
        name, colon, value = line.partition(':')
        if not colon or not _HEADER_NAME.fullmatch(name):
            if line[:1] in (' ', '\t') and key is not None:
                # An obsolete folded line continues the previous one.
                environ[key] += ' ' + line.strip(' \t')
                continue
            raise BadRequest('400 Bad Request',
                             f'invalid header line {line[:100]!r}')
        value = value.strip(' \t')
        if '_' in name:
            # Would be indistinguishable from the same name with '-'
            # once in the environment: a way to spoof headers.
            key = None
            continue
        key = name.upper().replace('-', '_')
        key = _SPECIAL_HEADERS.get(key) or 'HTTP_' + key
        if key in environ:
            if key == 'CONTENT_LENGTH':
                if environ[key] != value:
                    raise BadRequest('400 Bad Request',
                                     'conflicting Content-Length headers')
            elif key == 'HTTP_HOST':
                raise BadRequest('400 Bad Request', 'more than one Host')
            else:
                environ[key] += ',' + value
        else:
            environ[key] = value


def _framing(environ, max_body_size):
    coding = environ.get('HTTP_TRANSFER_ENCODING')
    length = environ.get('CONTENT_LENGTH')
    if coding is not None:
        if coding.lower() != 'chunked':
            raise BadRequest('501 Not Implemented',
                             f'transfer coding {coding[:40]!r} is not'
                             ' supported; only chunked')
        if length is not None:
            raise BadRequest('400 Bad Request',
                             'both Content-Length and Transfer-Encoding'
                             ' given')
        return CHUNKED
    if length is None:
        return None
    if (not length.isdigit() or not length.isascii()
            or len(length) > MAX_LENGTH_DIGITS):
        raise BadRequest('400 Bad Request',
                         f'invalid Content-Length {length[:40]!r}')
    length = int(length)
    if max_body_size is not None and length > max_body_size:
        raise BadRequest('413 Content Too Large',
                         f'request body over {max_body_size} bytes')
    return length or None


class StartResponse:
    """PEP 3333's ``start_response``, shared by the worker and the front
    end: records the status and headers, lets ``exc_info`` replace them
    while nothing has been sent (and re-raises it after), and returns the
    class's ``write``."""

    status = None
    response_headers = None
    #: Whether the status and headers have left (so can't be replaced).
    headers_sent = False

    def start_response(self, status, headers, exc_info=None):
        if exc_info is not None:
            try:
                if self.headers_sent:
                    raise exc_info[1].with_traceback(exc_info[2])
            finally:
                exc_info = None
        elif self.status is not None:
            raise AssertionError('start_response called a second time'
                                 ' without exc_info')
        if (type(status) is not str or len(status) < 4
                or not status[:3].isdigit() or status[3] != ' '):
            raise ValueError(f'invalid status {status!r}: expected a str'
                             ' like "200 OK"')
        self.status = status
        self.response_headers = headers
        return self.write


class ResponseHead(StartResponse):
    """The head of a response to an HTTP/1.x request.

    Needs the request's ``method``, ``http11`` and ``keep_alive``.
    """

    chunked = False
    declared_length = None
    has_body = True

    def response_head(self, first, complete, date):
        """The response's head as bytes: the application's status and
        headers, completed by the server's own.

        ``first`` is the start of the body, the whole body if
        ``complete``; ``date`` the value of the Date header if the
        application gave none.  Decides the framing (``has_body``,
        ``chunked``, ``declared_length``) and whether the connection is
        kept alive.
        """
        self.code = code = int(self.status[:3])
        self.has_body = (self.method != 'HEAD' and code >= 200
                         and code not in _NO_BODY_CODES)
        lines = [f'HTTP/1.1 {self.status}']
        length = app_date = connection = None
        for name, value in self.response_headers:
            if type(name) is not str or type(value) is not str:
                raise TypeError(f'header {name!r}: {value!r}: names and'
                                ' values must be str')
            lower = name.lower()
            if lower == 'content-length':
                length = value
                continue  # checked, and put last by the code below
            elif lower == 'date':
                app_date = value
            elif lower == 'connection':
                connection = value.lower()
                continue  # hop-by-hop: the server's own goes out below
            elif lower == 'transfer-encoding':
                continue  # the server decides the framing
            lines.append(f'{name}: {value}')
        if length is not None:
            lines.append(f'Content-Length: {length}')
            if length.isdigit():
                self.declared_length = int(length)
        elif complete and self.has_body:
            # The whole body is known: give its length, keep the connection.
            # (Not for HEAD: what a GET would return is unknown here.)
            lines.append(f'Content-Length: {len(first)}')
            self.declared_length = len(first)
        elif self.has_body:
            if self.http11:
                self.chunked = True
                lines.append('Transfer-Encoding: chunked')
            else:
                self.keep_alive = False
        if connection == 'close':
            self.keep_alive = False
        if app_date is None:
            lines.append(f'Date: {date}')
        if not self.keep_alive:
            lines.append('Connection: close')
        elif not self.http11:
            lines.append('Connection: keep-alive')
        head = '\r\n'.join(lines)
        breaks = len(lines) - 1
        if head.count('\n') != breaks or head.count('\r') != breaks:
            raise ValueError(f'line break inside the status or a header'
                             f' of {self.response_headers!r:.200}')
        self.headers_sent = True
        return (head + '\r\n\r\n').encode('latin-1')


_NO_BODY_CODES = frozenset((204, 304))


def chunk_size(line):
    """The size announced by a chunk-size line (bytes, without CRLF)."""
    size = line.split(b';', 1)[0].rstrip(b' \t')
    if (not size or len(size) > MAX_CHUNK_SIZE_DIGITS
            or not _HEX.issuperset(size)):
        raise ValueError(f'invalid chunk size line {line[:40]!r}')
    return int(size, 16)


class BodyTooLarge(ValueError):
    """A chunked body grew over its size limit."""


#: Longest chunk-size or trailer line accepted.
MAX_CHUNK_LINE = 1024
_SIZE, _DATA, _DATA_END, _TRAILER, _DONE = range(5)


class ChunkedDecoder:
    """Decodes a chunked request body from the bytes fed to it.

    ``feed(data)`` returns the body bytes ``data`` completes (maybe
    ``b''``).  After the last chunk and its trailer, ``done`` is true and
    ``rest`` holds what followed: the start of the next request.  Broken
    coding raises ``ValueError``; a body over ``max_size`` bytes raises
    ``BodyTooLarge``.
    """

    def __init__(self, max_size=None):
        self.max_size = max_size
        self.buffer = b''
        self.state = _SIZE
        self.remaining = 0
        self.size = 0
        self.done = False
        self.rest = b''

    def feed(self, data):
        buffer = self.buffer + data if self.buffer else data
        out = []
        while buffer:
            state = self.state
            if state == _DATA:
                piece = buffer[:self.remaining]
                buffer = buffer[len(piece):]
                out.append(piece)
                self.remaining -= len(piece)
                if not self.remaining:
                    self.state = _DATA_END
                continue
            if state == _DONE:
                self.rest += buffer
                buffer = b''
                break
            end = buffer.find(b'\n', 0, MAX_CHUNK_LINE + 1)
            if end < 0:
                if len(buffer) > MAX_CHUNK_LINE:
                    raise ValueError('chunk size line too long')
                break
            line = buffer[:end].rstrip(b'\r')
            buffer = buffer[end + 1:]
            if state == _DATA_END:
                if line:
                    raise ValueError('chunk data longer than its size says')
                self.state = _SIZE
            elif state == _SIZE:
                size = chunk_size(line)
                self.size += size
                if self.max_size is not None and self.size > self.max_size:
                    raise BodyTooLarge(
                        f'request body over {self.max_size} bytes')
                self.remaining = size
                self.state = _DATA if size else _TRAILER
            elif not line:  # the empty line that ends the trailer
                self.state = _DONE
                self.done = True
                self.rest, buffer = buffer, b''
            # Other trailer fields are dropped: WSGI has no place for them.
        self.buffer = buffer
        return b''.join(out) if len(out) != 1 else out[0]


_LOG_ESCAPES = {c: f'\\x{c:02X}' for c in range(256)
                if c < 0x20 or c >= 0x7f or chr(c) in '"\\'}


def escape_log(text):
    """``text`` safe inside a quoted access-log field, as nginx writes it:
    quotes, backslashes and non-printable characters as ``\\xHH``."""
    if text.isascii() and text.isprintable() and '"' not in text and (
            '\\' not in text):
        return text
    return text.translate(_LOG_ESCAPES)
