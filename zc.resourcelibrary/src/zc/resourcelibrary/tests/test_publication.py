"""The zope.publisher integration, through a real publication."""
import io
import unittest

import zope.component
import zope.component.hooks
import zope.interface
from zope.interface import Interface
from zope.publisher.browser import BrowserView
from zope.publisher.interfaces.browser import IDefaultBrowserLayer

import zc.resourcelibrary
from zc.resourcelibrary.publication import IBrowserRequestFactory
from zc.resourcelibrary.publication import Request
from zc.resourcelibrary.publication import Response
from zc.resourcelibrary.tests import zopeapp

LIBRARIES = '''
<resourceLibrary name="my-lib">
  <directory source="my-lib" include="included.js included.css"/>
</resourceLibrary>
<resourceLibrary name="other-lib" require="my-lib">
  <directory source="other-lib" include="other.js"/>
</resourceLibrary>
'''


class View(BrowserView):
    """A page whose view code needs libraries and returns ``body``."""

    needs = ()
    body = '<html><head></head><body></body></html>'
    content_type = None

    def __call__(self):
        for name in self.needs:
            zc.resourcelibrary.need(name)
        if self.content_type is not None:
            self.request.response.setHeader('Content-Type',
                                            self.content_type)
        return self.body


class PublicationTests(unittest.TestCase):

    def setUp(self):
        zopeapp.set_up_zope()
        zopeapp.configure(LIBRARIES)

    def tearDown(self):
        zopeapp.tear_down_zope()

    def page(self, name, **attributes):
        view = type(name, (View,), attributes)
        zope.component.provideAdapter(
            view, (Interface, IDefaultBrowserLayer), Interface, name=name)

    def test_needed_library_and_its_dependency_are_inserted_in_order(self):
        self.page('p', needs=['other-lib'])
        body = zopeapp.publish('/p').consumeBody().decode()
        self.assertLess(body.index('my-lib/included.js'),
                        body.index('other-lib/other.js'))
        self.assertIn('<head>\n    <script src="http://localhost/@@/my-lib/'
                      'included.js" \n        type="text/javascript">', body)

    def test_content_length_counts_the_tags(self):
        self.page('p', needs=['my-lib'])
        response = zopeapp.publish('/p')
        self.assertEqual(int(response.getHeader('Content-Length')),
                         len(response.consumeBody()))

    def test_guessed_html_gets_tags_and_the_warning_header(self):
        self.page('p', needs=['my-lib'])
        response = zopeapp.publish('/p')
        self.assertEqual(response.getHeader('X-Content-Type-Warning'),
                         'guessed from content')
        self.assertIn(b'included.js', response.consumeBody())

    def test_declared_types_decide(self):
        cases = [('text/html', True), ('text/xml', True), ('text/hTMl', True),
                 ('text/xml; charset=utf-8', True), ('text/none', False),
                 ('text/nOne; charset=utf-8', False),
                 ('text/ xml', False), ('text/xml ; charset=utf-8', False)]
        for number, (content_type, processed) in enumerate(cases):
            self.page(f'p{number}', needs=['my-lib'],
                      content_type=content_type)
            body = zopeapp.publish(f'/p{number}').consumeBody()
            self.assertEqual(b'included.js' in body, processed, content_type)

    def test_text_that_is_not_html_is_guessed_plain_and_untouched(self):
        self.page('p', needs=['my-lib'], body='just text <head>')
        response = zopeapp.publish('/p')
        self.assertTrue(
            response.getHeader('Content-Type').startswith('text/plain'))
        self.assertEqual(response.consumeBody(), b'just text <head>')

    def test_unknown_library_fails_the_publication(self):
        self.page('p', needs=['nope'])
        with self.assertRaisesRegex(RuntimeError,
                                    'Unknown resource library: "nope"'):
            zopeapp.publish('/p', handle_errors=False)

    def test_without_site_nothing_is_inserted(self):
        request = Request(io.BytesIO(b''), {})
        request.resource_libraries.append('my-lib')
        request.response.setHeader('Content-Type', 'text/html')
        request.response.setResult('<head></head>')
        self.assertEqual(request.response.consumeBody(), b'<head></head>')

    def test_urls_fall_back_to_the_sites_absolute_url(self):
        # No resources view for this layer: the URL is built by hand.
        class ISkin(zope.interface.Interface):
            pass
        root = zopeapp.Root()
        request = Request(io.BytesIO(b''), {'SERVER_NAME': 'example.com',
                                            'SERVER_PORT': '80'})
        zope.interface.alsoProvides(request, ISkin)
        request.resource_libraries.append('my-lib')
        zope.component.hooks.setSite(root)
        request.response.setHeader('Content-Type', 'text/html')
        request.response.setResult('<head></head>')
        self.assertIn(b'"http://example.com/@@/my-lib/included.js"',
                      request.response.consumeBody())

    def test_files_are_served_under_the_skin(self):
        self.page('p', needs=['my-lib'])
        body = zopeapp.publish('/++skin++Basic/p').consumeBody()
        self.assertIn(b'http://localhost/++skin++Basic/@@/my-lib/', body)
        response = zopeapp.publish('/++skin++Basic/@@/my-lib/included.css')
        self.assertEqual(response.getHeader('Content-Type'), 'text/css')

    def test_the_publishers_own_error_page_gets_no_tags(self):
        def fail(self):
            zc.resourcelibrary.need('my-lib')
            raise ValueError('boom')
        self.page('p', __call__=fail)
        response = zopeapp.publish('/p')
        self.assertEqual(response.getStatus(), 500)
        self.assertNotIn(b'included.js', response.consumeBody())


class RetryTests(unittest.TestCase):

    def test_request_and_response_share_one_new_list(self):
        request = Request(io.BytesIO(b''), {})
        self.assertEqual(request.resource_libraries, [])
        self.assertIs(request.resource_libraries,
                      request.response.resource_libraries)

    def test_retried_request_keeps_the_list_object_emptied(self):
        request = Request(body_instream=io.BytesIO(b''), environ={})
        libraries = request.resource_libraries
        libraries.append('a')
        retried = request.retry()
        self.assertIsNot(retried, request)
        self.assertIs(retried.resource_libraries, libraries)
        self.assertIs(retried.response.resource_libraries, libraries)
        self.assertEqual(libraries, [])

    def test_retried_response_keeps_the_list_through_repeated_retries(self):
        response = Response()
        response.resource_libraries = libraries = ['a']
        again = response.retry().retry()
        self.assertIsNot(again, response)
        self.assertIs(again.resource_libraries, libraries)
        self.assertEqual(libraries, ['a'])

    def test_response_without_list_retries_without_one(self):
        self.assertFalse(hasattr(Response().retry(), 'resource_libraries'))

    def test_response_has_the_default_repr(self):
        self.assertRegex(repr(Response()),
                         r'^<zc\.resourcelibrary\.publication\.Response '
                         r'object at 0x[0-9a-f]+>$')

    def test_empty_result_without_type_is_plain_text(self):
        response = Response()
        response.setResult('')
        self.assertTrue(
            response.getHeader('Content-Type').startswith('text/plain'))

    def test_Request_class_provides_IBrowserRequestFactory(self):
        self.assertTrue(IBrowserRequestFactory.providedBy(Request))
        self.assertEqual(IBrowserRequestFactory.__module__,
                         'zope.app.publication.interfaces')
