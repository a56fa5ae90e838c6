"""The real browser's cookies: a mapping over its browser context's jar."""
import collections.abc
import urllib.parse

import zope.interface

from zc.testbrowser.interfaces import ICookies


@zope.interface.implementer(ICookies)
class RealCookies(collections.abc.MutableMapping):
    """The cookies Chromium would send to ``url``, by name.

    Per name the best match counts: the longest path, then the longest
    domain, which is also the order the Cookie header lists them in.
    """

    def __init__(self, context, url):
        self._context = context
        self.url = url

    def _sent(self):
        cookies = self._context.cookies([self.url])
        return sorted(cookies, key=lambda cookie: (
            -len(cookie['path']), -len(cookie['domain'])))

    def _best(self):
        best = {}
        for cookie in self._sent():
            best.setdefault(cookie['name'], cookie)
        return best

    def __getitem__(self, name):
        return self._best()[name]['value']

    def __iter__(self):
        return iter(list(self._best()))

    def __len__(self):
        return len(self._best())

    def __setitem__(self, name, value):
        cookie = self._best().get(name)
        if cookie is None:
            parts = urllib.parse.urlsplit(self.url)
            cookie = {'name': name, 'url': f'{parts.scheme}://{parts.netloc}/'}
        else:
            cookie = {key: cookie[key] for key in (
                'name', 'domain', 'path', 'expires', 'httpOnly', 'secure',
                'sameSite')}
        cookie['value'] = value
        self._context.add_cookies([cookie])

    def __delitem__(self, name):
        cookie = self._best()[name]
        self._context.clear_cookies(name=name, domain=cookie['domain'],
                                    path=cookie['path'])

    @property
    def header(self):
        return '; '.join(f"{cookie['name']}={cookie['value']}"
                         for cookie in self._sent())

    def __str__(self):
        return self.header

    def forURL(self, url):
        return type(self)(self._context, url)

    def clearAll(self):
        self._context.clear_cookies()

    def clearAllSession(self):
        for cookie in self._context.cookies():
            if cookie['expires'] == -1:
                self._context.clear_cookies(
                    name=cookie['name'], domain=cookie['domain'],
                    path=cookie['path'])

    def __repr__(self):
        return f'<RealCookies for {self.url}: {dict(self)!r}>'
