"""The middleware's SRI and CSP nonce tags in a real browser.

Headless Chromium loads a page whose script and style sheet carry
``integrity`` and the request's CSP nonce: they must run, an inline script
without the nonce must be blocked, and a script altered on its way to the
browser must be refused.
"""
import os
import shutil
import subprocess
import tempfile
import unittest

import webob

import zc.resourcelibrary
from zc.resourcelibrary import resourcelibrary
from zc.resourcelibrary.tests.server import serving
from zc.resourcelibrary.wsgi import ResourceLibraryMiddleware

HERE = os.path.dirname(__file__)
FLAGS = ['--headless', '--no-sandbox', '--disable-gpu',
         '--disable-background-networking', '--disable-component-update',
         '--disable-sync', '--no-first-run', '--virtual-time-budget=5000']

PAGE = '''<!DOCTYPE html>
<html><head><title>SRI and nonces</title></head>
<body>
<script>document.body.setAttribute('data-inline', 'ran');</script>
</body></html>'''


def page(environ, start_response):
    zc.resourcelibrary.need('browser-lib')
    response = webob.Response(PAGE)
    response.headers['Content-Security-Policy'] = "default-src 'self'"
    return response(environ, start_response)


def tampering(app):
    """What a compromised proxy or CDN does: alter the script in transit."""
    def proxy(environ, start_response):
        if not environ['PATH_INFO'].endswith('/app.js'):
            return app(environ, start_response)
        response = webob.Request(environ).get_response(app)
        response.body = response.body.replace(b'script ran', b'hacked!!!!')
        return response(environ, start_response)
    return proxy


def chromium():
    path = shutil.which('chromium')
    if path is None:
        raise AssertionError(
            'chromium not found on PATH: this test needs Debian\'s chromium '
            'package (make test installs it through tools/apt-ensure)')
    return path


def load(url):
    """The page's DOM after loading, and the browser console's messages."""
    with tempfile.TemporaryDirectory() as profile:
        done = subprocess.run(
            [chromium(), *FLAGS, f'--user-data-dir={profile}',
             '--enable-logging=stderr', '--v=0', '--dump-dom', url],
            capture_output=True, text=True, timeout=120)
    if done.returncode:
        raise AssertionError(f'chromium failed ({done.returncode}): '
                             f'{done.stderr[-2000:]}')
    console = [line for line in done.stderr.splitlines()
               if ':CONSOLE' in line]
    return done.stdout, '\n'.join(console)


class ChromiumTests(unittest.TestCase):

    def setUp(self):
        zc.resourcelibrary.register(
            'browser-lib', os.path.join(HERE, 'browser-lib'),
            include=['app.js', 'app.css'])
        self.app = ResourceLibraryMiddleware(
            page, html5=True, integrity=True, csp_nonce=True,
            scripts_at_end=True, versioned=True)

    def tearDown(self):
        del resourcelibrary.library_info['browser-lib']

    def test_scripts_and_styles_with_integrity_and_nonce_run(self):
        with serving(self.app) as url:
            dom, console = load(url + '/')
        self.assertIn('nonce=', dom)
        self.assertIn('integrity="sha384-', dom)
        self.assertIn('<p id="report">script ran; style applied</p>', dom)
        self.assertNotIn("'integrity' attribute", console)

    def test_inline_script_without_the_nonce_is_blocked(self):
        with serving(self.app) as url:
            dom, console = load(url + '/')
        self.assertIn('<p id="report">', dom)
        self.assertNotIn('data-inline="ran"', dom)
        self.assertIn('Executing inline script violates the following '
                      'Content Security Policy directive', console)

    def test_tampered_script_is_refused(self):
        with serving(tampering(self.app)) as url:
            dom, console = load(url + '/')
        self.assertIn('integrity="sha384-', dom)
        self.assertNotIn('id="report"', dom)
        self.assertRegex(console, "Failed to find a valid digest in the "
                         "'integrity' attribute for resource '[^']*/@@/"
                         "browser-lib/app.js")
