"""zc.testbrowser: a programmable browser for functional tests.

``zc.testbrowser.wsgi.Browser`` calls a WSGI application in process;
``zc.testbrowser.browser.Browser`` talks HTTP over real sockets.  Both
share one page model and one set of finding rules.
"""
from zc.testbrowser.interfaces import AlreadyExpiredError
from zc.testbrowser.interfaces import AmbiguityError
from zc.testbrowser.interfaces import BrowserStateError
from zc.testbrowser.interfaces import ExpiredError
from zc.testbrowser.interfaces import HTTPError
from zc.testbrowser.interfaces import ItemCountError
from zc.testbrowser.interfaces import ItemNotFoundError
from zc.testbrowser.interfaces import LinkNotFoundError
from zc.testbrowser.interfaces import ValidationError

__all__ = ['AlreadyExpiredError', 'AmbiguityError', 'BrowserStateError',
           'ExpiredError', 'HTTPError', 'ItemCountError', 'ItemNotFoundError',
           'LinkNotFoundError', 'ValidationError']
