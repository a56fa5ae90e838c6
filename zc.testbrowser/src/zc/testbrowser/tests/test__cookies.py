"""browser.cookies over the WSGI browser (the jar is shared code)."""
import datetime
import unittest

import webob
import zope.interface.verify

from zc.testbrowser.interfaces import AlreadyExpiredError
from zc.testbrowser.interfaces import ICookies
from zc.testbrowser.wsgi import Browser


def app(environ, start_response):
    request = webob.Request(environ)
    response = webob.Response(
        f'Cookie: {request.headers.get("Cookie", "")}',
        content_type='text/plain')
    if request.path == '/set':
        response.set_cookie('a', '1', path='/')
        response.set_cookie('b', '2', path='/sub', max_age=3600)
    return response(environ, start_response)


class CookieTests(unittest.TestCase):

    def setUp(self):
        self.browser = Browser('http://localhost/set', wsgi_app=app)
        self.cookies = self.browser.cookies

    def test_cookies_provide_the_interface(self):
        self.assertTrue(zope.interface.verify.verifyObject(
            ICookies, self.cookies))

    def test_mapping_shows_cookies_sent_to_the_url(self):
        self.assertEqual(dict(self.cookies), {'a': '1'})
        sub = self.cookies.forURL('http://localhost/sub/page')
        self.assertEqual(sorted(sub.items()), [('a', '1'), ('b', '2')])
        self.assertEqual(sub.header, 'b=2; a=1')
        self.assertEqual(str(sub), 'b=2; a=1')

    def test_getinfo_describes_the_cookie(self):
        info = self.cookies.forURL('http://localhost/sub').getinfo('b')
        self.assertEqual((info['domain'], info['path'], info['secure']),
                         ('localhost.local', '/sub', False))
        self.assertIsInstance(info['expires'], datetime.datetime)
        self.assertEqual(info['expires'].tzinfo, datetime.timezone.utc)
        self.assertEqual([i['name'] for i in self.cookies.iterinfo()], ['a'])

    def test_setting_changes_the_best_match_and_keeps_its_attributes(self):
        sub = self.cookies.forURL('http://localhost/sub')
        sub['b'] = 'changed'
        self.assertEqual(sub.getinfo('b')['path'], '/sub')
        self.browser.open('http://localhost/sub')
        self.assertEqual(self.browser.contents, 'Cookie: b=changed; a=1')

    def test_create_refuses_duplicates_past_expiry_and_foreign_domains(self):
        with self.assertRaises(ValueError):
            self.cookies.create('a', 'again')
        with self.assertRaises(AlreadyExpiredError):
            self.cookies.create('old', 'x', expires=datetime.datetime(
                2000, 1, 1, tzinfo=datetime.timezone.utc))
        with self.assertRaisesRegex(ValueError, 'does not match the host'):
            self.cookies.create('c', 'x', domain='.example.org')
        with self.assertRaisesRegex(ValueError, 'path'):
            self.cookies.create('c', 'x', path='/elsewhere')

    def test_create_takes_http_dates_and_datetimes_as_expiry(self):
        self.cookies.create('later', 'x',
                            expires='Fri, 01 Jan 2100 00:00:00 GMT')
        self.assertEqual(self.cookies.getinfo('later')['expires'].year, 2100)
        self.cookies.create('naive', 'x',
                            expires=datetime.datetime(2100, 1, 2))
        self.assertEqual(self.cookies.getinfo('naive')['expires'].day, 2)
        with self.assertRaisesRegex(ValueError, 'unknown date format'):
            self.cookies.create('bad', 'x', expires='someday')

    def test_create_refuses_a_cookie_hidden_by_a_more_specific_one(self):
        sub = self.cookies.forURL('http://localhost/sub')
        with self.assertRaisesRegex(ValueError, 'hidden'):
            sub.create('b', 'x')
        self.assertEqual(sub['b'], '2')

    def test_change_needs_an_existing_cookie(self):
        with self.assertRaises(KeyError):
            self.cookies.change('nothing', 'x')
        self.cookies.change('a', 'changed', path='/')
        self.assertEqual(self.cookies['a'], 'changed')

    def test_delete_pop_and_clear_act_on_this_url(self):
        sub = self.cookies.forURL('http://localhost/sub')
        self.assertEqual(sub.pop('b'), '2')
        self.assertNotIn('b', sub)
        del self.cookies['a']
        self.assertEqual(len(sub), 0)

    def test_clear_all_session_keeps_persistent_cookies(self):
        self.cookies.clearAllSession()
        sub = self.cookies.forURL('http://localhost/sub')
        self.assertEqual(list(sub), ['b'])
        self.cookies.clearAll()
        self.assertEqual(len(sub), 0)

    def test_strict_domain_policy_can_be_switched(self):
        self.assertFalse(self.cookies.strict_domain_policy)
        self.cookies.strict_domain_policy = True
        self.assertTrue(self.cookies.strict_domain_policy)
        self.cookies.strict_domain_policy = False
        self.assertFalse(self.cookies.strict_domain_policy)
