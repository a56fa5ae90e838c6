"""The WSGI browser on a big page, side by side with zope.testbrowser.

A page with 50 labelled fields and 200 links; three operations:
open; open + getControl('Field 25') + set + submit; open +
getLink('Link 150').  The baseline always measured is a bare WebOb call
of the same application (the cost of the request alone); zope.testbrowser
runs side by side when it is importable.  It is never a dependency: to
compare, install it with WebOb, mechanize, selectolax and zope.schema into
a separate virtualenv and run this script there with
``PYTHONPATH=zc.testbrowser/src``.  The measured functions take turns, so
that a busy machine slows them alike.  Prints one line: milliseconds per
operation, ratios, and our parsing cost per KB (links and forms indexed).
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


def _window_ms(func, seconds):
    count = 0
    start = time.perf_counter()
    deadline = start + seconds
    while True:
        func()
        count += 1
        now = time.perf_counter()
        if now > deadline or count >= 10000:
            return (now - start) / count * 1e3


def per_call_ms(*funcs, rounds=10, seconds=0.05):
    """Best milliseconds per call of each function.

    The functions take turns, window after window, so that a busy machine
    slows them alike; the best window of each counts.
    """
    for func in funcs:
        func()  # warm up
    best = [float('inf')] * len(funcs)
    for _ in range(rounds):
        for i, func in enumerate(funcs):
            best[i] = min(best[i], _window_ms(func, seconds))
    return best if len(funcs) > 1 else best[0]


def parse_us_per_kb():
    text = PAGE.decode('utf-8')
    kb = len(PAGE) / 1024

    def parse():
        page = build_page(_html.parse_elements(text), 'http://localhost/')
        page.links
        page.forms
    return per_call_ms(parse) * 1e3 / kb


def main():
    zope = zope_browser()
    theirs = operations(zope) if zope else {}
    figures = []
    for name, op in operations(ours).items():
        # The bare WebOb call always runs alongside: the request alone.
        if name in theirs:
            ms, bare, other = per_call_ms(op, bare_open, theirs[name])
            figures.append(f'{name} {ms:.3f} ms (zope.testbrowser'
                           f' {other:.3f} ms, {other / ms:.1f}x faster;'
                           f' bare WebOb call {bare:.3f} ms)')
        else:
            ms, bare = per_call_ms(op, bare_open)
            figures.append(f'{name} {ms:.3f} ms (bare WebOb call'
                           f' {bare:.3f} ms, {ms / bare:.0f}x that)')
    if not zope:
        figures.append('zope.testbrowser not installed: not compared')
    figures.append(f'page {len(PAGE) / 1024:.1f} KB, parse + page model'
                   f' {parse_us_per_kb():.1f} us/KB')
    print('zc.testbrowser WSGI: ' + '; '.join(figures))


if __name__ == '__main__':
    main()
