"""The matching rules: which link, control, item or form a search means.

Pure functions over the page model, shared by every backend.
"""
import re

from zc.testbrowser.interfaces import AmbiguityError
from zc.testbrowser.interfaces import LinkNotFoundError
from zc.testbrowser.page import normalize

_MAX_LISTED = 100


def _listing(lines):
    lines = list(lines)
    if len(lines) > _MAX_LISTED:
        rest = len(lines) - _MAX_LISTED
        lines = lines[:_MAX_LISTED] + [f'  ... and {rest} more']
    return lines


def _text_matches(wanted, text):
    if isinstance(wanted, str):
        return wanted in text
    return wanted.search(text) is not None


def find_link(links, text=None, url=None, id=None, index=0):
    """The ``index``-th LinkRecord matching all the criteria given."""
    if isinstance(text, str):
        text = normalize(text)
    # The most selective index gives the candidates; the other criteria
    # filter them.
    if id is not None:
        candidates = links.with_id(id)
    elif isinstance(text, str):
        candidates = links.containing(text)
    else:
        candidates = links
    found = []
    for link in candidates:
        if text is not None and not _text_matches(text, link.text):
            continue
        if url is not None:
            href = link.element.attrs.get('href', '')
            if isinstance(url, str):
                if url not in href:
                    continue
            elif url.search(href) is None:
                continue
        found.append(link)
        if len(found) > index >= 0:
            return link
    criteria = ', '.join(
        f'{key}={_show(value)}' for key, value in
        (('text', text), ('url', url), ('id', id)) if value is not None)
    if found:
        problem = (f'index {index} out of range: {len(found)} link(s)'
                   f' match {criteria}')
    else:
        problem = f'no link matches {criteria or "(no criteria)"}'
    if links:
        lines = [problem, 'available links:'] + _listing(
            f'  {link.text!r} -> {link.element.attrs.get("href")!r}'
            for link in links)
    else:
        lines = [problem, '(there are no links in the HTML)']
    raise LinkNotFoundError('\n'.join(lines))


def _show(value):
    return repr(value) if isinstance(value, str) else f're({value.pattern!r})'


def label_pattern(label):
    return re.compile(r'(^|\b|\W)' + re.escape(normalize(label))
                      + r'(\b|\W|$)')


def search_controls(entries, label=None, name=None):
    """Fields, Groups and Items matching ``label`` or ``name``."""
    found = []
    if label:
        pattern = label_pattern(label)
        for entry in entries:
            if entry.kind != 'hidden' and any(
                    pattern.search(text) for text in entry.labels):
                found.append(entry)
            for item in entry.items:
                if any(pattern.search(text) for text in item.labels):
                    found.append(item)
    else:
        found = [entry for entry in entries if entry.name == name]
    return found


def choose(found, index, prefix, describe, available, what='form items'):
    """Apply the disambiguation rules to ``found`` matches."""
    if index is None:
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            raise AmbiguityError('\n'.join(
                [f'{prefix} matches:']
                + _listing(f'  {describe(thing)}' for thing in found)))
    elif 0 <= index < len(found):
        return found[index]
    elif found:
        raise LookupError('\n'.join(
            [prefix, f'Index {index} out of range, available choices are'
             f' 0...{len(found) - 1}']
            + _listing(f'  {describe(thing)}' for thing in found)))
    if available:
        lines = [prefix, 'available items:'] + _listing(
            f'  {describe(thing)}' for thing in available)
    else:
        lines = [prefix, f'(there are no {what} in the HTML)']
    raise LookupError('\n'.join(lines))


def check_label_or_name(label, name, other='name'):
    if bool(label) == bool(name):
        raise ValueError(
            f'Supply one and only one of "label" and "{other}" as arguments')


def find_form(forms, id=None, name=None, action=None, index=None):
    """The FormRecord meant by ``getForm``'s arguments."""
    given = [(key, value) for key, value in
             (('id', id), ('name', name), ('action', action))
             if value is not None]
    if len(given) > 1:
        raise ValueError('Supply no more than one of "id", "name", and'
                         ' "action" as arguments')
    if not given:
        if index is None:
            if len(forms) == 1:
                return forms[0]
            raise ValueError(
                'if no other arguments are given, index is required.')
        found = forms
        prefix = f'index {index!r}'
    else:
        key, value = given[0]
        prefix = f'{key} {value!r}'
        if key == 'action':
            pattern = re.compile(value) if isinstance(value, str) else value
            found = [form for form in forms
                     if pattern.search(form.action) is not None]
        else:
            found = [form for form in forms
                     if form.element.attrs.get(key) == value]
    return choose(found, index, prefix, describe_form, forms, 'forms')


def describe_form(form):
    attrs = form.element.attrs
    return (f'<Form id={attrs.get("id")!r} name={attrs.get("name")!r}'
            f' action={form.action!r}>')
