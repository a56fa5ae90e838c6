"""The dependency graph, drawn by taskgraph.js in headless Chromium.

zc.testbrowser's real browser drives Debian's Chromium: once with the
application behind zc.resourcelibrary's middleware served by this process
on 127.0.0.1, and once as a user meets it, through the load balancer that
the launcher starts.  The graph script must pass its integrity check and
the Content-Security-Policy (nonce) and draw every task and dependency;
a task added through the page's form must show up in the drawing.
"""
import os
import tempfile
import threading
import time
import unittest
import wsgiref.simple_server

import ZODB

from zc.testbrowser import real

from taskboard.launcher import ensure_board
from taskboard.resources import with_resources
from taskboard.tests.test_launcher import LauncherTestCase
from taskboard.web import Application

CHROMIUM = real.Layer('taskboard.tests.test_graph_in_chromium.CHROMIUM')
PNG = b'\x89PNG\r\n\x1a\n'
DRAW_DEADLINE = 10  # seconds for the script to draw after the page loaded

# The drawing as data: one record per box and the number of arrows.
DRAWING = '''
    var container = document.getElementById('task-graph');
    var nodes = document.querySelectorAll('#task-graph g.node');
    return {
        drawn: container && container.dataset.drawn,
        edges: document.querySelectorAll('#task-graph path.edge').length,
        nodes: Array.prototype.map.call(nodes, function (g) {
            return [g.getAttribute('class'), g.dataset.task,
                    g.querySelector('text').textContent];
        })
    };
'''

# What the browser reported against the page's policies so far.  The
# observer is buffered: it also receives the reports made before it
# existed, while the page loaded; they arrive in a task of their own, so
# it listens for a moment.  Integrity failures are not reported this way
# (only on the console): the script's having drawn proves it passed.
VIOLATIONS = '''
    return new Promise(function (resolve) {
        var seen = [];
        function note(reports) {
            reports.forEach(function (report) {
                seen.push(report.body.effectiveDirective + ' '
                          + report.body.blockedURL);
            });
        }
        var observer = new ReportingObserver(note, {
            types: ['csp-violation'], buffered: true});
        observer.observe();
        setTimeout(function () {
            note(observer.takeRecords());
            observer.disconnect();
            resolve(seen);
        }, 250);
    });
'''


def wait_for_drawing(browser, count):
    """Wait, bounded, until the graph script drew ``count`` tasks.

    Polled with ``execute``: the browser's ``waitFor`` evaluates its
    expression with ``eval``, which the page's policy (no 'unsafe-eval')
    refuses.
    """
    deadline = time.monotonic() + DRAW_DEADLINE
    while time.monotonic() < deadline:
        drawing = browser.execute(DRAWING)
        if drawing['drawn'] == str(count):
            return drawing
        time.sleep(0.05)
    raise AssertionError(
        f'the graph script did not draw {count} tasks within'
        f' {DRAW_DEADLINE} s: {drawing}')


class _QuietHandler(wsgiref.simple_server.WSGIRequestHandler):

    def log_message(self, *args):
        pass


def serve(test, app):
    """Serve ``app`` on 127.0.0.1 for the test; its URL.

    Over HTTP rather than through the browser's ``wsgi_app`` mode: that
    mode hands the server requests without the Host the browser asked
    for, so the resource library's absolute URLs would name another
    origin than the page's, and Chromium would refuse the script.
    """
    server = wsgiref.simple_server.make_server(
        '127.0.0.1', 0, app, handler_class=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    test.addCleanup(server.server_close)
    test.addCleanup(thread.join, 10)
    test.addCleanup(server.shutdown)
    return f'http://127.0.0.1:{server.server_port}/'


def example_board(db):
    """Four tasks: three of website and the backend task it waits for."""
    ensure_board(db)
    with db.transaction() as connection:
        board = connection.root()['taskboard']
        design = board.add_task('Design', 'website', 'ada')
        api = board.add_task('API', 'backend', 'ben')
        build = board.add_task('Build', 'website', 'ben',
                               [design.id, api.id])
        board.add_task('Ship', 'website', 'cleo', [build.id])
        board.set_state(design, 'done')


class GraphInProcessTests(unittest.TestCase):

    layer = CHROMIUM

    def setUp(self):
        self.db = ZODB.DB(None)
        self.addCleanup(self.db.close)
        example_board(self.db)
        self.url = serve(self, with_resources(Application(self.db)))
        self.browser = real.Browser(window_size=(900, 600))
        self.addCleanup(self.browser.close)
        self.browser.open(self.url + 'p/website/')
        self.drawing = wait_for_drawing(self.browser, 4)

    def test_the_script_draws_every_task_and_dependency(self):
        drawing = self.drawing
        self.assertEqual(drawing['edges'], 3)
        self.assertEqual(drawing['nodes'], [
            ['node done', '1', '#1 Design'],
            ['node ', '2', '#2 API'],
            ['node blocked', '3', '#3 Build'],
            ['node blocked', '4', '#4 Ship'],
        ])

    def test_the_page_loads_without_policy_violations(self):
        self.assertEqual(self.browser.execute(VIOLATIONS), [])
        # The script that drew came through the resource library with
        # its integrity hash and the nonce.
        script = self.browser.execute(
            "var s = document.querySelector('script[src*=taskgraph]');"
            ' return [!!s.integrity, !!s.nonce];')
        self.assertEqual(script, [True, True])
        # So did the style sheet; one refused has no rules to apply.
        rules = self.browser.execute(
            "var l = document.querySelector('link[href*=board]');"
            ' return [!!l.integrity, l.sheet ? l.sheet.cssRules.length : 0];')
        self.assertTrue(rules[0])
        self.assertGreater(rules[1], 0)

    def test_the_violation_check_sees_a_script_the_policy_refuses(self):
        # The page's policy refuses an inline script without the nonce;
        # the check above must be able to see that.
        self.browser.execute(
            "var s = document.createElement('script');"
            " s.textContent = 'window.ran = true';"
            ' document.body.appendChild(s);')
        self.assertEqual(self.browser.execute('return window.ran'), None)
        self.assertEqual(self.browser.execute(VIOLATIONS),
                         ['script-src-elem inline'])

    def test_a_task_added_through_the_form_joins_the_graph(self):
        browser = self.browser
        browser.getControl('Title').value = 'Announce'
        browser.getControl('Assignee').value = ['ada']
        browser.getControl('Waits for').value = ['4']
        browser.getControl('Add task').click()
        self.assertEqual(browser.url, self.url + 'p/website/5')
        browser.open(self.url + 'p/website/')
        drawing = wait_for_drawing(browser, 5)
        self.assertEqual(drawing['edges'], 4)
        self.assertEqual(drawing['nodes'][-1],
                         ['node blocked', '5', '#5 Announce'])
        self.assertEqual(browser.execute(VIOLATIONS), [])

    def test_a_screenshot_shows_the_graph(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, 'graph.png')
            image = self.browser.screenshot(path)
            with open(path, 'rb') as f:
                self.assertEqual(f.read(), image)
        self.assertTrue(image.startswith(PNG))
        self.assertGreater(len(image), 10_000)  # not a blank page


class GraphThroughTheLoadBalancerTests(LauncherTestCase):

    layer = CHROMIUM

    def test_a_user_adds_tasks_and_sees_the_graph_grow(self):
        launch = self.launch()
        project = launch.url + 'p/website/'
        with real.Browser(launch.url) as browser:
            browser.getLink('website').click()
            # No tasks, nothing to draw.
            self.assertEqual(browser.execute(
                "return document.getElementById('task-graph')"), None)
            browser.getControl('Title').value = 'Design'
            browser.getControl('Add task').click()
            self.assertEqual(browser.url, project + '1')

            browser.open(project)
            wait_for_drawing(browser, 1)
            browser.getControl('Title').value = 'Build'
            browser.getControl('Assignee').value = ['ben']
            browser.getControl('Waits for').value = ['1']
            browser.getControl('Add task').click()

            browser.open(project)
            drawing = wait_for_drawing(browser, 2)
            self.assertEqual(drawing['edges'], 1)
            self.assertEqual(drawing['nodes'], [
                ['node ', '1', '#1 Design'],
                ['node blocked', '2', '#2 Build'],
            ])
            self.assertEqual(browser.execute(VIOLATIONS), [])
        self.assert_stopped_cleanly(launch)
