"""The real browser's cookie mapping, on a real browser context."""
import unittest

from zc.testbrowser import _chromium
from zc.testbrowser._realcookies import RealCookies
from zc.testbrowser.tests.test_real import CHROMIUM

URL = 'http://localhost/shop/'


class RealCookiesTests(unittest.TestCase):

    layer = CHROMIUM

    def setUp(self):
        self.context = _chromium.shared().browser.new_context()
        self.cookies = RealCookies(self.context, URL)

    def tearDown(self):
        self.context.close()

    def add(self, name, value, path='/'):
        self.context.add_cookies([{'name': name, 'value': value,
                                   'domain': 'localhost', 'path': path}])

    def test_the_most_specific_path_wins_and_comes_first(self):
        self.add('tea', 'all', '/')
        self.add('tea', 'shop', '/shop')
        self.assertEqual(self.cookies['tea'], 'shop')
        self.assertEqual(len(self.cookies), 1)
        self.assertEqual(self.cookies.header, 'tea=shop; tea=all')
        self.assertEqual(str(self.cookies.forURL('http://localhost/')),
                         'tea=all')

    def test_setting_a_new_name_makes_a_session_cookie_for_the_host(self):
        self.cookies['milk'] = 'yes'
        [cookie] = self.context.cookies()
        self.assertEqual((cookie['domain'], cookie['path'],
                          cookie['expires']), ('localhost', '/', -1))

    def test_setting_an_existing_name_keeps_its_path(self):
        self.add('tea', 'shop', '/shop')
        self.cookies['tea'] = 'green'
        [cookie] = self.context.cookies()
        self.assertEqual((cookie['value'], cookie['path']),
                         ('green', '/shop'))

    def test_deleting_removes_the_best_match_only(self):
        self.add('tea', 'all', '/')
        self.add('tea', 'shop', '/shop')
        del self.cookies['tea']
        self.assertEqual(dict(self.cookies), {'tea': 'all'})

    def test_missing_name_raises_KeyError(self):
        with self.assertRaises(KeyError):
            self.cookies['nothing']

    def test_clearAllSession_keeps_cookies_with_an_expiry(self):
        self.add('session', '1')
        self.context.add_cookies([{'name': 'kept', 'value': '1',
                                   'domain': 'localhost', 'path': '/',
                                   'expires': 4102444800}])
        self.cookies.clearAllSession()
        self.assertEqual(list(self.cookies), ['kept'])
        self.cookies.clearAll()
        self.assertEqual(len(self.cookies), 0)
