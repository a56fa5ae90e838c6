"""Post-rendering inclusion of JavaScript and CSS libraries into HTML pages.

Page code calls ``need(name)`` while rendering; the Zope publisher
integration (``zc.resourcelibrary.publication``) or the WSGI middleware
(``zc.resourcelibrary.wsgi``) then inserts the tags of every needed
library, dependencies first, into the finished page.  Libraries are
declared with the ZCML directive ``resourceLibrary`` or with ``register``.
"""
from zc.resourcelibrary.core import register
from zc.resourcelibrary.core import resolve
from zc.resourcelibrary.resourcelibrary import getIncluded
from zc.resourcelibrary.resourcelibrary import getRequired
from zc.resourcelibrary.resourcelibrary import need

__all__ = ['need', 'getRequired', 'getIncluded', 'register', 'resolve']
