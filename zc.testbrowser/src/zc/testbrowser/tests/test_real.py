"""The real browser against pages whose JavaScript acts, on 127.0.0.1.

All tests share one Chromium (``CHROMIUM``, a zope.testrunner layer); each
Browser gets a fresh browser context.  Where Chromium or Playwright is
missing the layer's set-up fails naming what is missing.
"""
import os
import tempfile
import unittest
import urllib.error

import zope.interface.verify

from zc.testbrowser import real
from zc.testbrowser._wsgiserver import Server
from zc.testbrowser.interfaces import BrowserStateError
from zc.testbrowser.interfaces import ExpiredError
from zc.testbrowser.interfaces import IHeaders
from zc.testbrowser.interfaces import IRealBrowser
from zc.testbrowser.tests import jsapp
from zc.testbrowser.tests import webapp

CHROMIUM = real.Layer('zc.testbrowser.tests.test_real.CHROMIUM')


def chromium_processes():
    """Pids of the Chromium browser processes this process started."""
    parents = {}
    names = {}
    for entry in os.listdir('/proc'):
        if not entry.isdigit():
            continue
        try:
            with open(f'/proc/{entry}/stat') as stat:
                fields = stat.read().rsplit(')', 1)
        except OSError:
            continue
        parents[int(entry)] = int(fields[1].split()[1])
        names[int(entry)] = fields[0].split('(', 1)[1]
    mine = set()
    for pid in parents:
        ancestor, steps = parents.get(pid), 0
        while ancestor and steps < 50:
            if ancestor == os.getpid():
                mine.add(pid)
                break
            ancestor, steps = parents.get(ancestor), steps + 1
    chromium = {pid for pid in mine if 'chrom' in names[pid]}
    # The browser processes, not their renderers and helpers.
    return {pid for pid in chromium if parents[pid] not in chromium}


class RealBrowserTests(unittest.TestCase):

    layer = CHROMIUM

    def setUp(self):
        self.browser = real.Browser(wsgi_app=jsapp.application)

    def tearDown(self):
        self.browser.close()

    def test_browser_provides_IRealBrowser_and_IHeaders(self):
        self.browser.open('http://localhost/onclick')
        zope.interface.verify.verifyObject(IRealBrowser, self.browser)
        zope.interface.verify.verifyObject(IHeaders, self.browser)

    def test_content_built_by_javascript_is_found_and_used(self):
        browser = self.browser
        browser.open('http://localhost/built')
        self.assertIn('Made by script', browser.contents)
        self.assertEqual(browser.getLink(id='made').text, 'Made by script')
        self.assertEqual(browser.getControl('Tea').value, 'green')
        browser.getControl('Tea').value = 'black'
        browser.getControl('Order').click()
        self.assertEqual(browser.contents.splitlines()[:2],
                         ['POST /echo', "tea: 'black'"])

    def test_onclick_changes_the_dom_without_navigating(self):
        browser = self.browser
        browser.open('http://localhost/onclick')
        more = browser.getControl(name='more')
        link = browser.getLink('Stay')
        more.click()
        more.click()  # still valid: the page did not change
        self.assertIn('<p id="count">2</p>', browser.contents)
        link.click()
        self.assertEqual(browser.url, 'http://localhost/onclick')
        self.assertEqual(browser.getLink(url='/target').text, 'Clicked')

    def test_fragment_link_changes_url_without_a_new_page(self):
        browser = self.browser
        browser.open('http://localhost/onclick')
        amount = browser.getControl('Amount')
        browser.getLink('Below').click()
        self.assertEqual(browser.url, 'http://localhost/onclick#below')
        amount.value = '3'  # not expired
        self.assertEqual(browser.getControl('Amount').value, '3')

    def test_control_replaced_by_script_is_found_again(self):
        browser = self.browser
        browser.open('http://localhost/onclick')
        amount = browser.getControl(name='amount')
        browser.getControl(name='replace').click()
        amount.value = '9'
        self.assertEqual(browser.getControl(name='amount').value, '9')

    def test_control_removed_by_script_raises_ExpiredError_naming_it(self):
        browser = self.browser
        browser.open('http://localhost/onclick')
        amount = browser.getControl(name='amount')
        browser.getControl(name='remove').click()
        with self.assertRaisesRegex(
                ExpiredError, "<input name='amount' value='1'> is no longer"
                ' in the page'):
            amount.value = '9'

    def test_objects_expire_when_the_browser_navigates(self):
        browser = self.browser
        browser.open('http://localhost/onclick')
        amount = browser.getControl('Amount')
        browser.getControl('Send').click()
        self.assertEqual(browser.url, 'http://localhost/echo?amount=1')
        with self.assertRaises(ExpiredError):
            amount.value = '2'

    def test_navigation_by_onclick_script_is_waited_for(self):
        browser = self.browser
        browser.open('http://localhost/go')
        browser.getControl(name='go').click()
        self.assertEqual(browser.title, 'Target')
        self.assertIn('from onclick', browser.contents)
        browser.goBack()
        self.assertEqual(browser.title, 'go')

    def test_navigation_by_a_timer_is_waited_for_with_wait(self):
        browser = self.browser
        browser.open('http://localhost/go')
        browser.getControl(name='later').click()
        browser.waitFor("location.pathname == '/target'")
        browser.wait()
        self.assertIn('from timer', browser.contents)
        self.assertEqual(browser.url, 'http://localhost/target?from=timer')

    def test_onsubmit_script_runs_before_the_form_is_sent(self):
        browser = self.browser
        browser.open('http://localhost/go')
        browser.getControl('Shout').click()
        self.assertIn("tea: 'GREEN'", browser.contents)

    def test_onchange_navigation_is_waited_for(self):
        browser = self.browser
        browser.open('http://localhost/go')
        browser.getControl(name='choice').value = ['select']
        self.assertIn('from select', browser.contents)

    def test_waitFor_raises_BrowserStateError_on_timeout(self):
        self.browser.open('http://localhost/go')
        with self.assertRaisesRegex(BrowserStateError, 'still false'):
            self.browser.waitFor('false', timeout=0.2)

    def test_waitFor_works_under_a_policy_that_forbids_eval(self):
        browser = self.browser
        browser.open('http://localhost/strict')
        browser.waitFor(
            "document.getElementById('state').textContent === 'ready'")
        self.assertIn('<p id="state">ready</p>', browser.contents)
        self.assertEqual(browser.execute('return document.title'), 'Strict')
        with self.assertRaisesRegex(BrowserStateError, 'still false'):
            browser.waitFor('false', timeout=0.2)

    def test_waitFor_outlives_a_navigation_started_while_waiting(self):
        browser = self.browser
        browser.open('http://localhost/go')
        browser.getControl(name='later').click()
        browser.waitFor("document.title === 'Target'")
        self.assertIn('from timer', browser.contents)

    def test_in_process_app_sees_the_host_of_the_requested_url(self):
        browser = self.browser
        browser.open('http://localhost/sri')
        browser.waitFor(
            "document.getElementById('state').textContent === 'ready'")
        self.assertIn('src="http://localhost/ready.js"', browser.contents)

    def test_in_process_redirects_are_followed_to_the_apps_address(self):
        # WebOb writes an absolute Location from the Host it was sent;
        # Chromium's request after a redirect goes to the app's address.
        shop = real.Browser(wsgi_app=webapp.application)
        try:
            for location in ('/echo?a=1', 'http://localhost/echo?a=1'):
                shop.open('http://localhost/redirect?to=' + location.replace(
                    '?', '%3F'))
                self.assertEqual(shop.url,
                                 shop._server.url + '/echo?a=1')
                self.assertEqual(shop.contents.splitlines()[0],
                                 'GET /echo?a=1')
        finally:
            shop.close()

    def test_cookie_set_by_a_redirect_is_sent_where_it_leads(self):
        browser = self.browser
        browser.open('http://localhost/login')
        self.assertEqual(browser.contents.splitlines()[-1],
                         'Cookie: session=open')

    def test_alert_confirm_and_prompt_are_accepted(self):
        browser = self.browser
        browser.open('http://localhost/dialogs')
        browser.getControl(name='alert').click()
        self.assertIn('after alert', browser.contents)
        browser.getControl(name='confirm').click()
        self.assertIn('confirmed', browser.contents)
        browser.getControl(name='prompt').click()
        self.assertIn('<p id="answer">Ada</p>', browser.contents)

    def test_file_upload_sends_name_type_and_data(self):
        browser = self.browser
        browser.open('http://localhost/upload')
        browser.getControl('Photo').add_file(b'JPEG', 'image/jpeg', 'me.jpg')
        self.assertEqual(browser.getControl('Photo').value, None)
        browser.getControl('Upload').click()
        self.assertIn("photo: file 'me.jpg' image/jpeg b'JPEG'",
                      browser.contents)

    def test_image_button_sends_coordinates(self):
        browser = self.browser
        browser.open('http://localhost/image')
        browser.getControl(name='map').click((5, 7))
        self.assertEqual(browser.url,
                         'http://localhost/echo?map.x=5&map.y=7')

    def test_cookies_from_server_and_script_are_sent_and_shown(self):
        browser = self.browser
        browser.open('http://localhost/set-cookie')
        browser.open('http://localhost/cookies')
        self.assertEqual(dict(browser.cookies),
                         {'server': 'sent', 'script': 'made'})
        browser.cookies['extra'] = '1'
        del browser.cookies['server']
        browser.open('http://localhost/echo')
        self.assertIn('Cookie: ', browser.contents)
        self.assertEqual(
            sorted(browser.contents.splitlines()[-1][8:].split('; ')),
            ['extra=1', 'script=made'])
        browser.cookies.clearAll()
        self.assertEqual(len(browser.cookies), 0)

    def test_every_browser_starts_without_cookies(self):
        self.browser.open('http://localhost/set-cookie')
        other = real.Browser('http://localhost/echo',
                             wsgi_app=jsapp.application)
        try:
            self.assertEqual(len(other.cookies), 0)
            self.assertTrue(other.contents.endswith('Cookie: '))
        finally:
            other.close()

    def test_status_and_headers_of_the_main_document(self):
        browser = self.browser
        with self.assertRaises(urllib.error.HTTPError) as caught:
            browser.open('http://localhost/missing')
        self.assertEqual(caught.exception.code, 404)
        self.assertEqual(browser.title, 'Missing')
        self.assertEqual(browser.headers['Status'], '404 Not Found')
        # Handed over from the in-process server, repeated headers are
        # joined; from a server of its own they come one by one.
        self.assertEqual(browser.headers['X-Shop'], 'one, two')
        server = Server(jsapp.application)
        try:
            browser.open(server.url + '/missing')
        except urllib.error.HTTPError:
            pass
        finally:
            server.stop()
        self.assertEqual(browser.headers.get_all('X-Shop'), ['one', 'two'])
        browser.raiseHttpErrors = False
        browser.open('http://localhost/missing')
        browser.open('http://localhost/go')
        self.assertEqual(browser.headers['Status'], '200 OK')
        browser.goBack()
        self.assertEqual(browser.headers['Status'], '404 Not Found')

    def test_handleErrors_and_added_headers_are_sent(self):
        shop = real.Browser(wsgi_app=webapp.application)
        try:
            shop.open('http://localhost/headers')
            self.assertIn('X-Zope-Handle-Errors: True', shop.contents)
            self.assertIsInstance(shop.lastRequestSeconds, float)
            shop.handleErrors = False
            shop.addHeader('X-Tea', 'green')
            shop.reload()
            self.assertIn('X-Zope-Handle-Errors: False', shop.contents)
            self.assertIn('X-Tea: green', shop.contents)
        finally:
            shop.close()

    def test_navigation_started_by_execute_is_waited_for(self):
        browser = self.browser
        browser.open('http://localhost/go')
        browser.execute("location.href = '/target?from=execute'")
        self.assertEqual(browser.title, 'Target')
        self.assertIn('from execute', browser.contents)

    def test_title_of_a_text_document_raises_BrowserStateError(self):
        browser = self.browser
        browser.open('http://localhost/echo')
        self.assertFalse(browser.isHtml)
        self.assertTrue(browser.contents.startswith('GET /echo'))
        with self.assertRaisesRegex(BrowserStateError, 'not viewing HTML'):
            browser.title

    def test_execute_returns_json_and_element_handles(self):
        browser = self.browser
        browser.open('http://localhost/onclick')
        self.assertEqual(browser.execute('return arguments[0] + 1', 41), 42)
        self.assertEqual(browser.execute(
            'return [document.title, {a: null}]'), ['onclick', {'a': None}])
        element = browser.execute("return document.getElementById('more')")
        self.assertEqual(element.text_content(), 'More')

    def test_window_is_chromiums_unless_another_size_is_asked_for(self):
        self.browser.open('http://localhost/onclick')
        # Chromium's window: its frame takes some of the height.
        self.assertEqual(self.browser.execute('return innerWidth'), 1280)
        small = real.Browser(wsgi_app=jsapp.application,
                             window_size=(400, 300))
        try:
            small.open('http://localhost/onclick')
            self.assertEqual(small.execute(
                'return [innerWidth, innerHeight]'), [400, 300])
        finally:
            small.close()

    def test_screenshot_is_png_and_written_to_a_path(self):
        self.browser.open('http://localhost/onclick')
        with tempfile.TemporaryDirectory() as directory:
            path = os.path.join(directory, 'shot.png')
            data = self.browser.screenshot(path)
            self.assertEqual(data[:8], b'\x89PNG\r\n\x1a\n')
            with open(path, 'rb') as written:
                self.assertEqual(written.read(), data)


class LifecycleTests(unittest.TestCase):

    layer = CHROMIUM

    def test_close_ends_the_chromium_a_browser_started(self):
        before = chromium_processes()
        browser = real.Browser(args=['--lang=de'])  # cannot share: own one
        started = chromium_processes() - before
        self.assertTrue(started)
        browser.close()
        self.assertEqual(chromium_processes() & started, set())

    def test_a_chromedriver_argument_is_accepted_and_not_needed(self):
        # Playwright drives Chromium itself: code written for a
        # WebDriver-based real browser runs unchanged.
        with real.Browser('http://localhost/onclick',
                          wsgi_app=jsapp.application,
                          chromedriver='/nonexistent/chromedriver') as browser:
            self.assertEqual(browser.url, 'http://localhost/onclick')

    def test_close_twice_is_harmless(self):
        browser = real.Browser()
        browser.close()
        browser.close()

    def test_a_browser_in_the_layer_shares_its_chromium(self):
        before = chromium_processes()
        browser = real.Browser()
        self.assertEqual(chromium_processes() - before, set())
        browser.close()
