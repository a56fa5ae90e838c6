"""The real browser beside the WSGI browser, on the same pages.

Prints: Chromium start-up (the layer's one-off cost), the time to a fresh
isolated Browser (a new browser context, opened and closed) after the
first, the time to a fresh Browser after one that loaded a page (whose
page was made ahead meanwhile) beside a context and page made when
asked, beside starting a Chromium per test and (when Selenium is
importable and Debian's chromedriver installed) a new Selenium session,
and the
per-action cost of open, getControl + set + submit and getLink, each
beside the WSGI browser doing the same on the same application.  The
measured functions take turns so that a busy machine slows them alike.
"""
import pathlib
import shutil
import sys
import tempfile
import time

from zc.testbrowser import _chromium
from zc.testbrowser import real
from zc.testbrowser import wsgi

# The same big page and application as the WSGI benchmark.
sys.path.insert(0, str(pathlib.Path(__file__).parent))
import bench_wsgi  # noqa: E402

ROUNDS = 5


def median_ms(func, rounds=ROUNDS):
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        func()
        times.append((time.perf_counter() - start) * 1e3)
    times.sort()
    return times[len(times) // 2]


def start_chromium_ms():
    """Starting a Chromium: what every test would pay without a layer."""
    start = time.perf_counter()
    chromium = _chromium.Chromium()
    elapsed = (time.perf_counter() - start) * 1e3
    chromium.close()
    return elapsed


def selenium_session_ms(executable):
    """A new Selenium session with Debian's chromedriver: Selenium's way
    to a fresh isolated browser (chromedriver refuses to make browser
    contexts).  None when Selenium or chromedriver is not installed."""
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        return None
    driver_path = shutil.which('chromedriver')
    if driver_path is None:
        return None

    def session():
        options = webdriver.ChromeOptions()
        options.binary_location = executable
        with tempfile.TemporaryDirectory() as profile:
            for arg in ('--headless=new', *_chromium.ARGS,
                        f'--user-data-dir={profile}'):
                options.add_argument(arg)
            start = time.perf_counter()
            driver = webdriver.Chrome(options=options,
                                      service=Service(driver_path))
            elapsed = (time.perf_counter() - start) * 1e3
            driver.quit()
        return elapsed
    return sorted(session() for _ in range(3))[1]


def made_ahead_ms(chromium):
    """A Browser made after one that loaded a page (a typical test),
    beside a fresh context and page made when asked (Playwright's own
    way, what a Browser did before pages were made ahead); turn about."""
    ahead, asked, cycle = [], [], []
    real.Browser('http://localhost/', wsgi_app=bench_wsgi.app).close()
    for _ in range(10):
        start = time.perf_counter()
        browser = real.Browser(wsgi_app=bench_wsgi.app)
        made = time.perf_counter()
        browser.open('http://localhost/')
        browser.close()
        end = time.perf_counter()
        ahead.append((made - start) * 1e3)
        cycle.append((end - start) * 1e3)
        start = time.perf_counter()
        context = chromium.browser.new_context(no_viewport=True)
        context.new_page()
        asked.append((time.perf_counter() - start) * 1e3)
        context.close()
    return [sorted(times)[len(times) // 2] for times in (ahead, asked, cycle)]


def main():
    startup = sorted(start_chromium_ms() for _ in range(3))[1]
    chromium = _chromium.Chromium()
    layer_shared = _chromium._shared
    _chromium._shared = chromium
    try:
        real.Browser().close()  # the first context pays for warm-up
        fresh = median_ms(lambda: real.Browser().close(), rounds=10)
        ahead, asked, cycle = made_ahead_ms(chromium)
        chromium_browser = real.Browser(wsgi_app=bench_wsgi.app)
        wsgi_browser = wsgi.Browser(wsgi_app=bench_wsgi.app)

        def operations(browser):
            def open_():
                browser.open('http://localhost/')

            def form():
                browser.open('http://localhost/')
                browser.getControl('Field 25').value = 'changed'
                browser.getControl('Go').click()

            def link():
                browser.open('http://localhost/')
                browser.getLink('Link 150')
            return {'open': open_, 'getControl+submit': form,
                    'getLink': link}

        figures = [f'Chromium start-up {startup:.0f} ms (median of 3)',
                   f'fresh isolated Browser {fresh:.1f} ms (median of 10;'
                   f' {startup / fresh:.1f}x faster than a Chromium per'
                   ' test)',
                   f'fresh Browser after a test that loaded a page'
                   f' {ahead:.1f} ms (its page made ahead during that test;'
                   f' a context and page made when asked {asked:.1f} ms,'
                   f' {asked / ahead:.1f}x; whole test of Browser + open'
                   f' + close {cycle:.1f} ms; medians of 10)']
        selenium = selenium_session_ms(chromium.executable)
        if selenium is None:
            figures.append('Selenium or chromedriver not installed:'
                           ' not compared')
        else:
            figures.append(f'Selenium new session {selenium:.0f} ms'
                           f' ({selenium / fresh:.1f}x the fresh Browser)')
        ours, base = operations(chromium_browser), operations(wsgi_browser)
        for name in ours:
            ours[name]()
            base[name]()
            real_ms = wsgi_ms = float('inf')
            for _ in range(ROUNDS):
                real_ms = min(real_ms, median_ms(ours[name], 1))
                wsgi_ms = min(wsgi_ms, median_ms(base[name], 1))
            figures.append(f'{name} {real_ms:.1f} ms (WSGI browser'
                           f' {wsgi_ms:.2f} ms, {real_ms / wsgi_ms:.0f}x)')
        chromium_browser.close()
    finally:
        _chromium._shared = layer_shared
        chromium.close()
    print('zc.testbrowser real: ' + '; '.join(figures))


if __name__ == '__main__':
    main()
