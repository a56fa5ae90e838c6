"""The page model: links, forms, fields and items of one document.

Every backend describes its document as a flat list of ``Element`` records
in document order (parsed HTML for the WSGI and HTTP browsers, one script
over the live DOM for a real browser) and hands it to ``build_page``.  All
finding and form logic then works on the ``Page`` this returns, so the
backends agree by construction.  A backend acts on the page through the
``Page`` methods named in ``zc.testbrowser.interfaces.IPageModel``;
``Page`` itself implements them for a static document (values kept in the
records, submission by the browser's ``navigate``).

A live backend (a real browser) plugs in at three points:

- it makes the Element list with one script over the DOM, passing each
  element's handle and, for form controls, the position of its form owner
  (``element.form``), enclosing label and select, and whether it is
  disabled through a fieldset or optgroup;
- it passes a ``Page`` subclass as ``page_factory`` whose ``set_value``,
  ``set_selected``, ``set_file``, ``click_link``, ``press``, ``reset`` and
  ``submit`` act on the live elements (and keep the records in step,
  since the user objects read values from them);
- its browser object, like ``zc.testbrowser._browser.BaseBrowser``, has an
  integer ``_generation`` that grows with every navigation (objects made
  before expire) and ``_submit(page, form, submitter, coord)``; then
  ``zc.testbrowser._controls`` (Link, Form, the controls) and
  ``zc.testbrowser._finding`` (the matching rules) serve it unchanged.
"""
import bisect
import collections.abc
import math
import re
import urllib.parse

import zope.interface

from zc.testbrowser._forms import encode_submission
from zc.testbrowser.interfaces import IPageModel

TEXT_LIKE = frozenset((
    'text', 'email', 'number', 'search', 'url', 'tel', 'date', 'time',
    'datetime-local', 'month', 'week', 'range', 'color', 'password',
    'hidden'))
KNOWN_INPUT_TYPES = TEXT_LIKE | {
    'checkbox', 'radio', 'submit', 'image', 'button', 'reset', 'file'}


def normalize(text):
    """Collapse every run of whitespace to one space and strip the ends."""
    return ' '.join(text.split())


class Element:
    """One element as a backend saw it.

    ``tag`` lower case (``a`` and ``area`` only when they have an
    ``href``: anchors without one are not links); ``attrs`` a dict of
    string values (``''`` for a valueless attribute); ``text`` the text
    content (raw for ``textarea``, which has its leading newline already
    removed as parsing does);
    ``form``/``label``/``select``: the position in the element list of the
    form that owns the element, the ``label`` that encloses it and the
    ``select`` that holds an ``option``, or None; ``handle`` whatever the
    backend needs to act on the element later (the parser's node for
    parsed HTML);
    ``inherited_disabled`` whether a disabled ``fieldset`` (outside its
    first ``legend``) or, for an option, a disabled ``optgroup`` disables
    the element although it has no ``disabled`` attribute itself.
    """

    __slots__ = ('tag', '_attrs', '_text', 'form', 'label', 'select',
                 'handle', 'inherited_disabled')

    def __init__(self, tag, attrs, text='', form=None, label=None,
                 select=None, handle=None, inherited_disabled=False):
        self.inherited_disabled = inherited_disabled
        self.tag = tag
        self._attrs = attrs
        self._text = text
        self.form = form
        self.label = label
        self.select = select
        self.handle = handle

    @property
    def attrs(self):
        return self._attrs

    @property
    def text(self):
        return self._text

    def __repr__(self):
        return f'<Element {self.tag} {self.attrs!r}>'


class LinkRecord:
    """An ``a`` or ``area`` with an ``href``."""

    __slots__ = ('element', '_text', '_url', '_base_url')

    def __init__(self, element, base_url):
        self.element = element
        self._base_url = base_url
        self._text = self._url = None

    # Text and URL are worked out on first use: most links of a page are
    # never looked at.

    @property
    def text(self):
        if self._text is None:
            self._text = ('' if self.element.tag == 'area'
                          else normalize(self.element.text))
        return self._text

    @property
    def url(self):
        if self._url is None:
            self._url = urllib.parse.urljoin(
                self._base_url, self.element.attrs['href'].strip())
        return self._url


_UNSET = object()


class Links(collections.abc.Sequence):
    """A page's links in document order, indexed on first use.

    Made from the ``a``/``area`` Elements; a LinkRecord is made only for
    a link someone asks for.  Finding a link by text searches one string
    holding every link's text (C-speed ``str.find`` instead of a loop
    over records); by id it is a dict hit.
    """

    def __init__(self, elements, base_url):
        self._elements = elements
        self._base_url = base_url
        self._records = [None] * len(elements)
        self._blob = self._starts = self._ids = None

    def __len__(self):
        return len(self._elements)

    def __getitem__(self, number):
        if isinstance(number, slice):
            return [self[i] for i in range(*number.indices(len(self)))]
        record = self._records[number]
        if record is None:
            record = self._records[number] = LinkRecord(
                self._elements[number], self._base_url)
        return record

    def containing(self, text):
        """The records whose text contains ``text``, in document order."""
        if self._blob is None:
            texts = self._texts()
            # Normalised texts hold no newline, so no match spans two.
            starts = []
            offset = 0
            for one in texts:
                starts.append(offset)
                offset += len(one) + 1
            self._starts = starts
            self._blob = '\n'.join(texts)
        if not text:
            yield from self
            return
        blob, starts = self._blob, self._starts
        position = blob.find(text)
        while position != -1:
            number = bisect.bisect_right(starts, position) - 1
            yield self[number]
            if number + 1 == len(starts):
                return
            position = blob.find(text, starts[number + 1])

    def with_id(self, id):
        """The records whose element has this ``id``, in document order."""
        if self._ids is None:
            ids = {}
            for number, one in enumerate(self._id_values()):
                ids.setdefault(one, []).append(number)
            self._ids = ids
        return [self[number] for number in self._ids.get(id, ())]

    # A subclass may read these faster than through Elements.

    def _texts(self):
        """Each link's normalised text (``''`` for an ``area``)."""
        return ['' if element.tag == 'area' else normalize(element.text)
                for element in self._elements]

    def _id_values(self):
        """Each link's ``id`` attribute, or None."""
        return [element.attrs.get('id') for element in self._elements]


class Item:
    """A selectable thing: an ``option``, a checkbox or a radio button."""

    __slots__ = ('element', 'value', 'labels', 'selected', 'disabled',
                 'owner', 'default')

    def __init__(self, element, value, labels, selected, disabled):
        self.element = element
        self.value = value
        self.labels = labels
        self.selected = selected
        self.disabled = disabled
        self.owner = None  # the Field (select) or Group it belongs to


class Field:
    """A control that is not a checkbox or radio button.

    ``kind`` is the control's ``type``: the lower-cased input type
    ('text' for a missing or unknown one), 'textarea', 'select', 'submit'
    (also ``<button>``), 'image', 'button', 'reset', 'file'.
    """

    __slots__ = ('element', 'kind', 'name', 'labels', 'value', 'items',
                 'upload', 'disabled', 'readonly', 'multiple', 'form',
                 'default')

    def __init__(self, element, kind, name, labels, value, disabled):
        self.element = element
        self.kind = kind
        self.name = name
        self.labels = labels
        self.value = value
        self.items = []
        self.upload = None
        self.disabled = disabled
        self.readonly = 'readonly' in element.attrs
        self.multiple = kind == 'select' and 'multiple' in element.attrs
        self.form = None


class Group:
    """All checkboxes, or all radio buttons, of one name in one form."""

    __slots__ = ('kind', 'name', 'items', 'form')

    labels = ()
    readonly = False

    def __init__(self, kind, name):
        self.kind = kind
        self.name = name
        self.items = []
        self.form = None

    @property
    def element(self):
        return self.items[0].element

    @property
    def multiple(self):
        return self.kind == 'checkbox'

    @property
    def disabled(self):
        return all(item.disabled for item in self.items)

    @property
    def boolean(self):
        """A lone checkbox without a value attribute is a boolean control."""
        return (self.kind == 'checkbox' and len(self.items) == 1
                and 'value' not in self.items[0].element.attrs)


class FormRecord:
    """A form: ``entries`` in search order, ``successful`` in document order.

    ``entries`` holds Fields and Groups (a group where its first member
    is); ``members`` holds Fields and checkbox/radio Items as they appear,
    which is the order of the submitted form data set.
    """

    __slots__ = ('element', 'entries', 'members', 'action', 'page')

    def __init__(self, element, action):
        self.element = element
        self.entries = []
        self.members = []
        self.action = action
        self.page = None

    @property
    def method(self):
        method = self.element.attrs.get('method', '').upper()
        return method if method in ('GET', 'POST') else 'GET'

    @property
    def enctype(self):
        enctype = self.element.attrs.get('enctype', '').lower()
        if enctype in ('multipart/form-data', 'text/plain'):
            return enctype
        return 'application/x-www-form-urlencoded'


@zope.interface.implementer(IPageModel)
class Page:
    """The page model of one document, acting on its own records.

    Links and forms are indexed separately, each on first use: a test
    that only follows a link never pays for the forms, and the other way
    round.
    """

    def __init__(self, elements, url, charset='utf-8', navigate=None):
        self._elements = elements
        self.url = url
        self.charset = charset
        self.navigate = navigate
        self._links = self._forms = None
        self._base_url = self._title = _UNSET

    @property
    def elements(self):
        return self._elements

    @property
    def base_url(self):
        if self._base_url is _UNSET:
            self._base_url = url = self.url.split('#', 1)[0]
            href = self._base_href()
            if href is not None:
                self._base_url = urllib.parse.urljoin(url, href)
        return self._base_url

    @property
    def title(self):
        if self._title is _UNSET:
            text = self._title_text()
            self._title = None if text is None else normalize(text)
        return self._title

    @property
    def links(self):
        if self._links is None:
            self._links = self._make_links()
        return self._links

    # What a subclass may find faster than by walking ``elements``.

    def _base_href(self):
        """The ``href`` of the document's first ``<base href>``, or None."""
        for element in self.elements:
            if element.tag == 'base' and 'href' in element.attrs:
                return element.attrs['href']
        return None

    def _title_text(self):
        """The text of the first ``<title>``, or None."""
        for element in self.elements:
            if element.tag == 'title':
                return element.text
        return None

    def _make_links(self):
        return Links([element for element in self.elements
                      if element.tag in ('a', 'area')], self.base_url)

    @property
    def forms(self):
        if self._forms is None:
            self._forms = _build_forms(self)
        return self._forms

    def set_value(self, field, value):
        field.value = value

    def set_selected(self, field, item, selected):
        if selected and not field.multiple:
            for other in field.items:
                other.selected = False
        item.selected = selected

    def set_file(self, field, upload):
        field.upload = upload

    def click_link(self, link):
        self.navigate('GET', link.url)

    def press(self, field):
        """Without scripts a plain button does nothing."""

    def reset(self, form):
        for member in form.members:
            if isinstance(member, Item):
                member.selected = member.default
                continue
            member.value = member.default
            member.upload = None
            for item in member.items:
                item.selected = item.default

    def submit(self, form, submitter=None, coord=None):
        method, url, body, content_type = encode_submission(
            form, submitter, coord, self.charset)
        self.navigate(method, url, body, content_type)


def build_page(elements, url, charset='utf-8', navigate=None,
               page_factory=Page):
    """The Page of a document from its Elements in document order.

    ``navigate(method, url, body=None, content_type=None)`` is called to
    follow links and submit forms; a live backend passes its own
    ``page_factory`` (a Page subclass acting on real elements).
    """
    return page_factory(elements, url, charset, navigate)


def _build_forms(page):
    elements = page.elements
    labels_for = {}
    for element in elements:
        if element.tag == 'label' and element.attrs.get('for'):
            labels_for.setdefault(element.attrs['for'], []).append(
                normalize(element.text))

    # A label without ``for`` labels its first labelable descendant only;
    # one with ``for`` labels the element of that id only.
    enclosing = {}
    claimed = set()
    for position, element in enumerate(elements):
        label = element.label
        if (label is None or label in claimed
                or element.tag not in _LABELABLE
                or element.attrs.get('type', '').lower() == 'hidden'):
            continue
        claimed.add(label)
        if 'for' not in elements[label].attrs:
            enclosing[id(element)] = normalize(elements[label].text)

    def labels_of(element):
        found = []
        if id(element) in enclosing:
            found.append(enclosing[id(element)])
        element_id = element.attrs.get('id')
        if element_id:
            found.extend(labels_for.get(element_id, ()))
        return found

    # Forms first: a control may name a form that comes after it.
    forms = {}
    page_url = page.url.split('#', 1)[0]
    for position, element in enumerate(elements):
        if element.tag == 'form':
            action = element.attrs.get('action', '').strip()
            form = forms[position] = FormRecord(
                element, urllib.parse.urljoin(page.base_url, action)
                if action else page_url)
            form.page = page
    selects = {}
    for position, element in enumerate(elements):
        tag = element.tag
        if tag == 'option':
            field = selects.get(element.select)
            if field is not None:
                _add_option(field, element)
        elif tag in ('input', 'button', 'select', 'textarea'):
            form = forms.get(element.form)
            if form is None:
                continue  # only controls of a form are found
            field = _add_control(form, element, labels_of(element))
            if tag == 'select':
                selects[position] = field
    for field in selects.values():
        _default_selection(field)
    for form in forms.values():
        # What a reset button restores.
        for member in form.members:
            if isinstance(member, Item):
                member.default = member.selected
            else:
                member.default = member.value
                for item in member.items:
                    item.default = item.selected
    return list(forms.values())


_LABELABLE = frozenset(('input', 'button', 'select', 'textarea'))


def _add_control(form, element, labels):
    attrs = element.attrs
    name = attrs.get('name') or None
    disabled = 'disabled' in attrs or element.inherited_disabled
    if element.tag == 'input':
        kind = attrs.get('type', 'text').strip().lower()
        if kind not in KNOWN_INPUT_TYPES:
            kind = 'text'
    elif element.tag == 'button':
        kind = attrs.get('type', 'submit').strip().lower()
        if kind not in ('button', 'reset'):
            kind = 'submit'
    else:
        kind = element.tag
    if kind in ('checkbox', 'radio'):
        item = Item(element, attrs.get('value', 'on'), labels,
                    'checked' in attrs, disabled)
        group = None
        for entry in form.entries:
            if (isinstance(entry, Group) and entry.kind == kind
                    and entry.name == name):
                group = entry
                break
        if group is None:
            group = Group(kind, name)
            group.form = form
            form.entries.append(group)
        item.owner = group
        group.items.append(item)
        form.members.append(item)
        if kind == 'radio' and item.selected:
            for other in group.items[:-1]:
                other.selected = False
        return group
    if kind == 'submit':
        labels = labels + [attrs['value']] if 'value' in attrs else labels
        if element.tag == 'button':
            labels = labels + [normalize(element.text)]
    if kind == 'textarea':
        value = element.text
    elif kind == 'image':
        value = ''
    else:
        value = attrs.get('value', '')
        if kind in TEXT_LIKE and kind != 'hidden':
            value = sanitize(kind, value, attrs)
    field = Field(element, kind, name, labels, value, disabled)
    field.form = form
    form.entries.append(field)
    form.members.append(field)
    return field


_COLOR = re.compile(r'^#[0-9a-fA-F]{6}$')
_DATE_LIKE = {
    'date': re.compile(r'^\d{4,}-\d\d-\d\d$'),
    'month': re.compile(r'^\d{4,}-\d\d$'),
    'week': re.compile(r'^\d{4,}-W\d\d$'),
    'time': re.compile(r'^\d\d:\d\d(:\d\d(\.\d{1,3})?)?$'),
    'datetime-local': re.compile(
        r'^\d{4,}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d{1,3})?)?$'),
}


def _float(text):
    try:
        number = float(text)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def sanitize(kind, value, attrs):
    """The value a browser shows for a value attribute, by input type.

    Browsers clean the value attribute up: line breaks go from single-line
    values, a number that is no number becomes empty, a range without a
    valid value sits in the middle, a colour defaults to black.  Doing the
    same keeps parsed pages in agreement with a real browser's DOM.
    """
    value = value.replace('\r', '').replace('\n', '')
    if kind in ('email', 'url'):
        return value.strip()
    if kind == 'number':
        return value if _float(value) is not None else ''
    if kind == 'range':
        low = _float(attrs.get('min', '')) or 0.0
        high = _float(attrs.get('max', ''))
        high = 100.0 if high is None else high
        number = _float(value)
        if number is None:
            number = low if high < low else low + (high - low) / 2
        number = min(max(number, low), max(high, low))
        return str(int(number)) if number == int(number) else str(number)
    if kind == 'color':
        return value.lower() if _COLOR.match(value) else '#000000'
    if kind in _DATE_LIKE:
        return value if _DATE_LIKE[kind].match(value) else ''
    return value


def _add_option(field, element):
    attrs = element.attrs
    text = normalize(element.text)
    labels = [attrs['label'], text] if attrs.get('label') else [text]
    item = Item(element, attrs.get('value', text), labels,
                'selected' in attrs,
                'disabled' in attrs or element.inherited_disabled)
    item.owner = field
    field.items.append(item)


def _default_selection(field):
    """Apply a browser's selectedness rules to a select just parsed."""
    if field.multiple:
        return
    selected = [item for item in field.items if item.selected]
    for item in selected[:-1]:
        item.selected = False
    size = field.element.attrs.get('size', '').strip()
    if not selected and not (size.isdigit() and int(size) > 1):
        # A drop-down shows its first option; a list box may show none.
        for item in field.items:
            if not item.disabled:
                item.selected = True
                break
