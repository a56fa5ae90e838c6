"""Adding a nonce to a Content-Security-Policy header value.

Parsing and serialising only; the middleware decides when to call it.
"""
from __future__ import annotations

import re

_NONCE = re.compile(r'^[A-Za-z0-9+/_=-]+$')
_KINDS = ('script', 'style')


def check_nonce(nonce: str) -> str:
    """``nonce`` itself; ValueError unless it is base64 (URL-safe or not)."""
    if not isinstance(nonce, str) or not _NONCE.match(nonce):
        raise ValueError(
            f'A CSP nonce must be a base64 string, got {nonce!r}')
    return nonce


def parse(policy: str) -> list[tuple[str, list[str]]]:
    """Directives as (lower-cased name, values), in order."""
    directives = []
    for part in policy.split(';'):
        tokens = part.split()
        if tokens:
            directives.append((tokens[0].lower(), tokens[1:]))
    return directives


def serialize(directives: list[tuple[str, list[str]]]) -> str:
    return '; '.join(' '.join([name] + values) for name, values in directives)


def _allows_inline(values: list[str]) -> bool:
    # Browsers ignore 'unsafe-inline' once a nonce is listed: adding ours
    # would break the page's own inline scripts or styles.
    lowered = [v.lower() for v in values]
    return ("'unsafe-inline'" in lowered
            and not any(v.startswith(("'nonce-", "'sha")) for v in lowered))


def _with_source(values: list[str], source: str) -> list[str]:
    if source in values:
        return values
    return [v for v in values if v.lower() != "'none'"] + [source]


def add_nonce(policy: str, nonce: str) -> str:
    """``policy`` allowing elements that carry ``nonce``.

    Where the policy restricts scripts or styles (``script-src``,
    ``style-src``, their ``-elem`` forms, or ``default-src`` when they are
    missing), the nonce is added; a directive that allows inline code is
    left alone, as are policies that do not restrict that kind at all.
    """
    source = f"'nonce-{check_nonce(nonce)}'"
    directives = parse(policy)
    names = [name for name, _ in directives]
    default = dict(directives).get('default-src')
    for kind in _KINDS:
        for i, (name, values) in enumerate(directives):
            if name in (f'{kind}-src', f'{kind}-src-elem') \
                    and not _allows_inline(values):
                directives[i] = (name, _with_source(values, source))
        if f'{kind}-src' not in names and default is not None \
                and not _allows_inline(default):
            directives.append((f'{kind}-src', _with_source(default, source)))
    return serialize(directives)


def new_policy(nonce: str) -> str:
    """The policy set when the response has none: own files and ours."""
    source = f"'nonce-{check_nonce(nonce)}'"
    return f"script-src 'self' {source}; style-src 'self' {source}"
