"""The framework-neutral logic, shared by the Zope and WSGI integrations.

Which libraries a page gets and in which order (``resolve``), the tags that
reference their files (``render_tags``), where the tags go (``inject``) and
which responses are touched at all (``is_processable``), plus the Python
declaration API ``register``.  Nothing here knows about zope.publisher or
WSGI; both integrations call these functions, so they cannot drift apart.
"""
from __future__ import annotations

import os
import re
from typing import AnyStr, Callable, Iterable, Mapping, NamedTuple

from zope.configuration.exceptions import ConfigurationError

from zc.resourcelibrary import resourcelibrary
from zc.resourcelibrary.resourcelibrary import LibraryInfo

__all__ = ['INCLUDABLE_EXTENSIONS', 'LOADING_TOKENS', 'MARKER', 'register',
           'resolve', 'find_cycle', 'render_tags', 'inject',
           'is_processable']

#: The file kinds a library can reference from pages.
INCLUDABLE_EXTENSIONS = ('.js', '.css', '.kss')

#: Per-script loading attributes ``register(loading=...)`` accepts.
LOADING_TOKENS = ('defer', 'async', 'module')

#: Where a page wants its tags, instead of at the top of ``<head>``.
MARKER = '<!-- zc.resourcelibrary -->'

_SEPARATOR = '\n    '
_PROCESSED_TYPES = ('text/html', 'text/xml')
_XHTML = 'application/xhtml+xml'
_ANY_HEAD = re.compile(r'<head(?:\s[^>]*)?>', re.IGNORECASE)


def _registry(registry):
    # Through the module attribute at call time: rebinding
    # resourcelibrary.library_info must be honoured.
    return resourcelibrary.library_info if registry is None else registry


def _info(registry, name):
    try:
        return registry[name]
    except KeyError:
        raise RuntimeError(f'Unknown resource library: "{name}"') from None


def _cycle_error(path: list[str]) -> RuntimeError:
    chain = ' -> '.join(f'"{name}"' for name in path)
    return RuntimeError(f'Resource library dependency cycle: {chain}')


def resolve(names: Iterable[str], registry=None) -> list[str]:
    """The libraries that contribute tags for the needed ``names``.

    Dependencies come before the libraries needing them, every library
    once, in the order of first need; libraries without files contribute
    only their dependencies.  An unknown name raises ``RuntimeError``, and
    so does a dependency cycle (naming it).  Iterative, so that long
    dependency chains do not hit Python's recursion limit.
    """
    registry = _registry(registry)
    order: list[str] = []
    # False while a library is on the current path, True once it is done.
    done: dict[str, bool] = {}
    for root in names:
        if root in done:
            continue
        done[root] = False
        stack = [(root, iter(_info(registry, root).required))]
        while stack:
            name, dependencies = stack[-1]
            for dependency in dependencies:
                state = done.get(dependency)
                if state is None:
                    done[dependency] = False
                    stack.append((dependency, iter(
                        _info(registry, dependency).required)))
                    break
                if state is False:
                    path = [entry[0] for entry in stack]
                    raise _cycle_error(path[path.index(dependency):]
                                       + [dependency])
            else:
                stack.pop()
                done[name] = True
                if registry[name].included:
                    order.append(name)
    return order


def find_cycle(name: str, registry=None) -> list[str] | None:
    """The first dependency cycle reachable from ``name``, or None.

    Unknown names are ignored here: they are reported on their own.
    The cycle is returned as a path that ends where it starts.
    """
    registry = _registry(registry)
    finished: set[str] = set()
    path = [name]
    on_path = {name}
    pending = [iter(getattr(registry.get(name), 'required', ()))]
    while pending:
        for dependency in pending[-1]:
            if dependency in finished or dependency not in registry:
                continue
            if dependency in on_path:
                return path[path.index(dependency):] + [dependency]
            pending.append(iter(registry[dependency].required))
            path.append(dependency)
            on_path.add(dependency)
            break
        else:
            pending.pop()
            on_path.discard(path[-1])
            finished.add(path.pop())
    return None


def _attributes(attributes: Mapping[str, str | bool]) -> str:
    """Attributes as ``name="value" `` items; True means a bare name."""
    return ''.join(name + ' ' if value is True else f'{name}="{value}" '
                   for name, value in attributes.items() if value)


def _file_lines(url: str, file: str, loading: tuple[str, ...],
                extra: Mapping[str, str], html5: bool) -> list[str]:
    extension = os.path.splitext(file)[1]
    scripts = {'defer': 'defer' in loading, 'async': 'async' in loading}
    if extension == '.js':
        script_type = 'module' if 'module' in loading else 'text/javascript'
        if html5:
            attributes = _attributes({
                'src': url, 'type': 'module' if 'module' in loading else '',
                **scripts, **extra})
            return [f'<script {attributes.rstrip()}></script>']
        # The original's three lines, extras between src and type.
        return [f'<script src="{url}" {_attributes({**scripts, **extra})}',
                f'    type="{script_type}">',
                '</script>']
    if extension == '.css':
        if html5:
            attributes = _attributes({'rel': 'stylesheet', 'href': url,
                                      **extra})
            return [f'<link {attributes}/>']
        if extra.get('integrity'):
            raise ValueError(
                'integrity needs html5 tags: the original <style>@import'
                '</style> tag for CSS cannot carry it')
        nonce = _attributes({'nonce': extra.get('nonce')})
        return [f'<style type="text/css" media="all" {nonce}'.rstrip() + '>',
                '  <!--',
                f'    @import url("{url}");',
                '  -->',
                '</style>']
    if extension == '.kss':
        return [f'<link type="text/kss" href="{url}" '
                'rel="kinetic-stylesheet" />']
    raise NotImplementedError(
        f'Resource library doesn\'t know how to include this file: "{file}"')


def render_tags(libraries: Iterable[str],
                url_for: Callable[[str, str], str], *,
                registry=None,
                extensions: Iterable[str] | None = None,
                attributes: Callable[[str, str], Mapping[str, str]]
                | None = None,
                html5: bool = False) -> str:
    """The tags referencing every file of ``libraries``, in order.

    ``url_for(library, file)`` gives each file's URL.  By default the tags
    are exactly the original's (scripts over three lines, CSS through
    ``<style>@import</style>``), joined by a newline and four spaces.
    ``extensions`` limits the files to those kinds (e.g. ``('.js',)``);
    ``attributes(library, file)`` adds attributes such as ``integrity``,
    ``crossorigin`` and ``nonce``; ``html5`` renders one-line
    ``<script>`` and ``<link rel="stylesheet">`` tags instead.  Scripts
    also get the loading attributes registered for them.
    """
    registry = _registry(registry)
    if extensions is not None:
        extensions = tuple(extensions)
    lines: list[str] = []
    for library in libraries:
        info = registry[library]
        # Registries filled by other code may hold objects with only the
        # two documented attributes.
        loading = getattr(info, 'loading', {})
        for file in info.included:
            if (extensions is not None
                    and os.path.splitext(file)[1] not in extensions):
                continue
            extra = attributes(library, file) if attributes else {}
            lines.extend(_file_lines(url_for(library, file), file,
                                     loading.get(file, ()), extra, html5))
    return _SEPARATOR.join(lines)


class _Markup(NamedTuple):
    """What ``inject`` looks for and adds, as str or as bytes."""
    marker: str | bytes
    head: str | bytes
    end_of_body: str | bytes
    rare: str | bytes
    separator: str | bytes
    newline: str | bytes
    empty: str | bytes
    any_head: re.Pattern


_TEXT = _Markup(MARKER, '<head>', '</body>', 'z', _SEPARATOR, '\n', '',
                _ANY_HEAD)
_BYTES = _Markup(*(part.encode('ascii') for part in _TEXT[:-1]),
                 re.compile(_ANY_HEAD.pattern.encode('ascii'), re.IGNORECASE))

# Finding the marker with str.find costs about 0.6 us per KB of HTML: its
# characters are everywhere in markup, so the search skips little.  Its
# 'z' is rare, and single characters are found at memory speed.
_RARE_AT = MARKER.index('z')
_CANDIDATES = 64


def _find_marker(body, markup=_TEXT) -> int:
    position = body.find(markup.rare)
    for _ in range(_CANDIDATES):
        if position < 0:
            return -1
        if body.startswith(markup.marker, position - _RARE_AT):
            return position - _RARE_AT
        position = body.find(markup.rare, position + 1)
    # A page full of z's: the plain search is the faster one then.
    return body.find(markup.marker, max(position - _RARE_AT, 0))


def inject(body: AnyStr, tags: AnyStr, *, end_of_body: AnyStr | None = None,
           any_head: bool = False) -> AnyStr:
    """``body`` with ``tags`` inserted; unchanged when there is no place.

    The first marker comment ``<!-- zc.resourcelibrary -->`` is replaced
    by the tags; without one, they go right after the first literal
    ``<head>`` (with ``any_head``, also ``<HEAD>`` or a head with
    attributes).  ``end_of_body`` tags (scripts placed last) go before the
    last ``</body>``, or with the other tags when there is none.

    Works on str, and on bytes in an ASCII-compatible encoding (UTF-8,
    Latin-1, ...): every text looked for is ASCII, and in such encodings
    ASCII bytes only ever stand for themselves.
    """
    markup = _BYTES if isinstance(body, bytes) else _TEXT
    if not end_of_body and tags and markup is _BYTES:
        # A page's usual case, spared the general bookkeeping below.
        start = stop = _find_marker(body, markup)
        if start >= 0:
            stop += len(markup.marker)
        else:
            start = stop = _head_end(body, markup, any_head)
            if start < 0:
                return body
            tags = markup.separator + tags + markup.newline
        # Slices of a memoryview are not copies: joining them copies the
        # page once, where ``a + b + c`` would copy it twice.
        whole = memoryview(body)
        return b''.join((whole[:start], tags, whole[stop:]))
    # (start, rank, stop, text) replacements, made in one copy of the
    # page; where both go to the same place, the head's tags come first.
    edits = []
    if end_of_body:
        position = body.rfind(markup.end_of_body)
        if position < 0:
            tags = markup.separator.join(t for t in (tags, end_of_body) if t)
        else:
            edits.append((position, 1, position,
                          end_of_body + markup.newline))
    if tags:
        position = _find_marker(body, markup)
        if position >= 0:
            edits.append((position, 0, position + len(markup.marker), tags))
        else:
            position = _head_end(body, markup, any_head)
            if position >= 0:
                edits.append((position, 0, position,
                              markup.separator + tags + markup.newline))
    if not edits:
        return body
    edits.sort()
    whole = memoryview(body) if markup is _BYTES else body
    parts = []
    done = 0
    for start, _, stop, text in edits:
        parts.append(whole[done:start])
        parts.append(text)
        done = stop
    parts.append(whole[done:])
    return markup.empty.join(parts)


def _head_end(body, markup, any_head) -> int:
    """Where the tags go after the head's start tag; -1 when it has none."""
    if any_head:
        match = markup.any_head.search(body)
        return -1 if match is None else match.end()
    position = body.find(markup.head)
    return -1 if position < 0 else position + len(markup.head)


def is_processable(content_type: str | None, *, xhtml: bool = False) -> bool:
    """Whether a response of this Content-Type gets tags.

    Its media type (before the first ``;``, lower-cased, whitespace kept
    as it is) must be ``text/html`` or ``text/xml``; with ``xhtml`` also
    ``application/xhtml+xml``.
    """
    if not content_type:
        return False
    media_type = content_type.split(';', 1)[0].lower()
    return media_type in _PROCESSED_TYPES or (xhtml and media_type == _XHTML)


def check_includable(file: str) -> None:
    """ConfigurationError unless ``file`` is a kind pages can reference."""
    if os.path.splitext(file)[1] not in INCLUDABLE_EXTENSIONS:
        raise ConfigurationError(
            'Resource library doesn\'t know how to include this file: '
            f'"{file}".')


def _loading_of(name, include, loading) -> dict[str, tuple[str, ...]]:
    result = {}
    for file, tokens in (loading or {}).items():
        if isinstance(tokens, str):
            tokens = tokens.split()
        tokens = tuple(tokens)
        for token in tokens:
            if token not in LOADING_TOKENS:
                raise ValueError(
                    f'Resource library "{name}": unknown loading attribute '
                    f'{token!r} for "{file}" (expected one of '
                    f'{", ".join(LOADING_TOKENS)})')
        if file not in include or not file.endswith('.js'):
            raise ValueError(
                f'Resource library "{name}": loading attributes are for '
                f'included scripts, "{file}" is not one')
        result[file] = tokens
    return result


def register(name: str, directory: str | os.PathLike | None = None,
             include: Iterable[str] = (), require: Iterable[str] = (),
             loading: Mapping[str, str | Iterable[str]] | None = None,
             registry=None) -> LibraryInfo:
    """Declare the library ``name`` without ZCML; returns its LibraryInfo.

    ``directory`` holds the files (served by the WSGI middleware),
    ``include`` names those pages reference, ``require`` the libraries
    this one depends on; they must be registered already, so no cycle can
    arise.  ``loading`` maps an included script to its loading attributes:
    any of ``defer``, ``async`` and ``module`` (``type="module"``), as a
    space-separated string or a sequence.  Registering the same library
    again with the same files and dependencies is harmless; with others it
    is an error.
    """
    registry = _registry(registry)
    if not isinstance(name, str) or not name or '/' in name:
        raise ValueError(
            f'A resource library name must be a non-empty string without '
            f'"/", got {name!r}')
    if isinstance(include, str) or isinstance(require, str):
        raise TypeError('include and require take sequences of names, '
                        f'not the string {include or require!r}')
    include = list(include)
    require = list(require)
    if directory is not None:
        directory = os.path.abspath(os.fspath(directory))
        if not os.path.isdir(directory):
            raise ConfigurationError(f'Directory {directory!r} does not exist')
    for file in include:
        check_includable(file)
        if directory is None:
            raise ConfigurationError(
                f'Resource library "{name}" includes "{file}" '
                'but has no directory')
        if not os.path.isfile(os.path.join(directory, file)):
            raise ConfigurationError(
                f'Resource library "{name}": "{file}" does not exist '
                f'in {directory!r}')
    for dependency in require:
        if dependency == name:
            raise ConfigurationError(
                f'Resource library "{name}" cannot depend on itself.')
        if dependency not in registry:
            raise ConfigurationError(
                f'Resource library "{name}" has unsatisfied dependency on '
                f'"{dependency}".')
    info = LibraryInfo()
    info.included = include
    info.required = require
    info.directory = directory
    info.loading = _loading_of(name, include, loading)
    old = registry.get(name)
    if old is not None:
        same = (old.included == info.included
                and old.required == info.required
                and getattr(old, 'directory', None) == directory
                and getattr(old, 'loading', {}) == info.loading)
        if not same:
            raise ValueError(
                f'Resource library "{name}" is already registered with '
                f'other files or dependencies: ({old.required!r}, '
                f'{old.included!r}) against ({require!r}, {include!r})')
        return old
    registry[name] = info
    return info
