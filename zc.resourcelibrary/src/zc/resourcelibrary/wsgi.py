"""WSGI middleware: ``need()`` for any WSGI application.

``ResourceLibraryMiddleware`` collects, per request, the libraries the
wrapped application needs, inserts their tags into its HTML responses and
serves the libraries' files under a prefix (``/@@/`` by default, as Zope
does).  Options beyond the original, all off by default: cache-busting
URLs, Subresource Integrity, CSP nonces, HTML5 tags, scripts at the end of
``<body>`` and a ``Link: rel=preload`` header.
"""
from __future__ import annotations

import codecs
import email.utils
import functools
import logging
import secrets
import time
from typing import NamedTuple
from urllib.parse import quote

import webob
from zope.interface import implementer

from zc.resourcelibrary import _csp
from zc.resourcelibrary import core
from zc.resourcelibrary import resourcelibrary
from zc.resourcelibrary._files import FileCache
from zc.resourcelibrary.interfaces import IResourceLibraryMiddleware

__all__ = ['ResourceLibraryMiddleware', 'NEEDED_KEY', 'NONCE_KEY']

#: The environ key under which the request's list of needs is exposed.
NEEDED_KEY = 'zc.resourcelibrary.needed'
#: The default environ key of the CSP nonce.
NONCE_KEY = 'csp.nonce'

log = logging.getLogger(__name__)

_FAR_FUTURE = 'public, max-age=31536000, immutable'
_NO_BODY = ('204', '304')
_CHUNK = 1 << 16
_TAG_CACHE_SIZE = 1024
# Stands for the request's nonce in cached tags; cannot occur in a nonce.
_NONCE_SLOT = '\0nonce\0'


def _file_chunks(f):
    with f:
        for chunk in iter(lambda: f.read(_CHUNK), b''):
            yield chunk


class _Rest:
    """The application's body after the chunks read to get its headers."""

    def __init__(self, head, iterator, iterable):
        self._head = head
        self._iterator = iterator
        self._iterable = iterable

    def __iter__(self):
        yield from self._head
        yield from self._iterator

    def close(self):
        if hasattr(self._iterable, 'close'):
            self._iterable.close()


def _call(app, environ, server_start_response):
    """(status, headers, body, send) of the application, nothing buffered.

    ``send(status, headers)`` starts the response with the server; after
    it, the application's own ``start_response`` calls go to the server.

    WebOb's ``Request.get_response`` would read a generator to its end
    when the application starts the response only on the first
    iteration; here only the chunks up to that point are read.
    """
    started = []
    written = []
    sent = []

    def start_response(status, headers, exc_info=None):
        if sent:
            # A streamed body failing after the headers went out: the
            # server decides (it re-raises the error).
            return server_start_response(status, headers, exc_info)
        # Nothing was sent yet, so even an error response may replace
        # the headers, as PEP 3333 allows.
        started[:] = [status, headers]
        return written.append

    def send(status, headers):
        sent.append(True)
        return server_start_response(status, headers)

    body = app(environ, start_response)
    if started and not written:
        return started[0], started[1], body, send
    head = []
    iterator = iter(body)
    try:
        while not started:
            head.append(next(iterator))
    except StopIteration:
        pass
    except BaseException:
        if hasattr(body, 'close'):
            body.close()
        raise
    if not started:
        raise RuntimeError(
            f'The application {app!r} returned without starting a response')
    return (started[0], started[1], _Rest(written + head, iterator, body),
            send)


# Encodings in which every ASCII byte stands for its ASCII character, so
# that markup can be found and inserted without decoding the page.
_ASCII_COMPATIBLE = frozenset(
    ['utf-8', 'ascii', 'latin-1']
    + [f'iso8859-{n}' for n in range(1, 17)]
    + [f'cp125{n}' for n in range(9)])


@functools.lru_cache(maxsize=64)
def _ascii_compatible(charset: str) -> bool:
    try:
        return codecs.lookup(charset).name in _ASCII_COMPATIBLE
    except LookupError:
        return False


def _charset_of(content_type: str) -> str:
    for parameter in content_type.split(';')[1:]:
        name, _, value = parameter.partition('=')
        if name.strip().lower() == 'charset':
            return value.strip().strip('"\'') or 'utf-8'
    return 'utf-8'


@functools.lru_cache(maxsize=256)
def _page_type(content_type: str, xhtml: bool):
    """(charset, ASCII-compatible?) of pages of this type that get tags."""
    if not core.is_processable(content_type, xhtml=xhtml):
        return None
    charset = _charset_of(content_type)
    return charset, _ascii_compatible(charset)


class _Tags(NamedTuple):
    """The tags for one set of needs, and what they were made from."""
    sources: tuple    # (name, LibraryInfo, required, included) per library
    found: tuple      # ((library, file), LibraryFile), for digests
    checked: list     # [time.monotonic(), FileCache.generation] of the
    #                   last look at ``found``
    head: str | bytes
    end: str | bytes  # scripts placed at the end of <body>
    links: tuple      # the ('Link', value) preload header, if any


def _add_nonce(headers, nonce, generated):
    """Put ``nonce`` into the Content-Security-Policy headers, in place."""
    policies = [i for i, (name, _) in enumerate(headers)
                if name.lower() == 'content-security-policy']
    if not policies:
        if generated:
            headers.append(('Content-Security-Policy',
                            _csp.new_policy(nonce)))
        return
    for i in policies:
        name, policy = headers[i]
        headers[i] = (name, _csp.add_nonce(policy, nonce))


def _throws(environ) -> bool:
    return (environ.get('wsgi.handleErrors', True) is False
            or bool(environ.get('paste.throw_errors')))


@implementer(IResourceLibraryMiddleware)
class ResourceLibraryMiddleware:
    """Wrap ``app`` so that pages get the tags of what they ``need()``.

    ``prefix`` is the URL path under which library files are served
    (``{prefix}{library}/{file}``); ``registry`` defaults to
    ``resourcelibrary.library_info``.  The keyword options:

    ``versioned``
        URLs carry ``?v=`` and a hash of the file's content; a request with
        the current version is answered with far-future caching.
    ``integrity``
        tags carry ``integrity="sha384-..."`` and ``crossorigin``
        (``crossorigin`` sets its value); needs ``html5``.
    ``csp_nonce``
        tags carry the request's nonce: ``environ[nonce_key]`` when set,
        else a fresh one (then stored there for the application, and on
        pages that get tags the response's Content-Security-Policy header
        is added or extended).
    ``html5``
        one-line ``<script>`` and ``<link rel="stylesheet">`` tags instead
        of the original's ``<style>@import</style>``.
    ``scripts_at_end``
        scripts go before ``</body>``, style sheets stay in ``<head>``.
    ``preload``
        a ``Link: <URL>; rel=preload, ...`` header naming every injected
        file.
    ``any_head``
        also ``<HEAD>`` and heads with attributes get tags.
    ``xhtml``
        also ``application/xhtml+xml`` responses get tags.
    ``max_age``
        Cache-Control max-age (seconds) of unversioned file responses.
    ``recheck``
        with ``versioned`` or ``integrity``, how many seconds a file's
        digest is used in pages before the file is looked at (``stat``)
        again: 0 on every page, ``math.inf`` never (files that change only
        with a restart).  Serving a file always looks at it.
    """

    def __init__(self, app, prefix: str = '/@@/', registry=None, *,
                 versioned: bool = False, integrity: bool = False,
                 crossorigin: str = 'anonymous', csp_nonce: bool = False,
                 nonce_key: str = NONCE_KEY, html5: bool = False,
                 scripts_at_end: bool = False, preload: bool = False,
                 any_head: bool = False, xhtml: bool = False,
                 max_age: int = 3600, recheck: float = 1.0) -> None:
        if not (prefix.startswith('/') and prefix.endswith('/')):
            raise ValueError(
                f'prefix must start and end with "/", got {prefix!r}')
        if integrity and not html5:
            raise ValueError(
                'integrity=True needs html5=True: the original '
                '<style>@import</style> tag for CSS cannot carry it')
        if crossorigin not in ('anonymous', 'use-credentials'):
            raise ValueError(
                'crossorigin must be "anonymous" or "use-credentials", '
                f'got {crossorigin!r}')
        if not (isinstance(recheck, (int, float)) and recheck >= 0):
            raise ValueError(
                'recheck must be a number of seconds, 0 or more, '
                f'got {recheck!r}')
        self.app = app
        self.prefix = prefix
        self._registry = registry
        self.versioned = versioned
        self.integrity = integrity
        self.crossorigin = crossorigin
        self.csp_nonce = csp_nonce
        self.nonce_key = nonce_key
        self.html5 = html5
        self.scripts_at_end = scripts_at_end
        self.preload = preload
        self.any_head = any_head
        self.xhtml = xhtml
        self.max_age = int(max_age)
        self.recheck = recheck
        self.files = FileCache()
        self._paths: dict[tuple[str, str], str] = {}
        self._tags: dict[tuple, _Tags] = {}

    @property
    def registry(self):
        # Through the module at call time, like every other lookup.
        if self._registry is None:
            return resourcelibrary.library_info
        return self._registry

    def __call__(self, environ, start_response):
        path = environ.get('PATH_INFO', '')
        if path.startswith(self.prefix):
            return self._serve(environ, start_response,
                               path[len(self.prefix):])
        needed: list[str] = []
        environ[NEEDED_KEY] = needed
        nonce = generated = None
        if self.csp_nonce:
            nonce = environ.get(self.nonce_key)
            if nonce is None:
                nonce = generated = secrets.token_urlsafe(18)
                environ[self.nonce_key] = nonce
            else:
                _csp.check_nonce(nonce)
        token = resourcelibrary.needed.set(needed)
        try:
            status, headers, body, send = _call(self.app, environ,
                                                start_response)
            # Needs come while rendering, which is done when the
            # application returns a page of known length.
            if needed:
                page = self._page_charset(environ, status, headers, body)
                if page is not None:
                    status, headers, body = self._process(
                        environ, status, headers, body, needed, nonce,
                        generated, *page)
        finally:
            resourcelibrary.needed.reset(token)
        send(status, headers)
        return body

    # Pages

    def _page_charset(self, environ, status, headers, body):
        """(charset, ASCII-compatible?) of a page that may get tags.

        None for anything else (other types, encoded, streamed), which
        passes through untouched and unbuffered.
        """
        if status[:3] in _NO_BODY or \
                environ.get('REQUEST_METHOD') == 'HEAD':
            return None
        content_type = None
        # A page of known length or already in memory; a streamed body
        # (an iterator without Content-Length) is sent as it is produced.
        complete = isinstance(body, (list, tuple))
        for name, value in headers:
            name = name.lower()
            if name == 'content-type':
                content_type = value
            elif name == 'content-length':
                complete = True
            elif name == 'content-encoding':
                return None
        if not complete or content_type is None:
            return None
        return _page_type(content_type, self.xhtml)

    def _process(self, environ, status, headers, body, needed, nonce,
                 generated, charset, as_bytes):
        try:
            content = b''.join(body)
        finally:
            if hasattr(body, 'close'):
                body.close()
        try:
            tags = self._tags_for(environ, needed, charset, as_bytes)
        except RuntimeError:
            if _throws(environ):
                raise
            log.exception('Resource libraries not inserted into %s',
                          webob.Request(environ).url)
            return status, headers, [content]
        new_content = self._inject(content, charset, as_bytes, tags, nonce)
        if new_content is content:
            return status, headers, [content]
        headers = [(name, value) for name, value in headers
                   if name.lower() != 'content-length']
        headers.append(('Content-Length', str(len(new_content))))
        if self.preload:
            headers.extend(tags.links)
        if nonce is not None:
            _add_nonce(headers, nonce, generated is not None)
        return status, headers, [new_content]

    def _inject(self, content, charset, as_bytes, tags, nonce):
        """The page with ``tags``; ``content`` itself when it has no place."""
        if not tags.head and not tags.end:
            return content
        head, end = tags.head, tags.end
        if as_bytes:
            # Decoding and encoding a 100 KB page of real (non-ASCII) text
            # costs hundreds of microseconds; the bytes around the tags
            # stay exactly as they were anyway.
            body = content
            if nonce is not None:
                slot = _NONCE_SLOT.encode('ascii')
                nonce = nonce.encode('ascii')
        else:
            try:
                body = content.decode(charset)
            except (UnicodeDecodeError, LookupError):
                return content
            slot = _NONCE_SLOT
        if nonce is not None:
            head = head.replace(slot, nonce)
            end = end.replace(slot, nonce)
        new_body = core.inject(body, head, end_of_body=end,
                               any_head=self.any_head)
        if new_body is body:
            return content
        if not as_bytes:
            new_body = new_body.encode(charset)
        return new_body

    def _tags_for(self, environ, needed, charset, as_bytes) -> _Tags:
        """The tags of ``needed``, rendered once and then reused.

        The same pages need the same libraries over and over; what they
        were rendered from (the libraries, and the files' digests with
        ``versioned`` or ``integrity``) is checked before reuse.
        """
        registry = self.registry
        get = environ.get
        # What the URL of the files (WebOb's application URL) is made of.
        key = (tuple(needed), charset if as_bytes else None,
               get('wsgi.url_scheme'), get('HTTP_HOST'), get('SERVER_NAME'),
               get('SERVER_PORT'), get('SCRIPT_NAME'))
        tags = self._tags.get(key)
        if tags is not None and self._current(tags, registry):
            return tags
        base = webob.Request(environ).application_url + self.prefix
        tags = self._render(registry, key[0], base, charset, as_bytes)
        # Hosts come from clients: the cache stays bounded.
        if len(self._tags) >= _TAG_CACHE_SIZE:
            self._tags.clear()
        self._tags[key] = tags
        return tags

    def _current(self, tags, registry) -> bool:
        for name, info, required, included in tags.sources:
            if registry.get(name) is not info or info.required != required \
                    or info.included != included:
                return False
        if tags.found:
            # Files are looked at again after ``recheck`` seconds, and as
            # soon as the cache learnt of a change (serving a file does).
            checked = tags.checked
            now = time.monotonic()
            generation = self.files.generation
            if generation != checked[1] or now - checked[0] >= self.recheck:
                for (library, file), found in tags.found:
                    if self._library_file(library, file) != found:
                        return False
                checked[:] = [now, generation]
        return True

    def _render(self, registry, needed, base, charset, as_bytes) -> _Tags:
        checked = [time.monotonic(), self.files.generation]
        libraries = core.resolve(needed, registry)
        # Everything the result depends on, to be compared before reuse.
        sources = {}
        names = list(needed)
        while names:
            name = names.pop()
            if name not in sources:
                info = registry[name]
                sources[name] = (name, info, list(info.required),
                                 list(info.included))
                names.extend(info.required)
        files = [(library, file) for library in libraries
                 for file in registry[library].included]
        found = {}
        if self.versioned or self.integrity:
            for library, file in files:
                found[library, file] = self._library_file(library, file)
        urls = {}

        def url_for(library, file):
            url = base + self._path_of(library, file)
            if self.versioned:
                url += '?v=' + found[library, file].version
            urls[library, file] = url
            return url

        def attributes(library, file):
            extra = {}
            if self.integrity:
                extra['integrity'] = found[library, file].integrity
                extra['crossorigin'] = self.crossorigin
            if self.csp_nonce:
                extra['nonce'] = _NONCE_SLOT
            return extra

        options = dict(registry=registry, attributes=attributes,
                       html5=self.html5)
        if self.scripts_at_end:
            head = core.render_tags(libraries, url_for,
                                    extensions=('.css', '.kss'), **options)
            end = core.render_tags(libraries, url_for, extensions=('.js',),
                                   **options)
        else:
            head = core.render_tags(libraries, url_for, **options)
            end = ''
        if as_bytes:
            head = head.encode(charset, 'xmlcharrefreplace')
            end = end.encode(charset, 'xmlcharrefreplace')
        # One header for all: each header line costs the server as much as
        # the whole list.
        links = ', '.join(self._preload_links(
            registry, [(library, file, urls[library, file])
                       for library, file in files]))
        links = (('Link', links),) if links else ()
        return _Tags(tuple(sources.values()), tuple(found.items()), checked,
                     head, end, links)

    def _path_of(self, library, file):
        key = (library, file)
        path = self._paths.get(key)
        if path is None:
            path = self._paths[key] = (quote(library, safe='') + '/'
                                       + quote(file))
        return path

    def _library_file(self, library, file):
        directory = getattr(self.registry[library], 'directory', None)
        found = directory and self.files.lookup(directory, file,
                                                self.recheck)
        if not found:
            raise RuntimeError(
                f'Resource library "{library}": file "{file}" not found '
                f'in {directory!r}')
        return found

    def _preload_links(self, registry, injected):
        for library, file, url in injected:
            if file.endswith('.js'):
                loading = getattr(registry[library], 'loading', {})
                module = 'module' in loading.get(file, ())
                kind = ('rel=modulepreload' if module
                        else 'rel=preload; as=script')
            elif file.endswith('.css'):
                kind = 'rel=preload; as=style'
            else:
                continue
            link = f'<{url}>; {kind}'
            if self.integrity:
                link += f'; crossorigin={self.crossorigin}'
            yield link

    # Files

    def _serve(self, environ, start_response, name):
        method = environ.get('REQUEST_METHOD', 'GET')
        if method not in ('GET', 'HEAD'):
            return self._error(start_response, '405 Method Not Allowed',
                               [('Allow', 'GET, HEAD')])
        library, _, file = name.partition('/')
        info = self.registry.get(library)
        directory = getattr(info, 'directory', None)
        found = directory and self.files.lookup(directory, file)
        if not found:
            return self._error(start_response, '404 Not Found')
        request = webob.Request(environ)
        headers = [('Content-Type', found.content_type),
                   ('ETag', found.etag),
                   ('Last-Modified', found.last_modified),
                   ('X-Content-Type-Options', 'nosniff')]
        if self.versioned and request.GET.get('v') == found.version:
            headers.append(('Cache-Control', _FAR_FUTURE))
        else:
            headers.append(('Cache-Control',
                            f'public, max-age={self.max_age}'))
        if self._not_modified(environ, found):
            start_response('304 Not Modified', headers)
            return []
        headers.append(('Content-Length', str(found.size)))
        start_response('200 OK', headers)
        if method == 'HEAD':
            return []
        f = open(found.path, 'rb')
        wrapper = environ.get('wsgi.file_wrapper')
        if wrapper is not None:
            return wrapper(f, _CHUNK)
        return _file_chunks(f)

    @staticmethod
    def _not_modified(environ, found) -> bool:
        if_none_match = environ.get('HTTP_IF_NONE_MATCH')
        if if_none_match is not None:
            tags = [t.strip().removeprefix('W/')
                    for t in if_none_match.split(',')]
            return '*' in tags or found.etag in tags
        since = environ.get('HTTP_IF_MODIFIED_SINCE')
        if since:
            try:
                when = email.utils.parsedate_to_datetime(since).timestamp()
            except (TypeError, ValueError, IndexError, OverflowError):
                return False
            return found.mtime <= when
        return False

    @staticmethod
    def _error(start_response, status, headers=()):
        body = status.encode('ascii') + b'\n'
        start_response(status, [('Content-Type', 'text/plain; charset=utf-8'),
                                ('Content-Length', str(len(body))),
                                *headers])
        return [body]
