"""``make run``'s launcher, started for real: ZEO, two workers behind the
load balancer, the job runner; stopped with SIGTERM and started again.

The launcher is ``bin/taskboard-run``, next to the ``bin/test`` running
these tests.  It gets a fresh var/ folder and a free port, so that a board
started by ``make run`` on 8080 is left alone.
"""
import contextlib
import io
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.error
import urllib.request

import zc.testbrowser.browser

START_DEADLINE = 90
STOP_DEADLINE = 60


def launcher_script():
    script = os.path.join(os.path.dirname(os.path.abspath(sys.argv[0])),
                          'taskboard-run')
    if not os.path.exists(script):
        raise AssertionError(
            f'{script} is missing: build it with make (the development'
            ' buildout generates it next to bin/test)')
    return script


def free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


class Launch:
    """One run of the launcher, its output appended to var/launcher.out."""

    def __init__(self, var, port, *options):
        self.url = f'http://127.0.0.1:{port}/'
        self.output_path = os.path.join(var, 'launcher.out')
        with open(self.output_path, 'ab') as output:
            self.start = output.tell()
            self.process = subprocess.Popen(
                [launcher_script(), '--var', var, '--port', str(port)]
                + list(options),
                stdin=subprocess.DEVNULL, stdout=output,
                stderr=subprocess.STDOUT)

    def output(self):
        """What this run of the launcher printed (the file is shared)."""
        with open(self.output_path, 'rb') as f:
            f.seek(self.start)
            return f.read().decode('utf-8', 'replace')

    def wait_for_page(self):
        """Wait until the launcher says it runs and the page answers."""
        deadline = time.monotonic() + START_DEADLINE
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(
                    f'the launcher exited with {self.process.returncode}:\n'
                    + self.output())
            if 'Task board running at' not in self.output():
                time.sleep(0.3)
                continue
            try:
                with urllib.request.urlopen(self.url, timeout=5) as page:
                    if page.status == 200:
                        return
            except (OSError, urllib.error.URLError):
                pass
            time.sleep(0.3)
        raise AssertionError(
            f'no page at {self.url} within {START_DEADLINE}s:\n'
            + self.output())

    def terminate(self, signum=signal.SIGTERM):
        self.process.send_signal(signum)
        return self.process.wait(STOP_DEADLINE)

    def stop(self):
        """After a failure: SIGTERM, and SIGKILL if that is not enough."""
        if self.process.poll() is None:
            try:
                self.terminate()
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(STOP_DEADLINE)


class LauncherTestCase(unittest.TestCase):
    """A fresh var/ and a free port for each test."""

    def setUp(self):
        self.var = tempfile.mkdtemp(prefix='taskboard-var-')
        self.port = free_port()
        self.launches = []

    def tearDown(self):
        for launch in self.launches:
            launch.stop()
        shutil.rmtree(self.var)

    options = ()

    def launch(self):
        launch = Launch(self.var, self.port, *self.options)
        self.launches.append(launch)
        launch.wait_for_page()
        return launch

    children = ('jobs', 'lb', 'worker2', 'worker1', 'zeo')

    def assert_stopped_cleanly(self, launch, signum=signal.SIGTERM):
        self.assertEqual(launch.terminate(signum), 0, launch.output())
        output = launch.output().rsplit('Stopping...', 1)[1]
        for name in self.children:
            self.assertIn(f'{name} stopped (exit status 0)', output,
                          launch.output())
        with self.assertRaises(OSError):
            socket.create_connection(('127.0.0.1', self.port), timeout=2)



class LauncherTests(LauncherTestCase):

    def test_a_task_created_through_the_lb_survives_sigterm_and_restart(self):
        launch = self.launch()
        browser = zc.testbrowser.browser.Browser(launch.url)
        browser.getControl('Title').value = 'Survive a restart'
        browser.getControl('Project').value = ['backend']
        browser.getControl('Assignee').value = ['cleo']
        browser.getControl('Add task').click()
        task_url = browser.url
        self.assertRegex(task_url, r'/p/backend/\d+$')

        # Two workers behind the load balancer, on the status page; once a
        # worker served enough of a project's pages (its history: 20), its
        # résumé names the project, the request class.
        for _ in range(30):
            browser.open(launch.url + 'p/docs/')
        browser.getLink('Status').click()
        self.assertEqual(browser.contents.count('class="resume"'), 2)
        self.assertRegex(browser.contents,
                         r'<p class="resume">127\.0\.0\.1:\d+: [^<]*docs: ')
        self.assertIn('Backlog:', browser.contents)
        self.assert_stopped_cleanly(launch)
        # Nothing alarming on the terminal of a run that went well (the
        # launcher's wait for ZEO used to leave a reset connection logged).
        self.assertNotIn(' ERROR ', launch.output())

        launch = self.launch()
        browser = zc.testbrowser.browser.Browser(task_url)
        self.assertIn('Survive a restart', browser.title)
        self.assertIn('Assigned to cleo', browser.contents)
        # The statistics job queued with the task ran in one of the runs.
        deadline = time.monotonic() + START_DEADLINE
        while 'backend</a></td><td>todo: 1' not in browser.contents:
            self.assertLess(time.monotonic(), deadline, browser.contents)
            time.sleep(0.3)
            browser.open(launch.url)
        # Ctrl-C at a terminal: SIGINT reaches the launcher alone (its
        # processes run in sessions of their own).
        self.assert_stopped_cleanly(launch, signal.SIGINT)

    def test_children_stop_when_the_launcher_is_killed_outright(self):
        launch = self.launch()
        browser = zc.testbrowser.browser.Browser(launch.url)
        browser.getControl('Title').value = 'Outlive a SIGKILL'
        browser.getControl('Add task').click()
        task_url = browser.url
        launch.process.kill()
        launch.process.wait(STOP_DEADLINE)
        # The load balancer goes away; the ZEO server too, or the next
        # launch could not lock Data.fs.
        deadline = time.monotonic() + STOP_DEADLINE
        while time.monotonic() < deadline:
            try:
                socket.create_connection(('127.0.0.1', self.port),
                                         timeout=2).close()
            except OSError:
                break
            time.sleep(0.3)
        else:
            self.fail('the load balancer outlived the launcher')
        launch = self.launch()
        browser = zc.testbrowser.browser.Browser(task_url)
        self.assertIn('Outlive a SIGKILL', browser.title)
        self.assert_stopped_cleanly(launch)


class LauncherOptionTests(unittest.TestCase):

    def test_fewer_than_one_worker_is_refused(self):
        from taskboard.launcher import main
        with self.assertRaises(SystemExit) as caught, \
                contextlib.redirect_stderr(io.StringIO()) as stderr:
            main(['--workers', '0'])
        self.assertEqual(caught.exception.code, 2)
        self.assertIn('--workers must be at least 1', stderr.getvalue())

    def test_a_port_in_use_is_refused_before_anything_starts(self):
        with socket.socket() as taken, tempfile.TemporaryDirectory() as var:
            taken.bind(('127.0.0.1', 0))
            taken.listen()
            port = taken.getsockname()[1]
            done = subprocess.run(
                [launcher_script(), '--var', var, '--port', str(port)],
                capture_output=True, text=True, timeout=STOP_DEADLINE)
        self.assertEqual(done.returncode, 1)
        self.assertIn(f'taskboard-run: cannot listen on 127.0.0.1:{port}'
                      ' (Address already in use): choose another --port',
                      done.stderr)
        self.assertNotIn('[zeo]', done.stdout)

    def test_an_unreachable_postgresql_is_named(self):
        port = free_port()
        with tempfile.TemporaryDirectory() as var:
            done = subprocess.run(
                [launcher_script(), '--var', var, '--port', str(free_port()),
                 '--postgresql', f'host=127.0.0.1 port={port} dbname=x'
                 ' connect_timeout=5'],
                capture_output=True, text=True, timeout=STOP_DEADLINE)
        self.assertEqual(done.returncode, 1)
        self.assertIn('taskboard-run: cannot open the database'
                      f' postgresql:host=127.0.0.1 port={port} dbname=x'
                      ' connect_timeout=5:', done.stderr)


class ChildTests(unittest.TestCase):

    def test_a_child_ignoring_sigterm_is_killed_after_the_stop_timeout(self):
        from taskboard.launcher import Child
        from taskboard.launcher import STOP_TIMEOUT
        with contextlib.redirect_stdout(io.StringIO()) as out:
            child = Child('stubborn', [
                '-c', 'import signal, time;'
                ' signal.signal(signal.SIGTERM, signal.SIG_IGN);'
                ' print("ignoring SIGTERM", flush=True); time.sleep(600)'],
                dict(os.environ), ready_line='ignoring SIGTERM')
            self.addCleanup(child.process.kill)
            self.assertTrue(child.ready.wait(START_DEADLINE))
            status = child.stop()
        self.assertEqual(status, -signal.SIGKILL)
        self.assertIn(f'stubborn did not stop in {STOP_TIMEOUT}s:'
                      ' killing it', out.getvalue())
