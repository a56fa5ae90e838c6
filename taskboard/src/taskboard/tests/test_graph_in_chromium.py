"""The dependency graph, drawn by taskgraph.js in headless Chromium.

The page comes from the real application behind zc.resourcelibrary's
middleware, served over HTTP on 127.0.0.1: the script must pass its
integrity check and the Content-Security-Policy (nonce) and draw every
task and dependency.  A screenshot of the drawing is taken too.

Chromium is driven directly (``--dump-dom``, ``--screenshot``) rather than
through a browser library; Debian's ``chromium`` package provides it.
"""
import os
import shutil
import subprocess
import tempfile
import threading
import unittest
import wsgiref.simple_server

import ZODB

from taskboard.launcher import ensure_board
from taskboard.resources import with_resources
from taskboard.web import Application

FLAGS = ['--headless', '--no-sandbox', '--disable-gpu',
         '--disable-background-networking', '--disable-component-update',
         '--disable-sync', '--no-first-run', '--virtual-time-budget=5000',
         '--window-size=900,600', '--hide-scrollbars']
PNG = b'\x89PNG\r\n\x1a\n'


class _QuietHandler(wsgiref.simple_server.WSGIRequestHandler):

    def log_message(self, *args):
        pass


def chromium(*arguments):
    path = shutil.which('chromium')
    if path is None:
        raise AssertionError(
            "chromium not found on PATH: this test needs Debian's chromium"
            ' package (make test installs it through tools/apt-ensure)')
    with tempfile.TemporaryDirectory() as profile:
        done = subprocess.run(
            [path, *FLAGS, f'--user-data-dir={profile}',
             '--enable-logging=stderr', '--v=0', *arguments],
            capture_output=True, text=True, timeout=120)
    if done.returncode:
        raise AssertionError(
            f'chromium failed ({done.returncode}): {done.stderr[-2000:]}')
    return done


class GraphInChromiumTests(unittest.TestCase):

    def setUp(self):
        self.db = ZODB.DB(None)
        self.addCleanup(self.db.close)
        ensure_board(self.db)
        with self.db.transaction() as connection:
            board = connection.root()['taskboard']
            design = board.add_task('Design', 'website', 'ada')
            api = board.add_task('API', 'backend', 'ben')
            build = board.add_task('Build', 'website', 'ben',
                                   [design.id, api.id])
            board.add_task('Ship', 'website', 'cleo', [build.id])
            board.set_state(design, 'done')
        self.server = wsgiref.simple_server.make_server(
            '127.0.0.1', 0, with_resources(Application(self.db)),
            handler_class=_QuietHandler)
        thread = threading.Thread(target=self.server.serve_forever,
                                  daemon=True)
        thread.start()
        self.addCleanup(thread.join, 10)
        self.addCleanup(self.server.shutdown)
        self.url = f'http://127.0.0.1:{self.server.server_port}/p/website/'

    def test_the_script_draws_every_task_and_dependency(self):
        done = chromium('--dump-dom', self.url)
        dom = done.stdout
        # Four tasks: the project's three and the backend task it waits for.
        self.assertIn('data-drawn="4"', dom)
        self.assertEqual(dom.count('<g class="node'), 4)
        self.assertEqual(dom.count('class="edge"'), 3)
        self.assertIn('<g class="node done" data-task="1">', dom)
        self.assertIn('<g class="node blocked" data-task="3">', dom)
        self.assertNotIn('Content Security Policy', done.stderr)
        self.assertNotIn("'integrity' attribute", done.stderr)

    def test_a_screenshot_shows_the_graph(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, 'graph.png')
            chromium(f'--screenshot={path}', self.url)
            with open(path, 'rb') as f:
                image = f.read()
        self.assertTrue(image.startswith(PNG))
        self.assertGreater(len(image), 10_000)  # not a blank page
