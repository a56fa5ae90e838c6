"""Request-head parsing: our ``http11`` module against httptools (llhttp).

Both turn the same typical browser request head (bytes) into a WSGI
environment, side by side in one process; prints microseconds per request
for each and the ratio.  httptools is the strict C parser behind uvicorn;
this is the measurement behind the choice, in the tutorial, to keep our
own parser.
"""
import sys
import time

from zc.resumelb import http11

SMALL = b'GET /tiny HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n'
REQUEST = (b'GET /shop/item?id=42&color=red HTTP/1.1\r\n'
           b'Host: shop.example.com\r\n'
           b'User-Agent: Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0\r\n'
           b'Accept: text/html,application/xhtml+xml\r\n'
           b'Accept-Language: en-US,en;q=0.5\r\n'
           b'Accept-Encoding: gzip, deflate\r\n'
           b'Cookie: session=abcdef0123456789\r\n'
           b'Connection: keep-alive\r\n\r\n')
BASE = {'SCRIPT_NAME': '', 'SERVER_NAME': '127.0.0.1', 'SERVER_PORT': '80',
        'wsgi.url_scheme': 'http'}
ROUNDS = 20000


def make_ours(request):
    def ours():
        lines, rest = http11.split_head(request)
        return http11.Request(lines, BASE).environ
    return ours


def make_httptools(request):
    import httptools
    from urllib.parse import unquote_to_bytes

    class Protocol:
        def __init__(self):
            self.environ = None
            self.url = b''

        def on_message_begin(self):
            self.environ = BASE.copy()
            self.url = b''

        def on_url(self, url):
            self.url += url

        def on_header(self, name, value):
            key = name.decode('latin-1').upper().replace('-', '_')
            if key not in ('CONTENT_TYPE', 'CONTENT_LENGTH'):
                key = 'HTTP_' + key
            environ = self.environ
            value = value.decode('latin-1')
            environ[key] = (environ[key] + ',' + value if key in environ
                            else value)

        def on_headers_complete(self):
            url = httptools.parse_url(self.url)
            environ = self.environ
            environ['REQUEST_METHOD'] = parser.get_method().decode()
            environ['SERVER_PROTOCOL'] = 'HTTP/' + parser.get_http_version()
            environ['RAW_URI'] = self.url.decode('latin-1')
            environ['PATH_INFO'] = unquote_to_bytes(url.path).decode(
                'latin-1')
            environ['QUERY_STRING'] = (url.query or b'').decode('latin-1')

    protocol = Protocol()
    parser = httptools.HttpRequestParser(protocol)

    def parse():
        parser.feed_data(request)
        return protocol.environ

    return parse


def per_request(func):
    best = None
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(ROUNDS):
            func()
        elapsed = (time.perf_counter() - start) / ROUNDS * 1e6
        best = elapsed if best is None else min(best, elapsed)
    return best


def main():
    figures = []
    for name, request in (('wrk\'s 1-header request', SMALL),
                          ('a 7-header browser request', REQUEST)):
        try:
            theirs = make_httptools(request)
        except ImportError:
            print('bench_http11: needs httptools (zc.resumelb[test])')
            return 1
        ours = make_ours(request)
        mine, other = ours(), theirs()
        for key in ('REQUEST_METHOD', 'PATH_INFO', 'QUERY_STRING',
                    'HTTP_HOST'):
            assert mine[key] == other[key], (key, mine[key], other[key])
        ours_us = per_request(ours)
        theirs_us = per_request(theirs)
        figures.append(f'{name}: http11 {ours_us:.2f} us, httptools'
                       f' {theirs_us:.2f} us, httptools/http11 time'
                       f' {theirs_us / ours_us:.2f}x')
    print('parse a head into an environ: ' + '; '.join(figures))
    return 0


if __name__ == '__main__':
    sys.exit(main())
