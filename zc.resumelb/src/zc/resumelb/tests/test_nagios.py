"""rlb-nagios and get-lb-status against a fake status socket."""
import contextlib
import io
import json
import os
import shutil
import socket
import tempfile
import threading
import time
import unittest

from zc.resumelb import nagios
from zc.resumelb import zk


class FakeStatusServer:
    """Answers every connection with ``status`` as JSON, like the LB."""

    def __init__(self, test, status):
        self.dir = tempfile.mkdtemp()
        test.addCleanup(shutil.rmtree, self.dir)
        self.path = os.path.join(self.dir, 'status.sock')
        self.listener = socket.socket(socket.AF_UNIX)
        self.listener.bind(self.path)
        self.listener.listen(5)
        self.listener.settimeout(10)
        test.addCleanup(self.listener.close)
        self.data = (json.dumps(status) + '\n').encode()
        self.thread = threading.Thread(target=self.serve_one, daemon=True)
        self.thread.start()
        test.addCleanup(self.thread.join, 10)

    def serve_one(self):
        try:
            sock, _ = self.listener.accept()
        except OSError:
            return
        with sock:
            sock.sendall(self.data)


def run(function, args):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        result = function(args)
    return result, out.getvalue()


def status(workers, backlog=None, mean=None):
    return dict(backlog=backlog if backlog is not None
                else sum(w[1] for w in workers),
                mean_backlog=mean, workers=workers,
                workers_ex=[[w[0], 0] for w in workers])


class NagiosTests(unittest.TestCase):

    def test_needs_thresholds_or_metrics(self):
        self.assertEqual(run(nagios.main, ['/nonexistent']),
                         (3, 'You need to request metrics and/or alert'
                             ' settings\n'))

    def test_unreadable_socket_is_unknown(self):
        code, out = run(nagios.main, ['/nonexistent', '-m'])
        self.assertEqual(code, 3)
        self.assertTrue(out.startswith('UNKNOWN'))

    def test_ok_with_metrics(self):
        server = FakeStatusServer(self, status(
            [['a:1', 1, 1.0, None], ['b:1', 2, 1.5, None]], mean=1.5))
        code, out = run(nagios.main, [server.path, '-b', '5', '-m'])
        self.assertEqual(code, 0)
        self.assertEqual(out, 'OK 2 1.5 2 0|workers=2 mean_backlog=1.5'
                              ' max_backlog=2 max_age=0.0seconds\n')

    def test_thresholds_set_the_exit_status(self):
        server = FakeStatusServer(self, status(
            [['a:1', 9, 8.0, time.time() - 100]], mean=8.0))
        code, out = run(nagios.main, [
            server.path, '-b', '5', '-X', '9', '-a', '50', '-A', '1000',
            '-w', '1'])
        self.assertEqual(code, 2)
        self.assertRegex(out, r'^mean backlog high \(8.0\) max backlog high'
                              r' \(9\) max age too high \(10\d\.\d\)'
                              r' too few workers \(1\)\n$')

    def test_age_threshold_alone_counts_and_no_workers_is_handled(self):
        server = FakeStatusServer(self, status([], mean=None))
        code, out = run(nagios.main, [server.path, '-a', '5'])
        self.assertEqual((code, out), (0, 'OK 0 0 0 0\n'))


class GetLBStatusTests(unittest.TestCase):

    def test_the_status_is_printed_as_a_table(self):
        server = FakeStatusServer(self, status(
            [['127.0.0.1:8001', 2, 1.25, time.time() - 3],
             ['127.0.0.1:8000', 0, 0.0, None]], backlog=2, mean=1.0))
        code, out = run(zk.get_lb_status, [server.path])
        lines = out.splitlines()
        self.assertEqual(lines[:4], [
            f'status for {server.path}',
            '  backlog: 2, mean backlog: 1.0',
            '  workers: 2, mean backlog per worker: 0.5',
            ''])
        self.assertEqual(lines[4], '%30s%8s%8s%8s' % (
            'worker', 'backlog', 'mean bl', 'age'))
        self.assertEqual(lines[5], '%30s%8s%8s%8s' % (
            '127.0.0.1:8000', 0, '0.0', '-'))
        self.assertRegex(lines[6], r'127\.0\.0\.1:8001       2     1\.2'
                                   r'     3\.\d$')

    def test_a_bounded_pool_shows_its_settings_and_moved_classes(self):
        server = FakeStatusServer(self, dict(
            status([['127.0.0.1:8000', 0, 0.0, None]]),
            settings=dict(load_factor=1.25, hot_share=0.3,
                          class_history=2000, patience='inf',
                          balance=1.2),
            moved_classes=7))
        code, out = run(zk.get_lb_status, [server.path])
        # After the table, which stays as every pool prints it.
        self.assertEqual(out.splitlines()[3], '')
        self.assertEqual(out.splitlines()[-3:], [
            '',
            '  settings: balance 1.2, class_history 2000, hot_share 0.3,'
            ' load_factor 1.25, patience inf',
            '  moved classes: 7'])

    def test_an_lb_without_workers_says_so(self):
        server = FakeStatusServer(self, status([]))
        code, out = run(zk.get_lb_status, [server.path])
        self.assertEqual(out.splitlines()[1],
                         'This load-balancer has no workers!')
