"""The real browser: the shared page model on a live document in Chromium."""
import http.client
import itertools
import time
import urllib.error
import urllib.parse

import zope.interface

from zc.testbrowser import _chromium
from zc.testbrowser import _controls
from zc.testbrowser import _livepage
from zc.testbrowser._browser import _pystones_per_second
from zc.testbrowser._realcookies import RealCookies
from zc.testbrowser._wsgiserver import Server
from zc.testbrowser.interfaces import BrowserStateError
from zc.testbrowser.interfaces import IHeaders
from zc.testbrowser.interfaces import IRealBrowser
from zc.testbrowser.page import build_page
from zc.testbrowser.page import normalize

_tokens = itertools.count(1)

# How often waitFor asks the page again.
_POLL_SECONDS = 0.02

CONTENTS = '''() => {
  const type = document.contentType;
  if (type.includes('html')) {
    const doctype = document.doctype
      ? new XMLSerializer().serializeToString(document.doctype) + '\\n' : '';
    return [type, doctype + document.documentElement.outerHTML];
  }
  if (type.startsWith('text/') || type.endsWith('json')
      || type.endsWith('javascript')) {
    // Chromium shows a text document in a <pre>.
    const pre = document.body && document.body.querySelector('pre');
    return [type, (pre || document.documentElement).textContent];
  }
  if (type.endsWith('xml')) {
    return [type, new XMLSerializer().serializeToString(document)];
  }
  return [type, null];
}'''

EXECUTE = '''([body, args]) => (new Function(body)).apply(null, args)'''

POST = '''([url, pairs]) => {
  // open() sends no Referer, as with the other browsers.
  const policy = document.createElement('meta');
  policy.name = 'referrer';
  policy.content = 'no-referrer';
  (document.head || document.documentElement).appendChild(policy);
  const form = document.createElement('form');
  form.method = 'post';
  form.action = url;
  for (const [name, value] of pairs) {
    const input = document.createElement('input');
    input.type = 'hidden';
    input.name = name;
    input.value = value;
    form.appendChild(input);
  }
  (document.body || document.documentElement).appendChild(form);
  form.submit();
}'''


class _Entry:
    """A history entry: the main document's response, if it had one."""

    __slots__ = ('response', 'seconds')

    def __init__(self, response, seconds):
        self.response = response
        self.seconds = seconds


@zope.interface.implementer(IRealBrowser, IHeaders)
class Browser(_controls.Finding):
    """A browser running JavaScript: headless Chromium through Playwright.

    ``wsgi_app``: serve this application on an ephemeral 127.0.0.1 port
    for the browser's lifetime; URLs on ``http://localhost`` (no port) then
    reach it, as with the WSGI browser.  ``window_size``: Chromium's window
    is 1280x1024; another size given here becomes the page's viewport.
    ``chromedriver`` is accepted for code written for a WebDriver-based
    real browser and not used: Playwright talks to Chromium directly.
    """

    base = None
    raiseHttpErrors = True
    lastRequestSeconds = None
    timeout = 30

    def __init__(self, url=None, *, wsgi_app=None, chromium=None,
                 chromedriver=None, headless=True, timeout=30,
                 window_size=_chromium.WINDOW_SIZE, args=()):
        self.timeout = timeout
        self._history = []
        self._current = None
        self._generation = 0
        self._token = None
        self._main_response = None
        self._handle_errors = True
        self._extra_headers = {}
        self._server = None
        self._context = None
        shared = _chromium.shared()
        if shared is not None and shared.fits(chromium, headless, args):
            self._chromium, self._own_chromium = shared, False
        else:
            self._chromium = _chromium.Chromium(chromium, headless, args)
            self._own_chromium = True
        try:
            if tuple(window_size) == _chromium.WINDOW_SIZE:
                size = {'no_viewport': True}
            else:
                width, height = window_size
                size = {'viewport': {'width': width, 'height': height}}
            self._options = dict(
                extra_http_headers=self._headers_to_send(), **size)
            self._page = self._chromium.new_page(**self._options)
            self._context = self._page.context
            self._context.set_default_timeout(timeout * 1000)
            if wsgi_app is not None:
                self._server = Server(wsgi_app)
                self._context.route('http://localhost/**', self._to_server)
            self._page.on('response', self._on_response)
            self._page.on('dialog', _accept)
        except BaseException:
            self.close()
            raise
        if url is not None:
            self.open(url)

    # Life cycle.

    def close(self):
        """Close the browser context; stop what this browser started."""
        context, self._context = self._context, None
        try:
            # After the layer's tear-down the context went with Chromium.
            if context is not None and self._chromium.running:
                context.close()
        finally:
            if self._server is not None:
                self._server.stop()
                self._server = None
            if self._own_chromium:
                self._chromium.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def _to_server(self, route):
        # Fetched and handed back, so that Chromium takes the response
        # (and its cookies) as coming from http://localhost.  The Host is
        # the requested one too: URLs the application builds from it must
        # stay on the page's origin.
        parts = urllib.parse.urlsplit(route.request.url)
        headers = route.request.all_headers()
        headers['host'] = parts.netloc
        response = route.fetch(
            url=self._server.url + _path(parts),
            headers=headers, max_redirects=0)
        location = response.headers.get('location')
        if location is None or not 300 <= response.status < 400:
            route.fulfill(response=response)
            return
        # Playwright does not route the request that follows a redirect:
        # one to http://localhost would reach nothing, so it is sent to
        # the server's own address.
        target = urllib.parse.urlsplit(
            urllib.parse.urljoin(route.request.url, location))
        if (target.scheme, target.netloc) == (parts.scheme, parts.netloc):
            location = self._server.url + _path(target)
        route.fulfill(response=response,
                      headers={**response.headers, 'location': location})

    # Headers sent.

    @property
    def handleErrors(self):
        return self._handle_errors

    @handleErrors.setter
    def handleErrors(self, value):
        self._handle_errors = bool(value)
        self._send_headers()

    def _headers_to_send(self):
        headers = {'X-Zope-Handle-Errors': str(self._handle_errors)}
        headers.update(self._extra_headers.values())
        return headers

    def _send_headers(self):
        self._context.set_extra_http_headers(self._headers_to_send())

    def addHeader(self, key, value):
        if key.lower() in ('cookie', 'cookie2') and self._current is not None \
                and len(self.cookies):
            raise ValueError('cookies are already set in `cookies` attribute')
        self._extra_headers[key.lower()] = (key, value)
        self._send_headers()

    # Reading.

    def _entry(self):
        if self._current is None:
            raise BrowserStateError('no page opened yet')
        self._sync()
        return self._current

    @property
    def url(self):
        if self._current is None:
            return None
        self._sync()
        return self._page.url

    def _contents(self):
        if self._current is None:
            return None, None
        self._sync()
        return self._page.evaluate(CONTENTS)

    @property
    def contents(self):
        media_type, text = self._contents()
        if media_type is not None and text is None:
            raise BrowserStateError(
                f'cannot show the contents of a {media_type} document')
        return text

    @property
    def isHtml(self):
        if self._current is None:
            return False
        self._sync()
        return 'html' in self._page.evaluate('() => document.contentType')

    @property
    def title(self):
        self._entry()
        media_type, title = self._page.evaluate(
            '() => { const title = document.querySelector("title");'
            ' return [document.contentType,'
            ' title ? title.textContent : null]; }')
        if 'html' not in media_type:
            raise BrowserStateError('not viewing HTML')
        return None if title is None else normalize(title)

    @property
    def headers(self):
        response = self._entry().response
        message = http.client.HTTPMessage()
        if response is None:
            raise BrowserStateError('the page came with no response')
        message['Status'] = f'{response.status} {_reason(response)}'
        for header in response.headers_array():
            message[header['name']] = header['value']
        return message

    @property
    def lastRequestPystones(self):
        if self.lastRequestSeconds is None:
            return None
        return self.lastRequestSeconds * _pystones_per_second()

    @property
    def cookies(self):
        if self._current is None:
            raise RuntimeError('no request found')
        return RealCookies(self._context, self.url)

    # Page model.

    def _collect(self):
        """The content type and the Elements (None while the document is
        being left) in one call."""
        media_type, records = self._page.evaluate(
            _livepage.COLLECT, [_livepage.KEY, self._token])
        if records is None:
            return media_type, None
        return media_type, _livepage.elements_from(records)

    def _elements(self):
        return self._collect()[1]

    def _page_model(self):
        if self._current is None:
            raise BrowserStateError('no page opened yet')
        media_type, elements = self._collect()
        if elements is None:
            # A navigation started by page script: show its page.
            self._arrive()
            media_type, elements = self._collect()
        if 'html' not in media_type:
            raise BrowserStateError('not viewing HTML')
        return build_page(
            elements, self._page.url, 'utf-8',
            page_factory=lambda *args: _livepage.LivePage(self, *args))

    def _act(self, handle, action, argument=None):
        try:
            return self._page.evaluate(
                _livepage.ACT, [_livepage.KEY, handle, action, argument])
        except Exception as error:
            if _navigated(error):
                return 'gone'
            raise

    def _element_handle(self, element):
        found = self._page.evaluate_handle(
            '([key, id]) => { const state = document[key];'
            ' const node = state && state.ids.get(id);'
            ' return node && node.isConnected ? node : null; }',
            [_livepage.KEY, element.handle])
        return found.as_element()

    def _mouse_click(self, x, y):
        self._page.mouse.click(x, y)

    def _submit(self, page, form, submitter, coord):
        page.submit(form, submitter, coord)

    # Navigating.

    def _resolve(self, url):
        if urllib.parse.urlsplit(url).scheme in ('http', 'https'):
            return url
        if self.base is not None:
            return urllib.parse.urljoin(self.base, url)
        if self._current is None:
            raise BrowserStateError("can't fetch relative reference: not"
                                    ' viewing any document')
        return urllib.parse.urljoin(
            self._page.evaluate('() => document.baseURI'), url)

    def open(self, url, data=None):
        url = self._resolve(url)
        if data is None:
            self._navigate(lambda: self._page.goto(url))
            return
        if isinstance(data, bytes):
            data = data.decode('utf-8')
        if isinstance(data, str):
            pairs = urllib.parse.parse_qsl(data, keep_blank_values=True)
        elif hasattr(data, 'items'):
            pairs = list(data.items())
        else:
            pairs = list(data)
        pairs = [[str(name), str(value)] for name, value in pairs]

        def post():
            self._start_navigation(POST, [url, pairs])
            self._wait_for_document()
        self._navigate(post)

    def post(self, url, data, content_type=None):
        """POST ``data`` (str or bytes) with ``content_type``.

        Chromium cannot be told to POST a navigation, so it GETs and the
        request is changed on its way out.
        """
        url = self._resolve(url)
        if isinstance(data, str):
            data = data.encode('utf-8')
        headers = {'content-type': content_type
                   or 'application/x-www-form-urlencoded'}

        def as_post(route):
            route.fallback(method='POST', post_data=data,
                           headers={**route.request.headers, **headers})

        def this_url(address):
            return address == url
        self._page.route(this_url, as_post, times=1)
        try:
            self._navigate(lambda: self._page.goto(url))
        finally:
            self._page.unroute(this_url, as_post)

    def reload(self):
        self._entry()
        self._navigate(lambda: self._page.reload(), replace=True)

    def goBack(self, count=1):
        self._entry()
        if count > len(self._history):
            raise BrowserStateError('already at start of history')
        start = time.perf_counter()
        self._start_navigation('(count) => history.go(-count)', count)
        self._wait_for_document()
        for _ in range(count):
            entry = self._history.pop()
        self.lastRequestSeconds = time.perf_counter() - start
        self._current = entry
        self._adopt()

    def wait(self):
        """Wait for a navigation that page script started to finish."""
        if self._current is not None and self._leaving():
            self._arrive()

    def waitFor(self, js_expression, timeout=None):
        """Wait until the JavaScript expression is true.

        Polled from here, each time evaluated as ``execute`` evaluates:
        Playwright's own ``wait_for_function`` runs the expression through
        the page's ``eval``, which a Content-Security-Policy without
        'unsafe-eval' refuses.
        """
        seconds = self.timeout if timeout is None else timeout
        deadline = time.monotonic() + seconds
        while not self._true_now(js_expression):
            if time.monotonic() >= deadline:
                raise BrowserStateError(
                    f'{js_expression!r} still false after {seconds} s')
            time.sleep(_POLL_SECONDS)
        self._sync()

    def _true_now(self, js_expression):
        """Whether the expression is truthy; false while a page loads."""
        try:
            value = self._page.evaluate_handle(js_expression)
            try:
                return value.evaluate('(value) => !!value')
            finally:
                value.dispose()
        except Exception as error:
            if _navigated(error):
                return False
            raise

    def execute(self, js, *args):
        """Run ``js`` as a function body with ``arguments``; its result
        as JSON values, DOM nodes as element handles."""
        result = self._page.evaluate_handle(EXECUTE, [js, list(args)])
        element = result.as_element()
        if element is not None:
            return element
        value = result.json_value()
        result.dispose()
        self._settle()
        return value

    def screenshot(self, path=None):
        """PNG bytes of the window, also written to ``path`` when given."""
        data = self._page.screenshot()
        if path is not None:
            with open(path, 'wb') as file:
                file.write(data)
        return data

    # Navigation machinery.

    def _on_response(self, response):
        if (response.frame == self._page.main_frame
                and response.request.is_navigation_request()):
            self._main_response = response
        if not self._own_chromium:
            # The layer's Chromium serves the next test's Browser too:
            # have its page made while this one loads (see prepare).
            self._chromium.prepare(**self._options)

    def _navigate(self, go, replace=False):
        start = time.perf_counter()
        try:
            go()
        except Exception as error:
            if 'net::' in str(error) or 'Timeout' in type(error).__name__:
                raise BrowserStateError(str(error).splitlines()[0]) from None
            raise
        finally:
            self.lastRequestSeconds = time.perf_counter() - start
        self._arrived(replace)

    def _arrive(self):
        """Wait for the document a click or script is loading."""
        self._navigate(self._wait_for_document)

    def _arrived(self, replace=False):
        entry = _Entry(self._main_response, self.lastRequestSeconds)
        if self._current is not None and not replace:
            self._history.append(self._current)
        self._current = entry
        self._adopt()
        response = entry.response
        if response is not None and response.status >= 400 \
                and self.raiseHttpErrors:
            raise urllib.error.HTTPError(
                self._page.url, response.status, _reason(response),
                self.headers, None)

    def _adopt(self):
        # Responses from now on belong to the next document.
        self._main_response = None
        self._generation += 1
        self._token = next(_tokens)
        self._page.evaluate(_livepage.ADOPT, [_livepage.KEY, self._token])

    def _start_navigation(self, script, arg):
        """Run page script that navigates: the page may be gone before
        Chromium answers the call, which is what was asked for."""
        try:
            self._page.evaluate(script, arg)
        except Exception as error:
            if not _navigated(error):
                raise

    def _wait_for_document(self):
        """Until a document that is not the adopted one has loaded."""
        self._page.wait_for_function(
            '([key, token]) => (!document[key] || document[key].token'
            ' !== token) && document.readyState === "complete"',
            arg=[_livepage.KEY, self._token], polling=20,
            timeout=self.timeout * 1000)

    def _leaving(self):
        """Whether the document shown is not (or soon not) the adopted one."""
        try:
            return self._page.evaluate(
                '([key, token]) => !document[key] || document[key].token'
                ' !== token || document[key].leaving',
                [_livepage.KEY, self._token])
        except Exception as error:
            if _navigated(error):
                return True
            raise

    def _settle(self):
        """After an action: wait for a navigation it started, if any.

        A click's navigation is scheduled, not immediate: two turns of the
        page's event loop let it start.
        """
        try:
            leaving = self._page.evaluate(
                '([key, token]) => new Promise((done) => setTimeout(() =>'
                ' setTimeout(() => done(!document[key]'
                ' || document[key].token !== token'
                ' || document[key].leaving), 0), 0))',
                [_livepage.KEY, self._token])
        except Exception as error:
            if not _navigated(error):
                raise
            leaving = True
        if leaving:
            self._arrive()

    def _sync(self):
        """Catch up with a navigation page script made on its own."""
        if self._leaving():
            self._arrive()


def _path(parts):
    """Path, query and fragment of split URL ``parts``."""
    return urllib.parse.urlunsplit(('', '', parts.path, parts.query,
                                    parts.fragment))


def _accept(dialog):
    """Say OK to alert, confirm and prompt (with its default answer)."""
    dialog.accept(dialog.default_value)


def _reason(response):
    return response.status_text or http.client.responses.get(
        response.status, '')


def _navigated(error):
    """Whether a Playwright error says the document went away."""
    text = str(error)
    return ('Execution context was destroyed' in text
            or 'navigat' in text.lower())
