"""What the WSGI and HTTP browsers share: everything but the transport.

A backend subclass implements ``_send(request, handle_errors)`` and returns
a ``Response``; this module does history, redirects, cookies, errors,
headers, timing and the page model.
"""
import codecs
import email.message
import gzip
import http.client
import time
import urllib.error
import urllib.parse
import zlib

import mechanize
import zope.interface

from zc.testbrowser import _controls
from zc.testbrowser import _forms
from zc.testbrowser import _html
from zc.testbrowser._cookies import Cookies
from zc.testbrowser._cookies import make_jar
from zc.testbrowser.interfaces import BrowserStateError
from zc.testbrowser.interfaces import ITestBrowser

VERSION = '2.0.0.dev0'
USER_AGENT = f'zc.testbrowser/{VERSION}'
MAX_REDIRECTS = 100
_REDIRECTS = frozenset((301, 302, 303, 307, 308))
_TEXTUAL = ('application/xml', 'application/json', 'application/javascript')


class Response:
    """One HTTP response: what a transport hands back."""

    __slots__ = ('status', 'reason', 'headers', 'body', '_media')

    def __init__(self, status, reason, headers, body):
        self.status = status
        self.reason = reason
        self.headers = headers  # (name, value) pairs in received order
        self.body = body
        self._media = None

    @property
    def media(self):
        """(media type, charset parameter) of the Content-Type, or Nones."""
        if self._media is None:
            self._media = _media_type(self.headers)
        return self._media

    def info(self):
        """The headers as a message, for the cookie jar."""
        message = http.client.HTTPMessage()
        for name, value in self.headers:
            message[name] = value
        return message


class _Entry:
    """A history entry: the page shown and the request that made it."""

    __slots__ = ('url', 'response', 'request', 'page', 'seconds')

    def __init__(self, url, response, request, seconds):
        self.url = url
        self.response = response
        self.request = request  # (method, url, body, content type, referer)
        self.page = None
        self.seconds = seconds


def _media_type(headers):
    for name, value in headers:
        if name.lower() == 'content-type':
            message = email.message.Message()
            message['Content-Type'] = value
            return message.get_content_type(), message.get_param('charset')
    return None, None


def _decode_body(headers, body):
    for name, value in headers:
        if name.lower() == 'content-encoding':
            encoding = value.strip().lower()
            if encoding in ('gzip', 'x-gzip'):
                return gzip.decompress(body)
            if encoding == 'deflate':
                try:
                    return zlib.decompress(body)
                except zlib.error:
                    return zlib.decompress(body, -zlib.MAX_WBITS)
    return body


def _known_charset(name):
    """The codec name for charset ``name``, None if unknown or None."""
    if name:
        try:
            return codecs.lookup(name).name
        except LookupError:
            pass
    return None


_pystones_factor = None


def _pystones_per_second():
    """A machine speed factor, measured once with a small pure-Python loop.

    The stdlib pystone module is gone; this loop stands in for it, scaled so
    that the figure is of the order pystone printed.  Approximate.
    """
    global _pystones_factor
    if _pystones_factor is None:
        start = time.perf_counter()
        total = 0
        for i in range(20000):
            total += i % 7
        elapsed = max(time.perf_counter() - start, 1e-9)
        _pystones_factor = 20000 / elapsed / 5
    return _pystones_factor


@zope.interface.implementer(ITestBrowser)
class BaseBrowser(_controls.Finding):
    """A browser without JavaScript; subclasses supply ``_send``."""

    base = None
    handleErrors = True
    raiseHttpErrors = True
    followRedirects = True
    validate = False
    lastRequestSeconds = None

    def __init__(self, url=None):
        self._history = []
        self._current = None
        self._generation = 0
        self._extra_headers = {}
        self._jar = make_jar()
        if url is not None:
            self.open(url)

    # Reading.

    def _entry(self):
        if self._current is None:
            raise BrowserStateError('no page opened yet')
        return self._current

    @property
    def url(self):
        return None if self._current is None else self._current.url

    @property
    def _media(self):
        return self._entry().response.media

    @property
    def isHtml(self):
        if self._current is None:
            return False
        media_type = self._media[0] or ''
        return 'html' in media_type

    @property
    def contents(self):
        if self._current is None:
            return None
        body = self._current.response.body
        media_type, charset = self._media
        media_type = media_type or ''
        if not (media_type.startswith('text/') or media_type.endswith('+xml')
                or media_type in _TEXTUAL):
            return body
        if 'html' in media_type:
            charset = self._charset
        else:
            charset = _known_charset(charset) or 'utf-8'
        try:
            return body.decode(charset)
        except UnicodeDecodeError:
            return body.decode('latin-1')

    @property
    def _charset(self):
        """The HTML page's charset, which its forms submit in too."""
        return (_known_charset(self._media[1])
                or _known_charset(_html.declared_charset(
                    self._current.response.body))
                or 'utf-8')

    def _page_model(self):
        entry = self._entry()
        if not self.isHtml:
            raise BrowserStateError('not viewing HTML')
        if entry.page is None:
            entry.page = _html.ParsedPage(
                self.contents, entry.url, self._charset,
                self._navigate_from_page)
        return entry.page

    @property
    def title(self):
        return self._page_model().title

    @property
    def headers(self):
        response = self._entry().response
        message = http.client.HTTPMessage()
        message['Status'] = f'{response.status} {response.reason}'
        for name, value in response.headers:
            message[name] = value
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
        return Cookies(self._jar, self._current.url)

    def wait(self):
        """Nothing to wait for without JavaScript."""

    # Navigating.

    def _resolve(self, url):
        if urllib.parse.urlsplit(url).scheme in ('http', 'https'):
            return url
        if self.base is not None:
            return urllib.parse.urljoin(self.base, url)
        if self._current is None:
            raise BrowserStateError("can't fetch relative reference: not"
                                    ' viewing any document')
        if self.isHtml:
            return urllib.parse.urljoin(self._page_model().base_url, url)
        return urllib.parse.urljoin(self._current.url, url)

    def open(self, url, data=None):
        url = self._resolve(url)
        if data is None:
            self._navigate('GET', url)
            return
        if isinstance(data, str):
            data = data.encode('utf-8')
        elif not isinstance(data, bytes):
            data = urllib.parse.urlencode(data).encode('ascii')
        self._navigate('POST', url, data,
                       'application/x-www-form-urlencoded')

    def post(self, url, data, content_type=None):
        if isinstance(data, str):
            data = data.encode('utf-8')
        self._navigate('POST', self._resolve(url), data,
                       content_type or 'application/x-www-form-urlencoded')

    def reload(self):
        entry = self._entry()
        method, url, body, content_type, referer = entry.request
        if method == 'GET':
            # The page as shown now: after redirects, with its fragment.
            url = entry.url
        self._navigate(method, url, body, content_type, referer,
                       replace=True)

    def goBack(self, count=1):
        if count > len(self._history):
            raise BrowserStateError('already at start of history')
        for _ in range(count):
            entry = self._history.pop()
        self._generation += 1
        # Forget the parsed state: the restored page shows its own values.
        entry.page = None
        self._current = entry
        self.lastRequestSeconds = entry.seconds

    def addHeader(self, key, value):
        if key.lower() in ('cookie', 'cookie2') and self._current is not None \
                and len(self.cookies):
            raise ValueError('cookies are already set in `cookies` attribute')
        self._extra_headers[key.lower()] = (key, value)

    def _navigate_from_page(self, method, url, body=None, content_type=None):
        """A navigation the page causes: a click or a submission."""
        current = self._entry()
        if method == 'GET' and body is None:
            here = urllib.parse.urldefrag(current.url)[0]
            there, fragment = urllib.parse.urldefrag(url)
            if there == here and fragment:
                # Same document, another fragment: no request.
                current.url = url
                return
        self._navigate(method, url, body, content_type,
                       urllib.parse.urldefrag(current.url)[0])

    def _submit(self, page, form, submitter, coord):
        if self.validate:
            _forms.validate(form, submitter)
        page.submit(form, submitter, coord)

    def _navigate(self, method, url, body=None, content_type=None,
                  referer=None, replace=False):
        request = (method, url, body, content_type, referer)
        start = time.perf_counter()
        try:
            final_url, response = self._fetch(*request)
        finally:
            self.lastRequestSeconds = time.perf_counter() - start
        entry = _Entry(final_url, response, request, self.lastRequestSeconds)
        if self._current is not None and not replace:
            self._history.append(self._current)
        self._current = entry
        self._generation += 1
        if response.status >= 400 and self.raiseHttpErrors:
            raise urllib.error.HTTPError(
                final_url, response.status, response.reason, self.headers,
                None)

    def _fetch(self, method, url, body, content_type, referer):
        for _ in range(MAX_REDIRECTS + 1):
            request = self._request(method, url, body, content_type, referer)
            response = self._send(request, self.handleErrors)
            response.body = _decode_body(response.headers, response.body)
            self._jar.extract_cookies(response, request)
            if not (self.followRedirects and response.status in _REDIRECTS):
                return _with_fragment(request.get_full_url(), url), response
            location = dict((name.lower(), value) for name, value
                            in response.headers).get('location')
            if location is None:
                return _with_fragment(request.get_full_url(), url), response
            referer = urllib.parse.urldefrag(url)[0]
            new_url = urllib.parse.urljoin(url, location.strip())
            if '#' not in new_url and '#' in url:
                new_url += '#' + url.split('#', 1)[1]
            url = new_url
            if response.status not in (307, 308):
                method, body, content_type = 'GET', None, None
        raise BrowserStateError(
            f'redirect loop: more than {MAX_REDIRECTS} redirects, the last'
            f' to {url}')

    def _request(self, method, url, body, content_type, referer):
        """A mechanize Request: quoted URL, default and extra headers."""
        request = mechanize.Request(quote_url(url), data=body, method=method)
        request.add_header('User-Agent', USER_AGENT)
        request.add_header('Connection', 'close')
        if content_type is not None:
            request.add_header('Content-Type', content_type)
        if referer is not None:
            request.add_header('Referer', referer)
        for key, value in self._extra_headers.values():
            request.add_header(key, value)
        self._jar.add_cookie_header(request)
        return request

    def _send(self, request, handle_errors):
        raise NotImplementedError


def _with_fragment(sent, url):
    """The URL as sent, with the fragment of the URL it was made from."""
    fragment = urllib.parse.urldefrag(url)[1]
    return f'{sent}#{fragment}' if fragment else sent


def quote_url(url):
    """Percent-encode spaces and non-ASCII in ``url``; IDNA for the host.

    The fragment is dropped: it is never sent.
    """
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname or ''
    try:
        host.encode('ascii')
    except UnicodeEncodeError:
        host = host.encode('idna').decode('ascii')
    netloc = host
    if parts.port is not None:
        netloc = f'{host}:{parts.port}'
    if parts.username is not None:
        userinfo = parts.username
        if parts.password is not None:
            userinfo += ':' + parts.password
        netloc = f'{userinfo}@{netloc}'
    path = urllib.parse.quote(parts.path or '/', safe="/%:@!$&'()*+,;=~")
    query = urllib.parse.quote(parts.query, safe="/%:@!$&'()*+,;=?~")
    return urllib.parse.urlunsplit(
        (parts.scheme, netloc, path, query, ''))
