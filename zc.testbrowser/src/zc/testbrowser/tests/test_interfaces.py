"""The exceptions' family tree, on which callers' except clauses rely."""
import unittest
import urllib.error

from zc.testbrowser import browser
from zc.testbrowser import interfaces


class ExceptionTests(unittest.TestCase):

    def test_exceptions_have_the_documented_bases(self):
        self.assertTrue(issubclass(interfaces.LinkNotFoundError, IndexError))
        self.assertTrue(issubclass(interfaces.LinkNotFoundError, ValueError))
        self.assertTrue(issubclass(interfaces.AmbiguityError, ValueError))
        self.assertTrue(issubclass(interfaces.BrowserStateError,
                                   RuntimeError))
        self.assertFalse(issubclass(interfaces.ExpiredError, ValueError))
        self.assertTrue(issubclass(interfaces.AlreadyExpiredError,
                                   ValueError))
        self.assertTrue(issubclass(interfaces.ItemNotFoundError, ValueError))
        self.assertTrue(issubclass(interfaces.ItemCountError, ValueError))
        self.assertTrue(issubclass(interfaces.ValidationError, ValueError))
        self.assertIs(interfaces.HTTPError, urllib.error.HTTPError)

    def test_http_browser_module_re_exports_the_exceptions(self):
        for name in ('LinkNotFoundError', 'AmbiguityError',
                     'BrowserStateError', 'ExpiredError',
                     'AlreadyExpiredError', 'ItemNotFoundError',
                     'ItemCountError', 'HTTPError'):
            self.assertIs(getattr(browser, name), getattr(interfaces, name))

    def test_validation_error_keeps_its_problems(self):
        error = interfaces.ValidationError([('a', 'required')])
        self.assertEqual(error.problems, [('a', 'required')])
