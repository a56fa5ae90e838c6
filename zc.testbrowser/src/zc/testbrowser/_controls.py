"""The objects a user holds: Link, Form, controls and items.

They wrap page-model records and act through the page (so a real-browser
backend acts on live elements), and expire when the browser navigates.
"""
import zope.interface

from zc.testbrowser import _finding
from zc.testbrowser.interfaces import ExpiredError
from zc.testbrowser.interfaces import IControl
from zc.testbrowser.interfaces import IForm
from zc.testbrowser.interfaces import IImageSubmitControl
from zc.testbrowser.interfaces import IItemControl
from zc.testbrowser.interfaces import ILink
from zc.testbrowser.interfaces import IListControl
from zc.testbrowser.interfaces import ISubmitControl
from zc.testbrowser.interfaces import ITextAreaControl
from zc.testbrowser.interfaces import ItemCountError
from zc.testbrowser.interfaces import ItemNotFoundError
from zc.testbrowser.page import Group
from zc.testbrowser.page import Item
from zc.testbrowser.page import normalize


class HandHolding:
    """Refuses to set attributes that do not exist, catching typos."""

    def __setattr__(self, name, value):
        if not name.startswith('_') and not hasattr(type(self), name):
            raise AttributeError(f"'{type(self).__name__}' object has no"
                                 f" attribute '{name}'")
        object.__setattr__(self, name, value)


class Finding(HandHolding):
    """Finding links, controls and forms on the page a browser shows.

    Every backend's browser derives from it and supplies ``_page_model()``,
    the page model of its current page, so the rules are one code.
    """

    def getLink(self, text=None, url=None, id=None, index=0):
        page = self._page_model()
        record = _finding.find_link(page.links, text, url, id, index)
        return Link(self, page, record)

    def follow(self, *args, **kw):
        self.getLink(*args, **kw).click()

    def getControl(self, label=None, name=None, index=None):
        page = self._page_model()
        return find_control(self, page, page.forms, label, name, index)

    def getForm(self, id=None, name=None, action=None, index=None):
        page = self._page_model()
        record = _finding.find_form(page.forms, id, name, action, index)
        return Form(self, page, record)


class Upload:
    """A file chosen for a file control."""

    __slots__ = ('data', 'content_type', 'filename')

    def __init__(self, data, content_type, filename):
        self.data = data
        self.content_type = content_type
        self.filename = filename


class _Expiring(HandHolding):

    def __init__(self, browser, page):
        self._browser = browser
        self._page = page
        self._generation = browser._generation

    def _live(self):
        if self._browser._generation != self._generation:
            raise ExpiredError(
                f'{type(self).__name__} belongs to a page that is no longer'
                ' shown')
        return self._page


@zope.interface.implementer(ILink)
class Link(_Expiring):

    def __init__(self, browser, page, record):
        super().__init__(browser, page)
        self._record = record

    @property
    def url(self):
        return self._record.url

    @property
    def text(self):
        return self._record.text

    @property
    def tag(self):
        return self._record.element.tag

    @property
    def attrs(self):
        return dict(self._record.element.attrs)

    def click(self):
        self._live().click_link(self._record)

    def __repr__(self):
        return f"<Link text='{self.text}' url='{self.url}'>"


@zope.interface.implementer(IForm)
class Form(_Expiring):

    def __init__(self, browser, page, record):
        super().__init__(browser, page)
        self._record = record

    @property
    def action(self):
        return self._record.action

    @property
    def method(self):
        return self._record.method

    @property
    def enctype(self):
        return self._record.enctype

    @property
    def name(self):
        return self._record.element.attrs.get('name')

    @property
    def id(self):
        return self._record.element.attrs.get('id')

    @property
    def controls(self):
        page = self._live()
        found = []
        for entry in self._record.entries:
            found.append(wrap(self._browser, page, entry))
            found.extend(wrap(self._browser, page, item)
                         for item in entry.items)
        return found

    def getControl(self, label=None, name=None, index=None):
        page = self._live()
        return find_control(self._browser, page, [self._record],
                            label, name, index)

    def submit(self, label=None, name=None, index=None, coord=None):
        page = self._live()
        if label is None and name is None:
            if index is not None or coord is not None:
                raise ValueError('May not use index or coord without a'
                                 ' control')
            self._browser._submit(page, self._record, None, None)
            return
        _finding.check_label_or_name(label, name)
        buttons = [entry for entry in self._record.entries
                   if entry.kind in ('submit', 'image')]
        found = _finding.search_controls(buttons, label, name)
        prefix = f'label {label!r}' if label else f'name {name!r}'
        record = _finding.choose(found, index, prefix, describe, buttons)
        if record.kind == 'image':
            coord = (1, 1) if coord is None else coord
        self._browser._submit(page, self._record, record, coord)

    def __repr__(self):
        return f'<Form action={self.action!r} method={self.method!r}>'


def find_control(browser, page, forms, label, name, index):
    """Browser.getControl and Form.getControl: the rules, then wrapping."""
    _finding.check_label_or_name(label, name)
    entries = [entry for form in forms for entry in form.entries]
    found = _finding.search_controls(entries, label, name)
    prefix = f'label {label!r}' if label else f'name {name!r}'
    return wrap(browser, page, _finding.choose(
        found, index, prefix, describe, entries))


def describe(record):
    """One line naming a control or item and its labels, for messages."""
    if isinstance(record, Item):
        text = _item_repr(record)
    else:
        cls = _class_for(record)
        text = f"<{cls._repr_name} name='{record.name}' type='{record.kind}'>"
    if record.labels:
        text += ' labels: ' + ', '.join(repr(label) for label in record.labels)
    return text


class _ControlBase(_Expiring):

    _repr_name = 'Control'

    def __init__(self, browser, page, record):
        super().__init__(browser, page)
        self._record = record

    @property
    def name(self):
        return self._record.name

    @property
    def type(self):
        return self._record.kind

    @property
    def disabled(self):
        return self._record.disabled

    @property
    def multiple(self):
        return self._record.multiple

    @property
    def readonly(self):
        return self._record.readonly

    def add_file(self, file, content_type, filename):
        self._live()
        raise TypeError(f"Can't call add_file on {self.type} controls")

    def __repr__(self):
        return (f"<{self._repr_name} name='{self.name}'"
                f" type='{self.type}'>")


@zope.interface.implementer(IControl)
class Control(_ControlBase):
    """Text-like inputs, textareas, files, and buttons that do not submit."""

    @property
    def value(self):
        record = self._record
        if record.kind == 'file':
            return None if record.upload is None else record.upload.data
        return record.value

    @value.setter
    def value(self, value):
        page = self._live()
        record = self._record
        if record.kind == 'file':
            self.add_file(value, 'application/octet-stream', '')
            return
        if record.readonly:
            raise AttributeError('Trying to set value of readonly control')
        if record.kind in ('button', 'reset'):
            raise AttributeError(f"Can't set value of {record.kind} controls")
        if not isinstance(value, str):
            raise TypeError(f'value of {record.kind} control must be str,'
                            f' not {type(value).__name__}')
        page.set_value(record, value)

    def clear(self):
        page = self._live()
        if self._record.kind == 'file':
            page.set_file(self._record, None)
        elif self._record.kind not in ('button', 'reset'):
            page.set_value(self._record, '')

    def add_file(self, file, content_type, filename):
        page = self._live()
        if self._record.kind != 'file':
            raise TypeError(
                f"Can't call add_file on {self._record.kind} controls")
        if isinstance(file, str):
            data = file.encode('utf-8')
        elif isinstance(file, bytes):
            data = file
        elif hasattr(file, 'read'):
            data = file.read()
        else:
            raise TypeError('add_file takes a file-like object, bytes or str,'
                            f' not {type(file).__name__}')
        if isinstance(data, str):
            data = data.encode('utf-8')
        page.set_file(self._record, Upload(data, content_type, filename))

    def click(self):
        """Reset buttons reset their form; plain buttons are pressed (only
        page script, in a real browser, reacts)."""
        page = self._live()
        record = self._record
        if record.kind == 'reset' and record.form is not None:
            page.reset(record.form)
        elif record.kind == 'button':
            page.press(record)
        elif record.kind != 'reset':
            raise AttributeError(f"Can't click {record.kind} controls")


@zope.interface.implementer(ITextAreaControl)
class TextAreaControl(Control):
    pass


@zope.interface.implementer(ISubmitControl)
class SubmitControl(_ControlBase):

    _repr_name = 'SubmitControl'

    @property
    def value(self):
        return self._record.element.attrs.get('value', '')

    @value.setter
    def value(self, value):
        raise AttributeError("Can't set value of submit controls")

    def clear(self):
        raise AttributeError("Can't clear submit controls")

    def click(self):
        page = self._live()
        self._browser._submit(page, self._record.form, self._record, None)


@zope.interface.implementer(IImageSubmitControl)
class ImageControl(SubmitControl):

    _repr_name = 'ImageControl'

    @property
    def value(self):
        return ''

    @value.setter
    def value(self, value):
        raise AttributeError("Can't set value of image controls")

    def click(self, coord=(1, 1)):
        page = self._live()
        self._browser._submit(page, self._record.form, self._record, coord)


@zope.interface.implementer(IListControl)
class ListControl(_ControlBase):
    """A select, or a group of checkboxes or radio buttons."""

    _repr_name = 'ListControl'

    @property
    def _boolean(self):
        return isinstance(self._record, Group) and self._record.boolean

    @property
    def options(self):
        if self._boolean:
            return [True]
        return [item.value for item in self._record.items]

    @property
    def displayOptions(self):
        return [item.labels[0] if item.labels else None
                for item in self._record.items]

    @property
    def value(self):
        if self._boolean:
            return self._record.items[0].selected
        return [item.value for item in self._record.items if item.selected]

    @value.setter
    def value(self, values):
        page = self._live()
        if self._boolean:
            page.set_selected(self._record, self._record.items[0],
                              bool(values))
            return
        if isinstance(values, str):
            values = [values]
        wanted = []
        for value in values:
            matches = [item for item in self._record.items
                       if item.value == value]
            if not matches:
                raise ItemNotFoundError(self._not_found(value, self.options))
            wanted.append(matches[0])
        self._select(page, wanted)

    @property
    def displayValue(self):
        return [item.labels[0] if item.labels else None
                for item in self._record.items if item.selected]

    @displayValue.setter
    def displayValue(self, texts):
        page = self._live()
        if isinstance(texts, str):
            texts = [texts]
        wanted = []
        for text in texts:
            needle = normalize(text)
            matches = [item for item in self._record.items
                       if any(needle in label for label in item.labels)]
            if not matches:
                raise ItemNotFoundError(self._not_found(
                    text, [label for item in self._record.items
                           for label in item.labels]))
            wanted.extend(item for item in matches if item not in wanted)
        self._select(page, wanted)

    @staticmethod
    def _not_found(wanted, choices):
        return (f'{wanted}\navailable items: '
                + ', '.join(repr(choice) for choice in choices))

    def _select(self, page, wanted):
        if not self._record.multiple and len(wanted) > 1:
            raise ItemCountError(
                'single selection list, must set sequence of length 0 or 1')
        for item in self._record.items:
            if item.selected and item not in wanted:
                page.set_selected(self._record, item, False)
        for item in wanted:
            if not item.selected:
                page.set_selected(self._record, item, True)

    def clear(self):
        self.value = False if self._boolean else []

    @property
    def controls(self):
        page = self._live()
        return [wrap(self._browser, page, item)
                for item in self._record.items]

    def getControl(self, label=None, value=None, index=None):
        page = self._live()
        _finding.check_label_or_name(label, value, 'value')
        items = self._record.items
        if label:
            needle = normalize(label)
            found = [item for item in items
                     if any(needle in text for text in item.labels)]
            prefix = f'label {label!r}'
        else:
            found = [item for item in items if item.value == value]
            prefix = f'value {value!r}'
        return wrap(self._browser, page, _finding.choose(
            found, index, prefix, describe, items))


def _item_repr(item):
    owner = item.owner
    kind = 'select' if owner.kind == 'select' else owner.kind
    return (f"<ItemControl name='{owner.name}' type='{kind}'"
            f' optionValue={item.value!r} selected={item.selected!r}>')


@zope.interface.implementer(IItemControl)
class ItemControl(_Expiring):

    def __init__(self, browser, page, record):
        super().__init__(browser, page)
        self._record = record

    @property
    def control(self):
        return wrap(self._browser, self._page, self._record.owner)

    @property
    def disabled(self):
        return self._record.disabled

    @property
    def optionValue(self):
        return self._record.value

    @property
    def selected(self):
        return self._record.selected

    @selected.setter
    def selected(self, selected):
        page = self._live()
        if self._record.disabled:
            raise AttributeError('item is disabled')
        page.set_selected(self._record.owner, self._record, bool(selected))

    def click(self):
        page = self._live()
        record = self._record
        if record.disabled:
            raise AttributeError('item is disabled')
        if record.owner.kind == 'radio':
            if not record.selected:
                page.set_selected(record.owner, record, True)
        else:
            page.set_selected(record.owner, record, not record.selected)

    def __repr__(self):
        return _item_repr(self._record)


def _class_for(record):
    if isinstance(record, Item):
        return ItemControl
    if isinstance(record, Group) or record.kind == 'select':
        return ListControl
    return _CLASSES.get(record.kind, Control)


_CLASSES = {
    'submit': SubmitControl,
    'image': ImageControl,
    'textarea': TextAreaControl,
}


def wrap(browser, page, record):
    """The public object for a page-model record."""
    return _class_for(record)(browser, page, record)
