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
