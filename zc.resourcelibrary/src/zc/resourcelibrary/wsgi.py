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
from zc.resourcelibrary._files import UNSATISFIABLE
from zc.resourcelibrary._files import FileCache
from zc.resourcelibrary._files import byte_range
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
# The largest page remembered as checked (see ``_valid_page``).
_REMEMBERED_PAGE_SIZE = 1 << 20
# Stands for the request's nonce in cached tags; cannot occur in a nonce.
_NONCE_SLOT = '\0nonce\0'


def _file_chunks(f, start=0, length=None):
    """The file's content, or ``length`` bytes of it from ``start``."""
    with f:
        if length is None:
            yield from iter(lambda: f.read(_CHUNK), b'')
            return
        f.seek(start)
        while length > 0:
            chunk = f.read(min(length, _CHUNK))
            if not chunk:  # the file shrank since it was looked at
                return
            length -= len(chunk)
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


def _call(app, environ, server_start_response, may_be_page):
    """(status, headers, body, send) of the application, nothing buffered.

    ``send(status, headers)`` starts the response with the server; after
    it, the application's own ``start_response`` calls go to the server.
    What the application gives to ``write()`` is kept only while
    ``may_be_page(status, headers)``: anything else goes to the server
    at once.

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
        if exc_info is not None and written:
            # The application wrote part of its body: to it, the headers
            # are sent and cannot be replaced (PEP 3333).
            raise exc_info[1].with_traceback(exc_info[2])
        # Nothing was sent yet, so even an error response may replace
        # the headers, as PEP 3333 allows.
        started[:] = [status, headers]
        return write

    def write(data):
        if not sent and may_be_page(*started):
            written.append(data)
        else:
            send(*started)(data)

    def send(status, headers):
        if not sent:
            sent.append(server_start_response(status, headers))
        return sent[0]

    body = app(environ, start_response)
    if started and not written:
        return started[0], started[1], body, send
    if started and type(body) in (list, tuple):
        # All of it is in memory, as a page of known length would be.
        return started[0], started[1], written + list(body), send
    head = []
    iterator = iter(body)
    try:
        while not started:
            chunk = next(iterator)
            if chunk and not started:
                # PEP 3333: only empty chunks may come before the start.
                raise RuntimeError(
                    f'The application {app!r} gave body data before '
                    'starting a response')
            head.append(chunk)
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


def _is_file(environ, body) -> bool:
    """Whether ``body`` is the server's wrapper of a file (which makes no
    page, and which the server may send without reading it)."""
    wrapper = environ.get('wsgi.file_wrapper')
    return isinstance(wrapper, type) and isinstance(body, wrapper)


# Encodings in which every ASCII byte stands for its ASCII character, so
# that markup can be found and inserted without decoding the page.
_ASCII_COMPATIBLE = frozenset(
    ['utf-8', 'ascii', 'latin-1']
    + [f'iso8859-{n}' for n in range(1, 17)]
    + [f'cp125{n}' for n in range(9)])


@functools.lru_cache(maxsize=64)
def _byte_handling(charset: str) -> tuple[bool, bool]:
    """(ASCII-compatible?, every byte sequence valid?) of ``charset``."""
    try:
        name = codecs.lookup(charset).name
    except LookupError:
        return False, False
    if name not in _ASCII_COMPATIBLE:
        return False, False
    try:
        bytes(range(256)).decode(name)
    except UnicodeDecodeError:
        return True, False
    return True, True


def _charset_of(content_type: str) -> str:
    for parameter in content_type.split(';')[1:]:
        name, _, value = parameter.partition('=')
        if name.strip().lower() == 'charset':
            return value.strip().strip('"\'') or 'utf-8'
    return 'utf-8'


@functools.lru_cache(maxsize=256)
def _page_type(content_type: str, xhtml: bool):
    """(charset, ASCII-compatible?, always valid?) of pages of this type
    that get tags."""
    if not core.is_processable(content_type, xhtml=xhtml):
        return None
    charset = _charset_of(content_type)
    return (charset, *_byte_handling(charset))


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
    # A policy only reported on is extended too: our tags are no
    # violation of it; and it stands for the application's policy, so no
    # enforced one is added next to it.
    policies = [i for i, (name, _) in enumerate(headers)
                if name.lower() in ('content-security-policy',
                                    'content-security-policy-report-only')]
    if not policies:
        if generated:
            headers.append(('Content-Security-Policy',
                            _csp.new_policy(nonce)))
        return
    for i in policies:
        name, policy = headers[i]
        headers[i] = (name, _csp.add_nonce(policy, nonce))


def _close(body):
    if hasattr(body, 'close'):
        body.close()


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
    ``check_encoding``
        True (the default): a page that is not valid text in its charset
        is left alone.  False: pages in ASCII-compatible charsets get tags
        without that check, which costs about as much as decoding the
        page (for an application trusted to encode its pages).
    """

    def __init__(self, app, prefix: str = '/@@/', registry=None, *,
                 versioned: bool = False, integrity: bool = False,
                 crossorigin: str = 'anonymous', csp_nonce: bool = False,
                 nonce_key: str = NONCE_KEY, html5: bool = False,
                 scripts_at_end: bool = False, preload: bool = False,
                 any_head: bool = False, xhtml: bool = False,
                 max_age: int = 3600, recheck: float = 1.0,
                 check_encoding: bool = True) -> None:
        if not (prefix.startswith('/') and prefix.endswith('/')
                and len(prefix) > 1):
            # "/" alone would take every request for a file.
            raise ValueError(
                'prefix must start and end with "/" and name a path in '
                f'between, got {prefix!r}')
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
        self.check_encoding = check_encoding
        self.files = FileCache()
        self._paths: dict[tuple[str, str], str] = {}
        self._tags: dict[tuple, _Tags] = {}
        # An application that serves a page from memory (a static index
        # page, say) gives the same bytes object every time: bytes do not
        # change, so one check is enough for it.
        self._valid_page: tuple[bytes, str] | None = None

    @property
    def registry(self):
        # Through the module at call time, like every other lookup.
        if self._registry is None:
            return resourcelibrary.library_info
        return self._registry

    def __call__(self, environ, start_response):
        path = environ.get('PATH_INFO', '')
        # Files are only read: a form posted to a URL under the prefix is
        # the application's business.
        if path.startswith(self.prefix) and \
                environ.get('REQUEST_METHOD', 'GET') in ('GET', 'HEAD'):
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
            status, headers, body, send = _call(
                self.app, environ, start_response,
                lambda status, headers: self._page_charset(
                    environ, status, headers, ()) is not None)
            in_memory = isinstance(body, (list, tuple))
            page = None
            if needed or not in_memory:
                page = self._page_charset(environ, status, headers, body)
            if page is not None and not (in_memory
                                         or _is_file(environ, body)):
                # A page of known length still to be made (a generator,
                # say) may need libraries while it is made: it is read
                # while needs are still collected.  Nothing read, nothing
                # sent: a server would count one empty chunk as a length.
                content = self._read(body)
                body = [content] if content else []
            if page is not None and needed:
                status, headers, body = self._process(
                    environ, status, headers, body, needed, nonce,
                    generated, *page)
        finally:
            resourcelibrary.needed.reset(token)
        send(status, headers)
        return body

    # Pages

    def _page_charset(self, environ, status, headers, body):
        """(charset, ASCII-compatible?, always valid?) of a page that may
        get tags.

        None for anything else (other types, encoded, streamed), which
        passes through untouched and unbuffered.
        """
        # HEAD is not special: an application that gives the page for
        # it gets the headers the page gets with GET; one that gives an
        # empty body keeps its own.
        if status[:3] in _NO_BODY:
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

    def _join(self, body) -> bytes:
        try:
            return b''.join(body)
        except TypeError as error:
            raise TypeError(
                f'The application {self.app!r} gave a body that is not '
                f'bytes ({error}); WSGI bodies are bytes') from error

    def _read(self, body) -> bytes:
        """All of ``body``, which is closed."""
        try:
            return self._join(body)
        finally:
            _close(body)

    def _process(self, environ, status, headers, body, needed, nonce,
                 generated, charset, as_bytes, always_valid):
        # The page is in memory.  It goes on as it came when it gets no
        # tags (and is closed by the server then).
        try:
            content = self._join(body)
        except TypeError:
            _close(body)
            raise
        unchanged = body
        try:
            tags = self._tags_for(environ, needed, charset, as_bytes)
        except RuntimeError:
            if _throws(environ):
                _close(body)
                raise
            log.exception('Resource libraries not inserted into %s',
                          webob.Request(environ).url)
            return status, headers, unchanged
        new_content = self._inject(content, charset, as_bytes,
                                   always_valid, tags, nonce)
        if new_content is content:
            if not content and environ.get('REQUEST_METHOD') == 'HEAD':
                # An empty answer to HEAD (WebOb's) with the length of the
                # page GET gets, which may get tags: no length at all is
                # better than a wrong one (RFC 9110 forbids that).
                headers = [(name, value) for name, value in headers
                           if name.lower() != 'content-length']
            return status, headers, unchanged
        _close(body)
        headers = [(name, value) for name, value in headers
                   if name.lower() != 'content-length']
        headers.append(('Content-Length', str(len(new_content))))
        if self.preload:
            headers.extend(tags.links)
        if nonce is not None:
            _add_nonce(headers, nonce, generated is not None)
        return status, headers, [new_content]

    def _inject(self, content, charset, as_bytes, always_valid, tags,
                nonce):
        """The page with ``tags``; ``content`` itself when it has no place
        or is not valid text in its charset."""
        if not tags.head and not tags.end:
            return content
        head, end = tags.head, tags.end
        if as_bytes:
            # Decoding and encoding a 100 KB page of real (non-ASCII) text
            # costs hundreds of microseconds; the bytes around the tags
            # stay exactly as they were anyway.  Whether the page is text
            # in its charset at all is still checked (decoding without
            # keeping the result): a page that is not is left alone.
            if self.check_encoding and not (always_valid
                                            or content.isascii()):
                remembered = self._valid_page
                if remembered is None or remembered[0] is not content \
                        or remembered[1] != charset:
                    try:
                        content.decode(charset)
                    except UnicodeDecodeError:
                        return content
                    if len(content) <= _REMEMBERED_PAGE_SIZE:
                        self._valid_page = (content, charset)
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
            # The page's own text was decoded from this charset, so only
            # the tags (a host name, say) could fail to encode.
            new_body = new_body.encode(charset, 'xmlcharrefreplace')
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
        try:
            # WSGI gives the path's bytes as Latin-1; the tags quote UTF-8.
            name = name.encode('latin-1').decode('utf-8')
        except UnicodeError:
            return self._error(start_response, '404 Not Found')
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
        headers.append(('Accept-Ranges', 'bytes'))
        part = self._range(environ, found)
        if part is UNSATISFIABLE:
            return self._error(
                start_response, '416 Range Not Satisfiable',
                [('Content-Range', f'bytes */{found.size}')])
        if part is not None:
            first, last = part
            headers += [('Content-Range',
                         f'bytes {first}-{last}/{found.size}'),
                        ('Content-Length', str(last - first + 1))]
            start_response('206 Partial Content', headers)
            if method == 'HEAD':
                return []
            return _file_chunks(open(found.path, 'rb'), first,
                                last - first + 1)
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
    def _range(environ, found):
        """What of the file a Range request gets, see ``byte_range``."""
        header = environ.get('HTTP_RANGE')
        if not header:
            return None
        if_range = environ.get('HTTP_IF_RANGE', '').strip()
        # A range of another version of the file would be garbage: only
        # the current one's (strong) ETag or date gets a part.
        if if_range and if_range not in (found.etag, found.last_modified):
            return None
        return byte_range(header, found.size)

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
