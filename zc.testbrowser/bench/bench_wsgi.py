"""The WSGI browser on a big page, side by side with zope.testbrowser.

A page with 50 labelled fields and 200 links; three operations:
open; open + getControl('Field 25') + set + submit; open +
getLink('Link 150').  The baseline always measured is a bare WebOb call
of the same application (the cost of the request alone); zope.testbrowser
runs side by side when it is importable (it is never a dependency:
install it into a separate environment to compare).  Prints one line:
milliseconds per operation, ratios, and our parsing cost per KB.
"""
import time

import webob

import zc.testbrowser.wsgi
from zc.testbrowser import _html
from zc.testbrowser.page import build_page

FIELDS = 50
LINKS = 200


def make_page():
    parts = ['<!DOCTYPE html><html><head><title>Bench</title></head><body>'
             '<form action="/submit" method="post">']
    for i in range(FIELDS):
        parts.append(f'<p><label for="f{i}">Field {i}</label> <input'
                     f' id="f{i}" name="field{i}" type="text" value="v{i}">'
                     '</p>')
    parts.append('<input type="submit" name="go" value="Go"></form><ul>')
    for i in range(LINKS):
        parts.append(f'<li><a href="/link/{i}">Link {i}</a></li>')
    parts.append('</ul></body></html>')
    return ''.join(parts).encode('utf-8')


PAGE = make_page()
DONE = b'<html><head><title>Done</title></head><body>ok</body></html>'


def app(environ, start_response):
    body = PAGE if environ['PATH_INFO'] == '/' else DONE
    if environ['REQUEST_METHOD'] == 'POST':
        environ['wsgi.input'].read(int(environ.get('CONTENT_LENGTH') or 0))
    start_response('200 OK', [('Content-Type', 'text/html; charset=utf-8'),
                              ('Content-Length', str(len(body)))])
    return [body]


def bare_open():
    webob.Request.blank('http://localhost/').get_response(app).body


def operations(Browser):
    def open_():
        Browser('http://localhost/')

    def form():
        browser = Browser('http://localhost/')
        browser.getControl('Field 25').value = 'changed'
        browser.getControl('Go').click()

    def link():
        Browser('http://localhost/').getLink('Link 150')

    return {'open': open_, 'form round trip': form, 'link lookup': link}


def ours(url):
    return zc.testbrowser.wsgi.Browser(url, wsgi_app=app)


def zope_browser():
    try:
        import zope.testbrowser.browser
    except ImportError:
        return None

    def make(url):
        browser = zope.testbrowser.browser.Browser(wsgi_app=app)
        browser.open(url)
        return browser
    return make


def per_call_ms(func, seconds=0.5):
    func()  # warm up
    best = float('inf')
    for _ in range(3):
        count = 0
        start = time.perf_counter()
        deadline = start + seconds / 3
        while True:
            func()
            count += 1
            now = time.perf_counter()
            if now > deadline or count >= 10000:
                break
        best = min(best, (now - start) / count)
    return best * 1e3


def parse_us_per_kb():
    text = PAGE.decode('utf-8')
    kb = len(PAGE) / 1024

    def parse():
        build_page(_html.parse_elements(text), 'http://localhost/')
    return per_call_ms(parse) * 1e3 / kb


def main():
    figures = [f'bare WebOb open {per_call_ms(bare_open):.3f} ms']
    mine = {name: per_call_ms(op) for name, op in operations(ours).items()}
    zope = zope_browser()
    theirs = ({name: per_call_ms(op) for name, op in
               operations(zope).items()} if zope else None)
    for name, ms in mine.items():
        text = f'{name} {ms:.3f} ms'
        if theirs:
            text += (f' (zope.testbrowser {theirs[name]:.3f} ms,'
                     f' {theirs[name] / ms:.1f}x faster)')
        figures.append(text)
    if not theirs:
        figures.append('zope.testbrowser not installed: not compared')
    figures.append(f'page {len(PAGE) / 1024:.1f} KB, parse + page model'
                   f' {parse_us_per_kb():.1f} us/KB')
    print('zc.testbrowser WSGI: ' + '; '.join(figures))


if __name__ == '__main__':
    main()
