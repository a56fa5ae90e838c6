"""Finding Chromium, and saying what is missing when it is not there."""
import os
import unittest

from zc.testbrowser import _chromium
from zc.testbrowser import real
from zc.testbrowser.interfaces import BrowserStateError
from zc.testbrowser.interfaces import RealBrowserUnavailable


class FindChromiumTests(unittest.TestCase):

    def setUp(self):
        self.environ = dict(os.environ)

    def tearDown(self):
        os.environ.clear()
        os.environ.update(self.environ)

    def test_RealBrowserUnavailable_is_a_BrowserStateError(self):
        self.assertTrue(issubclass(RealBrowserUnavailable, BrowserStateError))

    def test_missing_chromium_raises_RealBrowserUnavailable_naming_it(self):
        with self.assertRaisesRegex(
                RealBrowserUnavailable,
                "Chromium not found: '/nowhere/chromium' is not an"
                ' executable'):
            real.Browser(chromium='/nowhere/chromium')

    def test_environment_variable_names_the_executable(self):
        os.environ['ZC_TESTBROWSER_CHROMIUM'] = '/nowhere/from-env'
        with self.assertRaisesRegex(RealBrowserUnavailable, 'from-env'):
            _chromium.find_chromium()

    def test_argument_wins_over_the_environment(self):
        os.environ['ZC_TESTBROWSER_CHROMIUM'] = '/nowhere/from-env'
        self.assertEqual(_chromium.find_chromium('/bin/sh'), '/bin/sh')

    def test_missing_chromium_on_PATH_names_the_names_looked_for(self):
        os.environ.pop('ZC_TESTBROWSER_CHROMIUM', None)
        os.environ['PATH'] = '/nonexistent'
        with self.assertRaisesRegex(
                RealBrowserUnavailable,
                'none of chromium, chromium-browser, google-chrome is on'
                ' PATH .on Debian: apt-get install chromium'):
            _chromium.find_chromium()

    def test_chromium_on_PATH_is_found(self):
        os.environ.pop('ZC_TESTBROWSER_CHROMIUM', None)
        # The machine running the tests has Debian's chromium.
        self.assertTrue(_chromium.find_chromium().endswith('/chromium'))

    def test_no_shared_chromium_without_a_layer(self):
        self.assertIsNone(_chromium.shared())


class SparePageTests(unittest.TestCase):
    """A fresh context and page made ahead for the next Browser."""

    @property
    def layer(self):
        from zc.testbrowser.tests.test_real import CHROMIUM
        return CHROMIUM

    def setUp(self):
        self.chromium = _chromium.shared()
        # Whatever an earlier test left made ahead is not this test's.
        self.chromium.new_page().context.close()

    def test_a_spare_page_is_handed_out_once(self):
        self.chromium.prepare(no_viewport=True)
        spare = self.chromium._spare[1]
        page = self.chromium.new_page(no_viewport=True)
        try:
            self.assertIs(page, spare)
            self.assertEqual(page.url, 'about:blank')
            self.assertIsNone(self.chromium._spare)
            other = self.chromium.new_page(no_viewport=True)
            self.assertIsNot(other.context, page.context)
            other.context.close()
        finally:
            page.context.close()

    def test_a_spare_made_with_other_options_is_closed_not_used(self):
        self.chromium.prepare(no_viewport=True)
        spare = self.chromium._spare[1]
        page = self.chromium.new_page(viewport={'width': 300, 'height': 200})
        try:
            self.assertIsNot(page, spare)
            self.assertTrue(spare.is_closed())
            self.assertEqual(page.viewport_size,
                             {'width': 300, 'height': 200})
        finally:
            page.context.close()

    def test_a_second_prepare_keeps_the_first_spare(self):
        self.chromium.prepare(no_viewport=True)
        spare = self.chromium._spare[1]
        self.chromium.prepare(no_viewport=True)
        self.assertIs(self.chromium._spare[1], spare)
        self.chromium.new_page(no_viewport=True).context.close()

    def test_a_browser_loading_a_page_has_the_next_ones_page_made(self):
        from zc.testbrowser.tests import jsapp
        with real.Browser('http://localhost/set-cookie',
                          wsgi_app=jsapp.application):
            pass
        # Its loading started the making of the next page, which goes on
        # while this thread waits on Playwright.
        self.assertTrue(self.chromium._preparing or self.chromium._spare)
        self.chromium._finish_preparing()
        spare = self.chromium._spare[1]
        with real.Browser('http://localhost/echo',
                          wsgi_app=jsapp.application) as browser:
            self.assertIs(browser._page, spare)
            # Made ahead, yet as fresh as any: no cookies of the last one.
            self.assertEqual(len(browser.cookies), 0)
            self.assertTrue(browser.contents.endswith('Cookie: '))
            self.assertEqual(browser.headers['status'], '200 OK')

    def test_closing_chromium_drops_its_spare(self):
        chromium = _chromium.Chromium()
        try:
            chromium.prepare(no_viewport=True)
            self.assertIsNotNone(chromium._spare)
        finally:
            chromium.close()
        self.assertIsNone(chromium._spare)
        chromium.prepare(no_viewport=True)
        self.assertIsNone(chromium._spare)
