"""The page model of a live document in Chromium.

One script over the DOM returns the elements the page model needs, in
document order, each with the *current* state a user sees (values typed,
boxes checked, options selected) and a number that stands for the element
(its handle) for as long as the document lives.  ``LivePage`` acts on
those elements through the browser, so page script sees every change.
"""
from zc.testbrowser import page as _page
from zc.testbrowser.interfaces import ExpiredError

# The document property holding this browser's state in the page: the
# document's token, the numbered elements, and whether it is being left.
KEY = '__zcTestbrowser'

# Marks the document as seen by the browser.  A navigation away (link,
# submission, script) sets ``leaving`` first, through the Navigation API.
ADOPT = '''([key, token]) => {
  const state = document[key] = {token, ids: new Map(), next: 0,
                                 leaving: false};
  if (window.navigation) {
    navigation.addEventListener('navigate', (event) => {
      if (!event.destination.sameDocument) state.leaving = true;
    });
  }
  return document.contentType;
}'''

# The document's content type and Elements; no Elements when the document
# is not the adopted one any more.
COLLECT = '''([key, token]) => {
  const state = document[key];
  if (!state || state.token !== token || state.leaving) {
    return [document.contentType, null];
  }
  const nodes = document.querySelectorAll(
    'a[href], area[href], form, label, input, button, select, option,'
    + ' textarea, title, base');
  const position = new Map();
  nodes.forEach((node, i) => position.set(node, i));
  const at = (node) => node ? (position.get(node) ?? null) : null;
  const result = [];
  for (const node of nodes) {
    let id = node[key];
    if (id === undefined || state.ids.get(id) !== node) {
      id = node[key] = state.next++;
      state.ids.set(id, node);
    }
    const tag = node.localName;
    const attrs = {};
    for (const attr of node.attributes) attrs[attr.name] = attr.value;
    let text = '', form = null, label = null, select = null;
    let inherited = false;
    if (tag === 'input' || tag === 'button' || tag === 'select'
        || tag === 'textarea' || tag === 'option') {
      inherited = node.matches(':disabled') && !node.hasAttribute('disabled');
    }
    if (tag === 'input') {
      const type = (attrs.type || '').toLowerCase();
      if (type === 'checkbox' || type === 'radio') {
        if (node.checked) attrs.checked = ''; else delete attrs.checked;
      } else if (!['submit', 'image', 'button', 'reset', 'file']
                 .includes(type)) {
        attrs.value = node.value;
      }
    } else if (tag === 'option') {
      if (node.selected) attrs.selected = ''; else delete attrs.selected;
      text = node.textContent;
      select = at(node.closest('select'));
    } else if (tag === 'textarea') {
      text = node.value;
    } else if (tag !== 'select' && tag !== 'form' && tag !== 'base') {
      text = node.textContent;
    }
    if (tag === 'input' || tag === 'button' || tag === 'select'
        || tag === 'textarea') {
      form = at(node.form);
    }
    if (tag !== 'label' && node.parentElement) {
      label = at(node.parentElement.closest('label'));
    }
    result.push([tag, attrs, text, form, label, select, id, inherited]);
  }
  return [document.contentType, result];
}'''

# One action on a numbered element: 'gone' when the document was
# replaced, 'stale' when the element left the document.
ACT = '''([key, id, action, argument]) => {
  const state = document[key];
  if (!state) return 'gone';
  const node = state.ids.get(id);
  if (!node || !node.isConnected) return 'stale';
  const fire = (target, type) =>
    target.dispatchEvent(new Event(type, {bubbles: true}));
  switch (action) {
    case 'value': {
      const proto = node.localName === 'textarea'
        ? HTMLTextAreaElement.prototype : HTMLInputElement.prototype;
      node.focus();
      Object.getOwnPropertyDescriptor(proto, 'value').set.call(
        node, argument);
      fire(node, 'input');
      fire(node, 'change');
      return node.value;
    }
    case 'check':
      if (node.checked !== argument) {
        if (argument || node.type === 'checkbox') {
          node.click();
        } else {
          node.checked = false;
          fire(node, 'input');
          fire(node, 'change');
        }
      }
      return node.checked;
    case 'option': {
      node.selected = argument;
      // A user deselects an option by choosing another: only choosing
      // tells page script.
      const select = node.closest('select');
      if (select && argument) {
        fire(select, 'input');
        fire(select, 'change');
      }
      return node.selected;
    }
    case 'box': {
      // Where a user would click: the element's first box, scrolled into
      // view; null when the element cannot be seen.
      if (node.checkVisibility && !node.checkVisibility()) return null;
      node.scrollIntoView({block: 'center', inline: 'center'});
      const box = node.getClientRects()[0];
      if (!box || !box.width || !box.height) return null;
      return [box.left, box.top, box.width, box.height];
    }
    case 'click':
      node.click();
      return true;
    // From the prototype: a control named "reset" or "submit" hides the
    // form's own method.
    case 'reset':
      HTMLFormElement.prototype.reset.call(node);
      return true;
    case 'submit':
      HTMLFormElement.prototype.submit.call(node);
      return true;
  }
  throw new Error('unknown action ' + action);
}'''

STALE = ('stale', 'gone')


def elements_from(records):
    """page.Elements from what COLLECT returned."""
    return [_page.Element(tag, attrs, text, form, label, select, handle,
                          inherited)
            for tag, attrs, text, form, label, select, handle, inherited
            in records]


def describe(element):
    """``<input name='q' type='text'>``: an element as a reader knows it."""
    shown = ''.join(f" {key}='{element.attrs[key]}'"
                    for key in ('id', 'name', 'type', 'value', 'href')
                    if key in element.attrs)
    return f'<{element.tag}{shown}>'


def _signature(element):
    attrs = element.attrs
    return (element.tag, attrs.get('id'), attrs.get('name'),
            attrs.get('type'), attrs.get('href'),
            attrs.get('value') if element.tag in ('option', 'button')
            or attrs.get('type') in ('checkbox', 'radio', 'submit') else None)


class LivePage(_page.Page):
    """A Page whose actions happen on the live elements in Chromium."""

    def __init__(self, browser, elements, url, charset='utf-8',
                 navigate=None):
        super().__init__(elements, url, charset, navigate)
        self.browser = browser

    def _act(self, element, action, argument=None):
        result = self.browser._act(element.handle, action, argument)
        if result == 'stale':
            # Page script replaced the element: find its counterpart.
            self._refind(element)
            result = self.browser._act(element.handle, action, argument)
        if result in STALE:
            raise ExpiredError(
                f'{describe(element)} belongs to a page that is no longer'
                ' shown')
        return result

    def _refind(self, element):
        """Point ``element`` at the element now in its place, the one with
        the same tag, id, name, type and value at the same rank."""
        wanted = _signature(element)
        rank = sum(1 for other in self.elements[:self.elements.index(element)]
                   if _signature(other) == wanted)
        now = self.browser._elements()
        if now is None:
            raise ExpiredError(
                f'{describe(element)} belongs to a page that is no longer'
                ' shown')
        same = [other for other in now if _signature(other) == wanted]
        if rank >= len(same):
            raise ExpiredError(
                f'{describe(element)} is no longer in the page: page script'
                ' removed it')
        element.handle = same[rank].handle

    def set_value(self, field, value):
        field.value = self._act(field.element, 'value', value)
        self.browser._settle()

    def set_selected(self, field, item, selected):
        action = 'option' if item.element.tag == 'option' else 'check'
        self._act(item.element, action, selected)
        super().set_selected(field, item, selected)
        self.browser._settle()

    def set_file(self, field, upload):
        handle = self.browser._element_handle(field.element)
        if handle is None:
            self._refind(field.element)
            handle = self.browser._element_handle(field.element)
        if upload is None:
            handle.set_input_files([])
        else:
            handle.set_input_files([{
                'name': upload.filename, 'mimeType': upload.content_type,
                'buffer': upload.data}])
        field.upload = upload

    def click_link(self, link):
        self._click(link.element)

    def press(self, field):
        self._click(field.element)

    def reset(self, form):
        self._act(form.element, 'reset')
        super().reset(form)

    def submit(self, form, submitter=None, coord=None):
        if submitter is None:
            # Like script calling form.submit(): no submit event.
            self._act(form.element, 'submit')
            self.browser._settle()
        else:
            self._click(submitter.element, coord)

    def _click(self, element, coord=None):
        """A real click where a user could click, else a script click."""
        box = self._act(element, 'box')
        if box is None:
            self._act(element, 'click')
        else:
            left, top, width, height = box
            if coord is None:
                self.browser._mouse_click(left + width / 2, top + height / 2)
            else:
                # Image buttons: the offset from the top left corner.
                self.browser._mouse_click(left + coord[0], top + coord[1])
        self.browser._settle()
