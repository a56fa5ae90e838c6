"""HTML documents to page-model Elements, with Lexbor's WHATWG parser.

selectolax wraps Lexbor, a C implementation of the HTML standard's parsing
algorithm: malformed markup ends up as the same tree a browser builds, so
a parsed page and a real browser's live DOM agree.  It is also the fastest
of the parsers measured (see the tutorial).
"""
import collections.abc
import re

from selectolax.lexbor import LexborHTMLParser

from zc.testbrowser.page import Element
from zc.testbrowser.page import Links
from zc.testbrowser.page import Page
from zc.testbrowser.page import normalize

_SELECTOR = ('a[href], area[href], form, label, input, button, select,'
             ' option, textarea, title, base')
# Elements whose attributes are read only when asked: most links of a
# page are never looked at closely.
_LAZY = frozenset(('a', 'area', 'title'))
# Marks a form attribute naming a form that comes later in the document.
_LATE = object()
_CHARSET = re.compile(
    rb'<meta[^>]+charset\s*=\s*["\']?\s*([-\w.:]+)', re.IGNORECASE)


def declared_charset(body):
    """The charset a <meta> in the first KB of ``body`` declares, or None."""
    match = _CHARSET.search(body[:1024])
    return match.group(1).decode('ascii').lower() if match else None


class ParsedPage(Page):
    """The Page of an HTML document (a str), parsed once on creation.

    The element list that forms need is built on first use; links, the
    title and ``<base href>`` are read straight from the tree, so a test
    that only follows links never pays for the forms.
    """

    def __init__(self, text, url, charset='utf-8', navigate=None):
        self._tree = LexborHTMLParser(text)
        super().__init__(None, url, charset, navigate)

    @property
    def elements(self):
        if self._elements is None:
            self._elements = elements_of(self._tree)
        return self._elements

    def _base_href(self):
        node = self._tree.css_first('base[href]')
        return None if node is None else node.attributes['href'] or ''

    def _title_text(self):
        node = self._tree.css_first('title')
        return None if node is None else node.text(deep=True)

    def _make_links(self):
        return _ParsedLinks(self._tree.css('a[href], area[href]'),
                            self.base_url)


class _ParsedLinks(Links):
    """Links read from the tree's nodes: an Element is made only for a
    link that is asked for, and searching reads the nodes directly."""

    def __init__(self, nodes, base_url):
        super().__init__(_NodeElements(nodes), base_url)
        self._nodes = nodes

    def _texts(self):
        return [normalize(node.text(deep=True)) if node.tag == 'a' else ''
                for node in self._nodes]

    def _id_values(self):
        return [node.attributes.get('id') for node in self._nodes]


class _NodeElements(collections.abc.Sequence):
    """Nodes seen as Elements, each made on first use."""

    def __init__(self, nodes):
        self._nodes = nodes

    def __len__(self):
        return len(self._nodes)

    def __getitem__(self, number):
        if isinstance(number, slice):
            return [self[i] for i in range(*number.indices(len(self)))]
        node = self._nodes[number]
        return _ParsedElement(node.tag, None, None, handle=node)


def parse_elements(text):
    """The Elements of an HTML document (a str), in document order."""
    return elements_of(LexborHTMLParser(text))


def elements_of(tree):
    """The Elements of a parsed document, in document order."""
    nodes = tree.css(_SELECTOR)
    positions = {}
    forms_by_id = {}
    elements = []
    for node in nodes:
        tag = node.tag
        if tag in _LAZY:
            elements.append(_ParsedElement(tag, None, None, handle=node))
            continue
        attrs = {key: value or '' for key, value in node.attributes.items()}
        element = _ParsedElement(tag, attrs, None, handle=node)
        position = len(elements)
        positions[node.mem_id] = position
        elements.append(element)
        if tag == 'form':
            if attrs.get('id'):
                forms_by_id.setdefault(attrs['id'], position)
            continue
        if tag in ('base', 'label'):
            continue
        owner = attrs.get('form')
        if owner is not None:
            # HTML5 form association: the form with that id, if any.
            element.form = forms_by_id.get(owner, _LATE)
        child = node
        ancestor = node.parent
        while ancestor is not None and ancestor.tag not in ('html', None):
            ancestor_tag = ancestor.tag
            if ancestor_tag == 'form' and element.form is None:
                element.form = positions.get(ancestor.mem_id)
            elif ancestor_tag == 'label' and element.label is None:
                element.label = positions.get(ancestor.mem_id)
            elif ancestor_tag == 'select' and element.select is None:
                element.select = positions.get(ancestor.mem_id)
            elif ancestor_tag == 'fieldset':
                if ('disabled' in ancestor.attributes
                        and not _is_first_legend(child, ancestor)):
                    element.inherited_disabled = True
            elif ancestor_tag == 'optgroup' and tag == 'option':
                if 'disabled' in ancestor.attributes:
                    element.inherited_disabled = True
            child = ancestor
            ancestor = ancestor.parent
    for element in elements:
        if element.form is _LATE:
            # The owning form comes later in the document.
            element.form = forms_by_id.get(element.attrs['form'])
    _associate_table_forms(elements)
    return elements


_TABLE_PARTS = frozenset(('table', 'tbody', 'thead', 'tfoot', 'tr'))
_CONTROLS = frozenset(('input', 'button', 'select', 'textarea'))


def _associate_table_forms(elements):
    """Give the controls of a ``<table><form>...</form></table>`` their form.

    A form start tag directly inside a table makes an empty form element:
    the rows that follow cannot go into it.  Browsers still associate the
    controls parsed before ``</form>`` with it (the parser's form element
    pointer).  The tree no longer tells where ``</form>`` was, so this
    takes the controls without a form that follow such a form in the same
    table, up to the next form.
    """
    table = owner = None
    for position, element in enumerate(elements):
        tag = element.tag
        if tag == 'form':
            table = owner = None
            parent = element.handle.parent
            if parent is not None and parent.tag in _TABLE_PARTS:
                while parent is not None and parent.tag != 'table':
                    parent = parent.parent
                table, owner = parent, position
        elif (table is not None and tag in _CONTROLS
              and element.form is None and 'form' not in element.attrs
              and _inside(element.handle, table)):
            element.form = owner


def _inside(node, ancestor):
    wanted = ancestor.mem_id
    node = node.parent
    while node is not None:
        if node.mem_id == wanted:
            return True
        node = node.parent
    return False


def _is_first_legend(child, fieldset):
    """Whether ``child`` is the fieldset's first legend child, whose
    controls a disabled fieldset leaves enabled."""
    if child.tag != 'legend':
        return False
    for sibling in fieldset.iter():
        if sibling.tag == 'legend':
            return sibling.mem_id == child.mem_id
    return False


class _ParsedElement(Element):
    """An Element whose attributes and text are read from the parsed tree
    on first use; its handle is the selectolax node."""

    __slots__ = ()

    @property
    def attrs(self):
        if self._attrs is None:
            self._attrs = {key: value or '' for key, value
                           in self.handle.attributes.items()}
        return self._attrs

    @property
    def text(self):
        if self._text is None:
            self._text = self.handle.text(deep=True)
        return self._text
