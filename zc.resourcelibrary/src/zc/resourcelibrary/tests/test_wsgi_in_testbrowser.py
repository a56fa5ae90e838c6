"""The middleware as zc.testbrowser sees it.

The same checks through both of its browsers: the WSGI browser, which
calls the application in process, and the HTTP browser, which talks to the
real server on 127.0.0.1 the other tests use.  A page needing a library
gets its tags, the tags' URLs open with the file's Content-Type, and a
revalidation with the file's ETag or Last-Modified is answered with 304.
"""
import os
import unittest

import webob
import zc.testbrowser.browser
import zc.testbrowser.wsgi

import zc.resourcelibrary
from zc.resourcelibrary import resourcelibrary
from zc.resourcelibrary.tests.server import serving
from zc.resourcelibrary.wsgi import ResourceLibraryMiddleware

HERE = os.path.dirname(__file__)
PAGE = ('<!DOCTYPE html>\n<html><head><title>Charts</title></head>'
        '<body><canvas id="chart"></canvas></body></html>')


def charts_page(environ, start_response):
    zc.resourcelibrary.need('charts')
    response = webob.Response(PAGE, charset='utf-8')
    return response(environ, start_response)


def read(*path):
    with open(os.path.join(HERE, *path), encoding='utf-8') as f:
        return f.read()


class TestbrowserChecks:
    """What both browsers must see; ``browser()`` and ``url`` differ."""

    options = {}

    def setUp(self):
        self.saved = dict(resourcelibrary.library_info)
        self.addCleanup(self.restore_libraries)
        zc.resourcelibrary.register(
            'charts-base', os.path.join(HERE, 'my-lib'),
            include=['included.js', 'included.css'])
        zc.resourcelibrary.register(
            'charts', os.path.join(HERE, 'other-lib'),
            include=['other.js'], require=['charts-base'])
        self.app = ResourceLibraryMiddleware(charts_page, **self.options)

    def restore_libraries(self):
        resourcelibrary.library_info.clear()
        resourcelibrary.library_info.update(self.saved)

    @staticmethod
    def sources(browser):
        """The URLs of the page's script and style sheet tags, in order."""
        html = browser.contents
        found = []
        for attribute in ('src="', '@import url("', 'href="'):
            start = html.find(attribute)
            while start >= 0:
                start += len(attribute)
                found.append((start, html[start:html.index('"', start)]))
                start = html.find(attribute, start)
        return [url for _, url in sorted(found)]

    def test_a_page_needing_a_library_gets_its_tags_dependencies_first(self):
        browser = self.browser()
        browser.open(self.url + '/')
        self.assertEqual(browser.title, 'Charts')
        self.assertEqual(self.sources(browser), [
            self.url + '/@@/charts-base/included.js',
            self.url + '/@@/charts-base/included.css',
            self.url + '/@@/charts/other.js',
        ])
        self.assertIn('<canvas id="chart"></canvas>', browser.contents)

    def test_the_tags_urls_open_with_the_files_content_type(self):
        browser = self.browser()
        browser.open(self.url + '/')
        expected = {'included.js': ('text/javascript', 'my-lib'),
                    'included.css': ('text/css', 'my-lib'),
                    'other.js': ('text/javascript', 'other-lib')}
        for url in self.sources(browser):
            name = url.rsplit('/', 1)[1].split('?')[0]
            content_type, directory = expected[name]
            browser.open(url)
            self.assertEqual(browser.headers['Status'], '200 OK')
            self.assertEqual(browser.headers['Content-Type'], content_type)
            self.assertEqual(browser.contents, read(directory, name))

    def test_revalidating_with_the_etag_gives_304(self):
        browser = self.browser()
        browser.open(self.url + '/@@/charts/other.js')
        etag = browser.headers['ETag']
        browser.addHeader('If-None-Match', etag)
        browser.open(self.url + '/@@/charts/other.js')
        self.assertEqual(browser.headers['Status'], '304 Not Modified')
        self.assertEqual(browser.headers['ETag'], etag)
        self.assertEqual(browser.contents, '')

    def test_revalidating_with_the_modification_date_gives_304(self):
        browser = self.browser()
        browser.open(self.url + '/@@/charts-base/included.css')
        browser.addHeader('If-Modified-Since',
                          browser.headers['Last-Modified'])
        browser.open(self.url + '/@@/charts-base/included.css')
        self.assertEqual(browser.headers['Status'], '304 Not Modified')

    def test_revalidating_with_another_etag_sends_the_file(self):
        browser = self.browser()
        browser.addHeader('If-None-Match', '"an-older-version"')
        browser.open(self.url + '/@@/charts/other.js')
        self.assertEqual(browser.headers['Status'], '200 OK')
        self.assertEqual(browser.contents, read('other-lib', 'other.js'))


class ModernTagChecks(TestbrowserChecks):
    """The same with versioned URLs, integrity and nonces."""

    options = dict(html5=True, integrity=True, versioned=True,
                   csp_nonce=True)

    def test_versioned_urls_are_cached_for_a_year(self):
        browser = self.browser()
        browser.open(self.url + '/')
        for url in self.sources(browser):
            self.assertIn('?v=', url)
            browser.open(url)
            self.assertEqual(browser.headers['Cache-Control'],
                             'public, max-age=31536000, immutable')

    def test_every_tag_carries_the_nonce_of_the_pages_policy(self):
        browser = self.browser()
        browser.open(self.url + '/')
        policy = browser.headers['Content-Security-Policy']
        nonce = policy.split("'nonce-", 1)[1].split("'", 1)[0]
        self.assertEqual(browser.contents.count(f'nonce="{nonce}"'), 3)
        self.assertEqual(browser.contents.count('integrity="sha384-'), 3)

    def test_a_page_needing_a_library_gets_its_tags_dependencies_first(self):
        browser = self.browser()
        browser.open(self.url + '/')
        self.assertEqual(
            [url.split('?v=')[0] for url in self.sources(browser)], [
                self.url + '/@@/charts-base/included.js',
                self.url + '/@@/charts-base/included.css',
                self.url + '/@@/charts/other.js',
            ])


class InProcess:
    """zc.testbrowser's WSGI browser: no server, no socket."""

    url = 'http://localhost'

    def browser(self):
        return zc.testbrowser.wsgi.Browser(wsgi_app=self.app)


class OverHTTP:
    """zc.testbrowser's HTTP browser against wsgiref on 127.0.0.1."""

    def setUp(self):
        super().setUp()
        context = serving(self.app)
        self.url = context.__enter__()
        self.addCleanup(context.__exit__, None, None, None)

    def browser(self):
        return zc.testbrowser.browser.Browser()


class WSGIBrowserTests(InProcess, TestbrowserChecks, unittest.TestCase):
    pass


class HTTPBrowserTests(OverHTTP, TestbrowserChecks, unittest.TestCase):
    pass


class WSGIBrowserModernTagTests(InProcess, ModernTagChecks,
                                unittest.TestCase):
    pass


class HTTPBrowserModernTagTests(OverHTTP, ModernTagChecks,
                                unittest.TestCase):
    pass
