"""Finding and starting Chromium, one process shared by many browsers.

Playwright drives Chromium over the DevTools protocol through its own
driver process (shipped inside the ``playwright`` wheel); the browser is
Debian's ``chromium``, never a downloaded build.  Starting Chromium takes
a second or more, a fresh browser context (cookies, storage, cache of its
own) only milliseconds, so one ``Chromium`` serves every ``Browser`` of a
test run and each ``Browser`` gets a context of its own.
"""
import atexit
import os
import shutil
import time

from zc.testbrowser._browser import USER_AGENT
from zc.testbrowser.interfaces import RealBrowserUnavailable

CANDIDATES = ('chromium', 'chromium-browser', 'google-chrome')
# Running as root needs --no-sandbox; without the networking switches
# Chromium keeps trying to reach Google's services, which a closed test
# network refuses.
WINDOW_SIZE = (1280, 1024)
# Window size and user agent are Chromium's own: set per page instead, they
# cost every new page a third more time (measured).
ARGS = ('--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage',
        '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update',
        '--disable-sync', '--window-size=%d,%d' % WINDOW_SIZE,
        f'--user-agent={USER_AGENT}')
# How long a Browser waits for the page made ahead for it before making
# its own.
PREPARE_SECONDS = 30
INSTALL_HINT = ('on Debian: apt-get install chromium; or set'
                ' ZC_TESTBROWSER_CHROMIUM to its path')


def find_chromium(executable=None):
    """The path of the Chromium to run.

    ``executable`` if given, else the environment variable
    ``ZC_TESTBROWSER_CHROMIUM``, else the first of ``chromium``,
    ``chromium-browser``, ``google-chrome`` on PATH.
    """
    executable = executable or os.environ.get('ZC_TESTBROWSER_CHROMIUM')
    if executable:
        found = shutil.which(executable)
        if found is None:
            raise RealBrowserUnavailable(
                f'Chromium not found: {executable!r} is not an executable'
                f' ({INSTALL_HINT})')
        return found
    for name in CANDIDATES:
        found = shutil.which(name)
        if found is not None:
            return found
    raise RealBrowserUnavailable(
        'Chromium not found: none of ' + ', '.join(CANDIDATES)
        + f' is on PATH ({INSTALL_HINT})')


def _sync_playwright():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        raise RealBrowserUnavailable(
            'Playwright not found: the real browser needs the playwright'
            ' package (pip install "zc.testbrowser[real]")') from None
    return sync_playwright


_driver = None
_driver_users = 0


def _start_driver():
    """Playwright's driver, one per process: a second one cannot run in
    the same thread."""
    global _driver, _driver_users
    if _driver is None:
        _driver = _sync_playwright()().start()
    _driver_users += 1
    return _driver


def _stop_driver():
    global _driver, _driver_users
    _driver_users -= 1
    if _driver_users == 0:
        driver, _driver = _driver, None
        driver.stop()


class Chromium:
    """One running headless Chromium.

    Playwright gives it a fresh, empty profile directory and removes it on
    ``close()``, which also ends the Chromium processes (and Playwright's
    driver once no Chromium uses it).
    """

    def __init__(self, executable=None, headless=True, args=()):
        self.executable = find_chromium(executable)
        self.headless = headless
        self.args = tuple(args)
        self._playwright = _start_driver()
        try:
            self.browser = self._playwright.chromium.launch(
                executable_path=self.executable, headless=headless,
                args=[*ARGS, *self.args])
        except Exception:
            self._playwright = None
            _stop_driver()
            raise
        self.browsers = 0  # Browsers using this Chromium now
        self._spare = None  # (options, page) made ahead for the next Browser
        self._preparing = False
        self._session = None  # a CDP session to wait on a spare's making
        atexit.register(self.close)

    @property
    def running(self):
        return self._playwright is not None

    def fits(self, executable, headless, args):
        """Whether a Browser asking for these can share this Chromium."""
        return (self.running and find_chromium(executable) == self.executable
                and headless == self.headless and tuple(args) == self.args)

    def new_page(self, **options):
        """The page of a fresh browser context made with ``options``.

        A spare page made ahead by ``prepare`` with the same options is
        handed out (once it is made); otherwise one is made now.
        """
        self._finish_preparing()
        spare, self._spare = self._spare, None
        if spare is not None:
            spare_options, page = spare
            if spare_options == options:
                return page
            page.context.close()
        return self.browser.new_context(**options).new_page()

    def _finish_preparing(self):
        """Let a spare page being made get done.

        Its making goes on only while this thread waits on Playwright: ask
        Chromium something trivial until it is done (or gave up).
        """
        if not self._preparing:
            return
        if self._session is None:
            self._session = self.browser.new_browser_cdp_session()
        deadline = time.monotonic() + PREPARE_SECONDS
        while self._preparing and time.monotonic() < deadline:
            self._session.send('Browser.getVersion')

    def prepare(self, **options):
        """Make a fresh context and page ahead, for the next ``new_page``.

        A new page is most of the cost of a fresh Browser: Chromium starts
        a renderer process for every browser context.  Called from a
        Playwright event handler, which runs in a greenlet of its own,
        the making waits there while the event loop goes on serving the
        caller's own requests, so the renderer starts while the current
        test is busy with its pages.
        """
        if self._spare is not None or self._preparing or not self.running:
            return
        self._preparing = True
        try:
            page = self.browser.new_context(**options).new_page()
        except Exception:
            # Chromium was closed meanwhile: nothing to keep.
            return
        finally:
            self._preparing = False
        if self.running and self._spare is None:
            self._spare = (options, page)
        else:
            page.context.close()

    def close(self):
        if self._playwright is None:
            return
        self._playwright = None
        self._spare = self._session = None
        atexit.unregister(self.close)
        try:
            self.browser.close()
        finally:
            _stop_driver()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()


_shared = None


def shared():
    """The Chromium a Layer started, or None."""
    return _shared if _shared is not None and _shared.running else None


class Layer:
    """A zope.testrunner layer: one Chromium for all its tests.

    Every ``zc.testbrowser.real.Browser`` made while it is set up uses it
    (when it asks for the same executable, headless mode and arguments)
    and gets a fresh browser context of its own.  Where Chromium cannot
    start, ``setUp`` raises ``RealBrowserUnavailable`` naming what is
    missing, so the layer's tests fail rather than pass unseen.
    """

    __bases__ = ()

    def __init__(self, name='zc.testbrowser.real.Layer', executable=None,
                 headless=True, args=()):
        # zope.testrunner shows a layer as module.name: give the dotted
        # name the layer is importable as.
        self.__module__, _, self.__name__ = name.rpartition('.')
        self.executable = executable
        self.headless = headless
        self.args = args

    def setUp(self):
        global _shared
        if shared() is not None:
            raise AssertionError('a Chromium layer is already set up')
        _shared = Chromium(self.executable, self.headless, self.args)

    def tearDown(self):
        global _shared
        chromium, _shared = _shared, None
        if chromium is not None:
            chromium.close()
