"""Cost of the middleware per response on a 100 KB HTML page.

The same WSGI application (a 100 KB UTF-8 page needing three libraries of
six files in all) is served with and without ResourceLibraryMiddleware, side
by side in one run:

- over real HTTP (wsgiref's server on 127.0.0.1, a new connection per
  request, as wsgiref speaks HTTP/1.0): the overhead a client sees, the
  figure the goal (under 5%) is about, as wall-clock time and as the
  process's CPU time (client and server threads together);
- in-process (the WSGI call and joining the body, no server): the raw
  cost of decoding, injecting and encoding 100 KB, against an application
  that does nothing, so its ratio is large by construction.

Rounds alternate between the two apps; the figures are medians over the
rounds and the ratio is the median of the per-round ratios, which keeps
the comparison fair on a busy machine.  Prints one line.
"""
import http.client
import os
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', 'src'))

import zc.resourcelibrary  # noqa: E402
from zc.resourcelibrary.tests.server import serving  # noqa: E402
from zc.resourcelibrary.wsgi import ResourceLibraryMiddleware  # noqa: E402

ROUNDS = 15
HTTP_REQUESTS = 100
CALLS = 400


def make_libraries():
    directory = tempfile.mkdtemp()
    for name in ('base.js', 'widgets.js', 'widgets.css', 'charts.js',
                 'charts.css', 'theme.css'):
        with open(os.path.join(directory, name), 'w') as f:
            f.write('/* %s */\n' % name * 200)
    zc.resourcelibrary.register('base', directory, ['base.js', 'theme.css'])
    zc.resourcelibrary.register('widgets', directory,
                                ['widgets.js', 'widgets.css'], ['base'])
    zc.resourcelibrary.register('charts', directory,
                                ['charts.js', 'charts.css'], ['base'])


# UTF-8 text with a few non-ASCII characters, as real pages have.
PARAGRAPH = ('<p>Lorem ipsum dolor sit amet, “consectetur” adipiscing '
             'café.</p>\n')
PAGE = ('<!DOCTYPE html>\n<html><head><title>Report</title></head><body>\n'
        + PARAGRAPH * (100_000 // len(PARAGRAPH.encode()))
        + '</body></html>\n').encode()


def app(environ, start_response):
    zc.resourcelibrary.need('widgets')
    zc.resourcelibrary.need('charts')
    start_response('200 OK', [('Content-Type', 'text/html; charset=utf-8'),
                              ('Content-Length', str(len(PAGE)))])
    return [PAGE]


def http_seconds(url, requests, clock=time.perf_counter):
    host, port = url.rsplit('/', 1)[1].split(':')
    start = clock()
    for _ in range(requests):
        connection = http.client.HTTPConnection(host, int(port), timeout=30)
        connection.request('GET', '/')
        body = connection.getresponse().read()
        connection.close()
    assert len(body) >= len(PAGE)
    return (clock() - start) / requests


def http_cpu_seconds(url, requests):
    # Client and server threads share this process: its CPU time per
    # request is less disturbed by other processes than the wall clock.
    return http_seconds(url, requests, clock=time.process_time)


def call_seconds(wsgi_app, calls):
    environ = {'REQUEST_METHOD': 'GET', 'PATH_INFO': '/', 'SCRIPT_NAME': '',
               'SERVER_NAME': 'localhost', 'SERVER_PORT': '80',
               'HTTP_HOST': 'localhost', 'wsgi.url_scheme': 'http'}

    def start_response(status, headers, exc_info=None):
        pass
    start = time.perf_counter()
    for _ in range(calls):
        b''.join(wsgi_app(dict(environ), start_response))
    return (time.perf_counter() - start) / calls


def median_pair(measure, bare, wrapped, amount):
    """Medians of both and of the per-round ratios (robust to drift)."""
    pairs = [(measure(bare, amount), measure(wrapped, amount))
             for _ in range(ROUNDS)]
    return (statistics.median(p[0] for p in pairs),
            statistics.median(p[1] for p in pairs),
            statistics.median(p[1] / p[0] for p in pairs))


def main():
    make_libraries()
    plain = ResourceLibraryMiddleware(app)
    modern = ResourceLibraryMiddleware(
        app, html5=True, integrity=True, versioned=True, csp_nonce=True,
        preload=True)
    figures = []
    with serving(app) as bare_url, serving(plain) as plain_url, \
            serving(modern) as modern_url:
        for label, url in (('default', plain_url),
                           ('all options', modern_url)):
            bare, wrapped, ratio = median_pair(http_seconds, bare_url, url,
                                               HTTP_REQUESTS)
            figures.append(f'HTTP {label}: {wrapped * 1e6:.0f} us vs bare '
                           f'{bare * 1e6:.0f} us per request, '
                           f'ratio {ratio:.3f}')
            bare, wrapped, ratio = median_pair(http_cpu_seconds, bare_url,
                                               url, HTTP_REQUESTS)
            figures.append(f'CPU {wrapped * 1e6:.0f} us vs {bare * 1e6:.0f}'
                           f' us, ratio {ratio:.3f}')
    pairs = [(call_seconds(app, CALLS), call_seconds(plain, CALLS))
             for _ in range(ROUNDS)]
    bare = statistics.median(p[0] for p in pairs)
    wrapped = statistics.median(p[1] for p in pairs)
    # The best round is the least disturbed by other processes.
    best = min(p[1] - p[0] for p in pairs)
    figures.append(f'in-process default: {wrapped * 1e6:.1f} us vs bare '
                   f'{bare * 1e6:.1f} us per call '
                   f'(+{(wrapped - bare) * 1e6:.1f} us; '
                   f'best round +{best * 1e6:.1f} us)')
    print(f'bench_injection (100 KB page, 6 files, median of {ROUNDS} '
          'alternating rounds): ' + '; '.join(figures))


if __name__ == '__main__':
    main()
