"""The contracts of zc.testbrowser: browsers, links, forms, controls, cookies.

Every backend (in-process WSGI, HTTP over sockets, a real browser) returns
objects providing these interfaces.  The exceptions live here too, so that
test code can import them without choosing a backend.
"""
import urllib.error

import zope.interface
import zope.schema


class LinkNotFoundError(IndexError, ValueError):
    """``getLink``/``follow`` found no link, or the index is out of range."""


class AmbiguityError(ValueError):
    """Several controls or forms matched and no index was given."""


class BrowserStateError(RuntimeError):
    """The operation is impossible in the browser's current state.

    For example: no page opened yet, the page is not HTML, the history is
    exhausted.
    """


class RealBrowserUnavailable(BrowserStateError):
    """The real browser cannot start: Chromium or Playwright is missing.

    The message names what is missing and how to install it.
    """


class ExpiredError(Exception):
    """A link, form or control was used after the page changed."""


class AlreadyExpiredError(ValueError):
    """A cookie was created with an expiry date in the past."""


class ItemNotFoundError(ValueError):
    """A value or display value names no item of a list control."""


class ItemCountError(ValueError):
    """Several values were given to a single-valued list control."""


class ValidationError(ValueError):
    """A form failed HTML5 constraint validation (when it is switched on).

    ``problems`` is a list of ``(control name, message)`` pairs, in document
    order, one per invalid control.
    """

    def __init__(self, problems):
        self.problems = list(problems)
        lines = ['form is invalid:'] + [
            f'  {name}: {message}' for name, message in self.problems]
        super().__init__('\n'.join(lines))


HTTPError = urllib.error.HTTPError


class IWait(zope.interface.Interface):

    def wait():
        """Wait for a navigation started by page script (a no-op without)."""


class IBrowser(zope.interface.Interface):
    """A programmable browser."""

    url = zope.interface.Attribute(
        'Absolute URL of the current page, with its fragment, or None.')
    contents = zope.interface.Attribute(
        'Body of the current response: str for textual media types, bytes'
        ' otherwise, None without a page.')
    isHtml = zope.interface.Attribute('Whether the current page is HTML.')
    title = zope.interface.Attribute(
        'Normalised text of the first <title>, None without one.')
    base = zope.interface.Attribute(
        'URL that relative URLs given to open() are resolved against, or'
        ' None to use the current page.')

    def open(url, data=None):
        """Open ``url``; POST ``data`` when given."""

    def reload():
        """Repeat the request that produced the current page."""

    def goBack(count=1):
        """Show the page ``count`` steps back in history, without a request."""

    def getLink(text=None, url=None, id=None, index=0):
        """The ``index``-th link matching all the given criteria."""

    def follow(*args, **kw):
        """``getLink(*args, **kw).click()``."""

    def getControl(label=None, name=None, index=None):
        """The control or item found by label or by name, in any form."""

    def getForm(id=None, name=None, action=None, index=None):
        """A form found by id, name, action regex or index."""


class IHeaders(zope.interface.Interface):

    headers = zope.interface.Attribute(
        'http.client.HTTPMessage of the last response, "Status" first.')

    def addHeader(key, value):
        """Send header ``key: value`` with every later request."""


class ITiming(zope.interface.Interface):

    lastRequestSeconds = zope.interface.Attribute(
        'Wall time of the last request, redirects included, in seconds.')
    lastRequestPystones = zope.interface.Attribute(
        'lastRequestSeconds times a machine speed factor (approximate).')


class IZopeBrowser(IBrowser, IHeaders, ITiming):

    handleErrors = zope.schema.Bool(
        title='Ask the application to handle its own errors', default=True)


class ITestBrowser(IZopeBrowser, IWait):
    """A browser without JavaScript: the WSGI and the HTTP browser."""

    raiseHttpErrors = zope.schema.Bool(
        title='Raise HTTPError for responses with status >= 400',
        default=True)
    followRedirects = zope.schema.Bool(
        title='Follow 301, 302, 303, 307 and 308 responses', default=True)
    validate = zope.schema.Bool(
        title='Refuse to submit forms failing HTML5 constraint validation',
        default=False)
    cookies = zope.interface.Attribute('ICookies for the current URL.')

    def post(url, data, content_type=None):
        """POST ``data`` with ``content_type`` (for this request only)."""


class IRealBrowser(IBrowser, IWait, ITiming):
    """A browser running JavaScript."""

    def execute(js, *args):
        """Run ``js`` as a function body and return its JSON result."""

    def screenshot(path=None):
        """PNG bytes of the window, also written to ``path`` if given."""

    def close():
        """End the browser and every process it started."""


class ILink(zope.interface.Interface):

    url = zope.interface.Attribute('Absolute URL of the link.')
    text = zope.interface.Attribute("Normalised text ('' for <area>).")
    tag = zope.interface.Attribute("'a' or 'area'.")
    attrs = zope.interface.Attribute("Dict of the element's attributes.")

    def click():
        """Follow the link (GET, with a Referer)."""


class IControl(zope.interface.Interface):

    name = zope.interface.Attribute('The name attribute, or None.')
    value = zope.interface.Attribute('The current value.')
    type = zope.interface.Attribute("The kind of control, e.g. 'text'.")
    disabled = zope.interface.Attribute('Whether the control is disabled.')
    multiple = zope.interface.Attribute('Whether it takes several values.')
    readonly = zope.interface.Attribute('Whether the value is read-only.')

    def clear():
        """Reset the value to empty."""


class ITextAreaControl(IControl):
    """A <textarea>."""


class IListControl(IControl):

    options = zope.interface.Attribute('Item values in document order.')
    displayOptions = zope.interface.Attribute('First label of each item.')
    displayValue = zope.interface.Attribute('Labels of the selected items.')
    controls = zope.interface.Attribute('The IItemControls.')

    def getControl(label=None, value=None, index=None):
        """An item found by label or by value."""


class ISubmitControl(IControl):

    def click():
        """Submit the form with this button."""


class IImageSubmitControl(ISubmitControl):

    def click(coord=(1, 1)):
        """Submit the form, clicking the image at ``coord``."""


class IItemControl(zope.interface.Interface):

    control = zope.interface.Attribute('The list control of this item.')
    disabled = zope.interface.Attribute('Whether the item is disabled.')
    selected = zope.interface.Attribute('Whether the item is selected.')
    optionValue = zope.interface.Attribute('The value the item submits.')

    def click():
        """Toggle (checkbox, option) or select (radio) the item."""


class IForm(zope.interface.Interface):

    action = zope.interface.Attribute('Absolute URL the form submits to.')
    method = zope.interface.Attribute("'GET' or 'POST'.")
    enctype = zope.interface.Attribute('How the form data is encoded.')
    name = zope.interface.Attribute('The name attribute, or None.')
    id = zope.interface.Attribute('The id attribute, or None.')
    controls = zope.interface.Attribute('All controls and items.')

    def getControl(label=None, name=None, index=None):
        """A control or item of this form."""

    def submit(label=None, name=None, index=None, coord=None):
        """Submit with the named button, or without submitter."""


class ICookies(zope.interface.Interface):
    """The cookies that would be sent to one URL, as a mutable mapping.

    Besides the mapping protocol: ``url``, ``header``, ``forURL(url)``,
    ``getinfo(name)``, ``iterinfo(name=None)``, ``create(...)``,
    ``change(...)``, ``clearAll()``, ``clearAllSession()``.
    """

    url = zope.interface.Attribute('The URL the view is for.')
    header = zope.interface.Attribute('The Cookie header that would be sent.')

    def forURL(url):
        """The same view for another URL."""

    def getinfo(name):
        """A dict describing the best-matching cookie called ``name``."""

    def iterinfo(name=None):
        """Dicts describing every matching cookie (of ``name``)."""

    def create(name, value, domain=None, expires=None, path=None,
               secure=None, comment=None, commenturl=None, port=None):
        """Create a new cookie for this URL."""

    def change(name, value=None, domain=None, expires=None, path=None,
               secure=None, comment=None, commenturl=None, port=None):
        """Change the best-matching existing cookie called ``name``."""

    def clearAll():
        """Remove every cookie of the jar, for all URLs."""

    def clearAllSession():
        """Remove every session cookie of the jar."""


class IPageModel(zope.interface.Interface):
    """What a backend builds from a document: the contract under finding.

    The links, forms and controls that ``getLink``/``getControl`` search
    are built by ``zc.testbrowser.page.build_page`` from a flat list of
    ``zc.testbrowser.page.Element`` records in document order, one per
    ``a``, ``area``, ``form``, ``label``, ``input``, ``button``, ``select``,
    ``option``, ``textarea``, ``title`` and ``base`` element.  The WSGI and
    HTTP browsers make that list by parsing the response; a real browser
    makes it with one script over the live DOM, passing element handles.
    Acting on the page goes through the methods below, which a live
    backend overrides to act on real elements.
    """

    url = zope.interface.Attribute('URL of the document.')
    base_url = zope.interface.Attribute('URL relative references use.')
    title = zope.interface.Attribute('Normalised title, or None.')
    links = zope.interface.Attribute(
        'LinkRecords in document order: a ``zc.testbrowser.page.Links``,'
        ' which also finds them by text and id.')
    forms = zope.interface.Attribute('FormRecords in document order.')

    def set_value(field, value):
        """Set a text-like field's value."""

    def set_selected(field, item, selected):
        """Select or deselect an item of a list field."""

    def set_file(field, upload):
        """Choose a file (an Upload or None) for a file field."""

    def click_link(link):
        """Follow a link."""

    def press(field):
        """Click a button that does not submit (page script may react)."""

    def reset(form):
        """Restore the form's controls to their initial values."""

    def submit(form, submitter=None, coord=None):
        """Submit the form, clicked with ``submitter`` at ``coord``."""
