"""Requests per second: the HTTP browser against a bare http.client GET.

Both fetch the benchmark page (50 labelled fields, 200 links) from the
same wsgiref server on 127.0.0.1 (in this process), one connection per
request, in the same run; each request uses a fresh browser, as a test
usually does.  Prints one line: requests per second for
each, the ratio, and the same for the WSGI browser against a bare WebOb
call.
"""
import http.client
import pathlib
import sys
import time

import webob

import zc.testbrowser.browser
import zc.testbrowser.wsgi
from zc.testbrowser.tests import webapp

sys.path.insert(0, str(pathlib.Path(__file__).parent))
from bench_wsgi import app  # noqa: E402 (the same app as bench_wsgi)


def per_second(func, seconds=1.0):
    func()  # warm up
    count = 0
    start = time.perf_counter()
    deadline = start + seconds
    while time.perf_counter() < deadline and count < 100000:
        func()
        count += 1
    return count / (time.perf_counter() - start)


def main():
    server = webapp.Server(app)
    try:
        host, port = '127.0.0.1', server.httpd.server_port

        def bare_http():
            connection = http.client.HTTPConnection(host, port, timeout=10)
            try:
                connection.request('GET', '/', headers={'Connection': 'close'})
                connection.getresponse().read()
            finally:
                connection.close()

        def ours_http():
            zc.testbrowser.browser.Browser(server.url + '/')

        figures = {'HTTP': (per_second(bare_http), per_second(ours_http))}
    finally:
        server.stop()
    figures['WSGI'] = (
        per_second(lambda: webob.Request.blank('/').get_response(app).body),
        per_second(lambda: zc.testbrowser.wsgi.Browser(
            'http://localhost/', wsgi_app=app)))
    print('zc.testbrowser open, requests/s: ' + '; '.join(
        f'{name} bare {bare:.0f}, browser {ours:.0f}, ratio {ours / bare:.2f}'
        for name, (bare, ours) in figures.items()))


if __name__ == '__main__':
    main()
