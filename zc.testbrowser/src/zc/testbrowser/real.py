"""The real browser: the same API as the WSGI and HTTP browsers, driving
headless Chromium with JavaScript running.

``Browser`` is the browser; ``Layer`` a zope.testrunner layer that starts
one Chromium for all its tests (each Browser still gets a fresh, isolated
browser context); without the layer each Browser starts a Chromium of its
own and ends it on ``close()``.
"""
from zc.testbrowser._chromium import Layer
from zc.testbrowser._chromium import find_chromium
from zc.testbrowser._real import Browser
from zc.testbrowser.interfaces import RealBrowserUnavailable

__all__ = ['Browser', 'Layer', 'RealBrowserUnavailable',
           'find_chromium']
