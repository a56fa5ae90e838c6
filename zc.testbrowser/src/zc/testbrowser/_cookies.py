"""``browser.cookies``: the cookie jar seen from one URL, as a mapping."""
import collections.abc
import datetime
import time
import urllib.parse

import mechanize
import zope.interface

from zc.testbrowser.interfaces import AlreadyExpiredError
from zc.testbrowser.interfaces import ICookies


def make_jar():
    return mechanize.CookieJar(mechanize.DefaultCookiePolicy())


def _utc(timestamp):
    if timestamp is None:
        return None
    return datetime.datetime.fromtimestamp(timestamp, datetime.timezone.utc)


def _timestamp(expires):
    if expires is None:
        return None
    if isinstance(expires, datetime.datetime):
        if expires.tzinfo is None:
            expires = expires.replace(tzinfo=datetime.timezone.utc)
        return int(expires.timestamp())
    if isinstance(expires, (int, float)):
        return int(expires)
    # An HTTP date, as in a Set-Cookie header.
    parsed = mechanize.str2time(expires)
    if parsed is None:
        raise ValueError(f'unknown date format: {expires!r}')
    return parsed


@zope.interface.implementer(ICookies)
class Cookies(collections.abc.MutableMapping):
    """The cookies of ``jar`` that would be sent to ``url``."""

    def __init__(self, jar, url):
        self._jar = jar
        self.url = url

    def _request(self):
        return mechanize.Request(self.url)

    def _matching(self):
        """Every cookie sent to the URL, the best match of a name first."""
        found = self._jar.cookies_for_request(self._request())
        # Most specific path first, then most specific domain.
        found.sort(key=lambda c: (-len(c.path), -len(c.domain.lstrip('.'))))
        return found

    def _best(self, name):
        for cookie in self._matching():
            if cookie.name == name:
                return cookie
        raise KeyError(name)

    @property
    def strict_domain_policy(self):
        policy = self._jar.get_policy()
        return bool(policy.strict_ns_domain & policy.DomainStrict)

    @strict_domain_policy.setter
    def strict_domain_policy(self, value):
        policy = self._jar.get_policy()
        flags = policy.DomainStrict | policy.DomainRFC2965Match
        if value:
            policy.strict_ns_domain |= flags
        else:
            policy.strict_ns_domain &= ~flags

    # The mapping.

    def __getitem__(self, name):
        return self._best(name).value

    def __iter__(self):
        seen = set()
        for cookie in self._matching():
            if cookie.name not in seen:
                seen.add(cookie.name)
                yield cookie.name

    def __len__(self):
        return sum(1 for _ in self)

    def __setitem__(self, name, value):
        try:
            cookie = self._best(name)
        except KeyError:
            self.create(name, value)
        else:
            cookie.value = value

    def __delitem__(self, name):
        cookie = self._best(name)
        self._jar.clear(cookie.domain, cookie.path, cookie.name)

    def clear(self):
        for cookie in self._matching():
            self._jar.clear(cookie.domain, cookie.path, cookie.name)

    def __repr__(self):
        return f'<{type(self).__name__} for {self.url} {dict(self)!r}>'

    # Extras.

    @property
    def header(self):
        request = self._request()
        self._jar.add_cookie_header(request)
        return request.get_header('Cookie', '')

    __str__ = header.fget

    def forURL(self, url):
        return type(self)(self._jar, url)

    def _info(self, cookie):
        return {
            'name': cookie.name,
            'value': cookie.value,
            'port': cookie.port,
            'domain': cookie.domain,
            'path': cookie.path,
            'secure': cookie.secure,
            'expires': _utc(cookie.expires),
            'comment': cookie.comment,
            'commenturl': cookie.comment_url,
        }

    def getinfo(self, name):
        return self._info(self._best(name))

    def iterinfo(self, name=None):
        for cookie in self._matching():
            if name is None or cookie.name == name:
                yield self._info(cookie)

    def create(self, name, value, domain=None, expires=None, path=None,
               secure=None, comment=None, commenturl=None, port=None):
        request = self._request()
        host = mechanize.effective_request_host(request)
        request_path = urllib.parse.urlsplit(self.url).path or '/'
        if domain is None:
            cookie_domain = host
        else:
            cookie_domain = domain
            bare = domain.lstrip('.')
            if not (host == bare or host.endswith('.' + bare)
                    or ('.' + host).endswith(domain)):
                raise ValueError(f'domain {domain!r} does not match'
                                 f' the host of {self.url}')
        if path is None:
            path = '/'
        elif not request_path.startswith(path):
            raise ValueError(f'path {path!r} does not match {self.url}')
        timestamp = _timestamp(expires)
        if timestamp is not None and timestamp <= time.time():
            raise AlreadyExpiredError(f'cookie {name!r} expired at {expires}')
        for cookie in self._matching():
            if (cookie.name == name and cookie.domain == cookie_domain
                    and cookie.path == path):
                raise ValueError(f'cookie {name!r} already exists for'
                                 f' domain {cookie_domain} path {path}')
        cookie = mechanize.Cookie(
            0, name, value, port, port is not None,
            cookie_domain, domain is not None,
            cookie_domain.startswith('.'), path, True, bool(secure),
            timestamp, timestamp is None, comment, commenturl, {})
        self._jar.set_cookie(cookie)
        if self._best(name) is not cookie:
            self._jar.clear(cookie.domain, cookie.path, cookie.name)
            raise ValueError(f'cookie {name!r} would be hidden by a more'
                             ' specific cookie of the same name')

    def change(self, name, value=None, domain=None, expires=None, path=None,
               secure=None, comment=None, commenturl=None, port=None):
        cookie = self._best(name)
        info = self._info(cookie)
        self._jar.clear(cookie.domain, cookie.path, cookie.name)
        changes = {'value': value, 'domain': domain, 'expires': expires,
                   'path': path, 'secure': secure, 'comment': comment,
                   'commenturl': commenturl, 'port': port}
        for key, new in changes.items():
            if new is not None:
                info[key] = new
        try:
            self.create(name, info['value'],
                        domain=info['domain'] if cookie.domain_specified
                        or domain is not None else None,
                        expires=info['expires'], path=info['path'],
                        secure=info['secure'], comment=info['comment'],
                        commenturl=info['commenturl'], port=info['port'])
        except Exception:
            self._jar.set_cookie(cookie)
            raise

    def clearAll(self):
        self._jar.clear()

    def clearAllSession(self):
        self._jar.clear_session_cookies()
