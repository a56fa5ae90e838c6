"""Form submission: the form data set, its encodings, and validation.

Pure functions over the page model; the browser sends what they return.
"""
import codecs
import math
import re
import secrets
import urllib.parse

from zc.testbrowser.interfaces import ValidationError

_BUTTONS = frozenset(('submit', 'image', 'button', 'reset'))


def form_data_set(form, submitter=None, coord=None):
    """(name, value) pairs in document order; file values are Uploads.

    Only successful controls take part: named, enabled, checked or
    selected; of the buttons only the submitter.
    """
    pairs = []
    for member in form.members:
        if member.disabled:
            continue
        owner = getattr(member, 'owner', None)
        if owner is not None:  # a checkbox or radio button
            if member.selected and owner.name:
                pairs.append((owner.name, member.value))
            continue
        kind = member.kind
        if kind in _BUTTONS:
            if member is not submitter:
                continue
            if kind == 'image':
                x, y = coord or (1, 1)
                prefix = f'{member.name}.' if member.name else ''
                pairs.append((prefix + 'x', str(x)))
                pairs.append((prefix + 'y', str(y)))
            elif member.name:
                pairs.append((member.name,
                              member.element.attrs.get('value', '')))
            continue
        if not member.name:
            continue
        if kind == 'select':
            pairs.extend((member.name, item.value) for item in member.items
                         if item.selected and not item.disabled)
        elif kind == 'file':
            pairs.append((member.name, member.upload))
        elif kind == 'textarea':
            # Browsers submit textarea line breaks as CRLF.
            value = re.sub(r'\r\n|\r|\n', '\r\n', member.value)
            pairs.append((member.name, value))
        else:
            pairs.append((member.name, member.value))
    return pairs


def _charset(form, page_charset):
    for candidate in form.element.attrs.get('accept-charset', '').split():
        try:
            return codecs.lookup(candidate).name
        except LookupError:
            continue
    return page_charset or 'utf-8'


def _encode(text, charset):
    # Characters the charset lacks become numeric character references,
    # as browsers send them.
    return text.encode(charset, 'xmlcharrefreplace')


def urlencode(pairs, charset):
    return '&'.join(
        urllib.parse.quote_plus(_encode(name, charset)) + '='
        + urllib.parse.quote_plus(
            _encode('' if value is None else
                    value.filename if not isinstance(value, str) else value,
                    charset))
        for name, value in pairs)


def multipart(pairs, charset):
    """A multipart/form-data body and its content type."""
    boundary = '----zc.testbrowser' + secrets.token_hex(12)
    parts = []
    for name, value in pairs:
        quoted = _encode(name, charset).replace(b'"', b'%22')
        if isinstance(value, str):
            parts.append(b'--%s\r\nContent-Disposition: form-data;'
                         b' name="%s"\r\n\r\n%s\r\n' % (
                             boundary.encode(), quoted,
                             _encode(value, charset)))
            continue
        filename = value.filename if value is not None else ''
        content_type = (value.content_type if value is not None
                        else 'application/octet-stream')
        data = value.data if value is not None else b''
        parts.append(
            b'--%s\r\nContent-Disposition: form-data; name="%s";'
            b' filename="%s"\r\nContent-Type: %s\r\n\r\n%s\r\n' % (
                boundary.encode(), quoted,
                _encode(filename or '', charset).replace(b'"', b'%22'),
                content_type.encode('latin-1'), data))
    parts.append(b'--%s--\r\n' % boundary.encode())
    return b''.join(parts), f'multipart/form-data; boundary={boundary}'


def text_plain(pairs, charset):
    return b''.join(
        _encode(f'{name}={value if isinstance(value, str) else ""}\r\n',
                charset) for name, value in pairs)


def encode_submission(form, submitter, coord, page_charset):
    """(method, url, body, content type) of submitting ``form``.

    A submit button's ``formaction``, ``formmethod`` and ``formenctype``
    override the form's own.
    """
    attrs = submitter.element.attrs if submitter is not None else {}
    action = form.action
    if attrs.get('formaction', '').strip():
        action = urllib.parse.urljoin(form.page.base_url,
                                      attrs['formaction'].strip())
    method = attrs.get('formmethod', '').upper()
    if method not in ('GET', 'POST'):
        method = form.method
    enctype = attrs.get('formenctype', '').lower()
    if enctype not in ('application/x-www-form-urlencoded',
                       'multipart/form-data', 'text/plain'):
        enctype = form.enctype
    charset = _charset(form, page_charset)
    pairs = form_data_set(form, submitter, coord)
    if method == 'GET':
        url = urllib.parse.urldefrag(action)[0]
        query = urlencode(pairs, charset)
        return 'GET', url.split('?', 1)[0] + '?' + query, None, None
    if enctype == 'multipart/form-data':
        body, content_type = multipart(pairs, charset)
    elif enctype == 'text/plain':
        body, content_type = text_plain(pairs, charset), 'text/plain'
    else:
        body = urlencode(pairs, charset).encode('ascii')
        content_type = 'application/x-www-form-urlencoded'
    return 'POST', action, body, content_type


# HTML5 constraint validation ------------------------------------------

_EMAIL = re.compile(
    r"^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}"
    r"[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$")
_ORDERED = {
    'date': re.compile(r'^\d{4,}-\d\d-\d\d$'),
    'month': re.compile(r'^\d{4,}-\d\d$'),
    'week': re.compile(r'^\d{4,}-W\d\d$'),
    'time': re.compile(r'^\d\d:\d\d(:\d\d(\.\d{1,3})?)?$'),
    'datetime-local': re.compile(
        r'^\d{4,}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d{1,3})?)?$'),
}
_NOT_VALIDATED = frozenset(('hidden', 'submit', 'image', 'button', 'reset'))


def validate(form, submitter=None):
    """Raise ValidationError listing each invalid control, as a browser
    refuses to submit such a form; ``novalidate`` on the form and
    ``formnovalidate`` on the submitter switch validation off."""
    if 'novalidate' in form.element.attrs:
        return
    if submitter is not None and 'formnovalidate' in submitter.element.attrs:
        return
    problems = []
    for entry in form.entries:
        if entry.kind in _NOT_VALIDATED or entry.disabled or entry.readonly:
            continue
        for problem in _problems(entry):
            problems.append((entry.name, problem))
    if problems:
        raise ValidationError(problems)


def _problems(entry):
    kind = entry.kind
    if kind in ('checkbox', 'radio'):
        required = any('required' in item.element.attrs
                       for item in entry.items)
        if required and not any(item.selected for item in entry.items):
            yield 'required: check ' + (
                'it' if kind == 'checkbox' and len(entry.items) == 1
                else 'one of the options')
        return
    attrs = entry.element.attrs
    if kind == 'select':
        chosen = [item for item in entry.items if item.selected]
        if 'required' in attrs and not any(item.value for item in chosen):
            yield 'required: select an option'
        return
    if kind == 'file':
        if 'required' in attrs and entry.upload is None:
            yield 'required: choose a file'
        return
    value = entry.value
    if not value:
        if 'required' in attrs:
            yield 'required: fill out this field'
        return
    length = len(value)
    if attrs.get('maxlength', '').isdigit() and length > int(
            attrs['maxlength']):
        yield f'too long: {length} characters, at most {attrs["maxlength"]}'
    if attrs.get('minlength', '').isdigit() and length < int(
            attrs['minlength']):
        yield (f'too short: {length} characters, at least'
               f' {attrs["minlength"]}')
    if kind == 'email':
        addresses = ([part.strip() for part in value.split(',')]
                     if 'multiple' in attrs else [value])
        if not all(_EMAIL.match(address) for address in addresses):
            yield f'not an email address: {value!r}'
    elif kind == 'url':
        parts = urllib.parse.urlsplit(value)
        if not (parts.scheme and (parts.netloc or parts.path)):
            yield f'not a URL: {value!r}'
    elif kind in ('number', 'range'):
        yield from _range_problems(value, attrs, _number)
    elif kind in _ORDERED:
        syntax = _ORDERED[kind]
        yield from _range_problems(
            value, attrs, lambda text: text if syntax.match(text) else None)
    if 'pattern' in attrs and kind in (
            'text', 'search', 'url', 'tel', 'email', 'password'):
        try:
            pattern = re.compile(f'(?:{attrs["pattern"]})')
        except re.error:
            return  # browsers ignore an invalid pattern
        if not pattern.fullmatch(value):
            yield f'does not match the pattern {attrs["pattern"]!r}'


def _number(text):
    try:
        number = float(text)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _range_problems(value, attrs, parse):
    parsed = parse(value)
    if parsed is None:
        yield f'not a valid value: {value!r}'
        return
    low = parse(attrs.get('min', ''))
    high = parse(attrs.get('max', ''))
    if low is not None and parsed < low:
        yield f'too low: {value}, at least {attrs["min"]}'
    if high is not None and parsed > high:
        yield f'too high: {value}, at most {attrs["max"]}'
