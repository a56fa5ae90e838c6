"""What operators do, with real processes: restarts, timeouts, options."""
import concurrent.futures
import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import unittest

from zc.resumelb.tests.test_processes import HOST
from zc.resumelb.tests.test_processes import Processes
from zc.resumelb.tests.test_processes import free_port
from zc.resumelb.tests.test_processes import request
from zc.resumelb.tests.test_processes import wait_for
from zc.resumelb.tests.test_processes import wait_for_workers
from zc.resumelb.worker import get_resume

METHODS = ('GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS')


class OperationTests(unittest.TestCase):

    def setUp(self):
        self.procs = Processes(self.addCleanup)

    def test_a_rolling_restart_under_load_answers_every_request(self):
        ports = [free_port() for _ in range(3)]
        workers = [self.procs.script_worker(p, '--threads', '2')
                   for p in ports]
        lb = self.procs.lb(ports)
        wait_for_workers(lb.port, {w.pid for w in workers})
        stop = threading.Event()

        def client(n):
            statuses = []
            conn = http.client.HTTPConnection(HOST, lb.port, timeout=30)
            try:
                for i in range(100000):  # bounded; ends with the restarts
                    if stop.is_set():
                        break
                    if i % 2:
                        conn.request('POST', '/echo', body=b'x' * 1000,
                                     headers={'Host': f'c{n}-{i % 5}'})
                    else:
                        conn.request('GET', '/', headers={'Host': f'c{n}'})
                    response = conn.getresponse()
                    response.read()
                    statuses.append(response.status)
            finally:
                conn.close()
            return statuses

        with concurrent.futures.ThreadPoolExecutor(3) as pool:
            clients = [pool.submit(client, n) for n in range(3)]
            try:
                for i, port in enumerate(ports):
                    time.sleep(0.3)
                    workers[i].send_signal(signal.SIGTERM)
                    self.assertEqual(workers[i].wait(20), 0)
                    workers[i] = self.procs.script_worker(
                        port, '--threads', '2', name=f'worker{port}-new')
                    wait_for(lambda: 'worker connected' in self.procs.log(
                        workers[i]), what='the LB to reconnect')
                time.sleep(0.3)
            finally:
                stop.set()
            statuses = [s for c in clients for s in c.result(60)]
        self.assertGreater(len(statuses), 30)
        self.assertEqual({s for s in statuses}, {200})
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
            self.assertEqual(worker.wait(20), 0)

    def test_every_worker_and_lb_option_through_every_method(self):
        self.every_option('-v', '2', '--backlog-history', '5',
                          '--unskilled-score', '0.5',
                          '-p', 'zc.resumelb.lb:Pool')

    def test_every_bounded_pool_option_through_every_method(self):
        self.every_option('--load-factor', '1.5', '--hot-share', '0.4',
                          '--class-history', '50', '--balance', '1.3',
                          '--patience', '2',
                          '-p', 'zc.resumelb.lb:BoundedPool')
        self.assertEqual(self.status['settings'], dict(
            load_factor=1.5, hot_share=0.4, class_history=50,
            patience=2.0, balance=1.3))

    def every_option(self, *pool_options):
        """Every option of the worker and of the LB (the pool's given),
        on requests of every method, with and without bodies."""
        port = free_port()
        secret = self.procs.secret_file('sesame\n')
        resume = os.path.join(self.procs.dir, 'resume')
        worker = self.procs.script_worker(
            port, '--threads', '3', '--history', '2', '--max-skill-age',
            '20', '--resume-file', resume, '--tracelog', 'trace',
            '-k', secret, '--max-frame-size', '2000000',
            '--drain-timeout', '5')
        page = os.path.join(self.procs.dir, 'sorry.html')
        with open(page, 'w') as f:
            f.write('sorry')
        lb = self.procs.lb(
            [port], '-k', secret, '-q', '5', '--drain-timeout', '5',
            '-t', '5', '-b', '50', '-m', '20', '-e', page,
            '--header-timeout', '5', '--max-body-size', '6000000',
            '--response-timeout', '30',
            '--max-frame-size', '2000000',
            '-r', 'zc.resumelb.lb:host_classifier', *pool_options,
            '-s', os.path.join(self.procs.dir, 'status.sock'))
        for method in METHODS:
            for body in (None, b'', b'data' * 1000):
                if body is not None and method in ('GET', 'HEAD'):
                    continue
                with self.subTest(method=method, body=body):
                    status, answer, response = request(
                        lb.port, '/echo' if body else '/', method, body,
                        host='opts.test')
                    self.assertEqual(status, 200)
                    if method == 'HEAD':
                        self.assertEqual(answer, b'')
                    elif body:
                        self.assertTrue(answer.endswith(b' 4000'))
        # Large bodies both ways pass the 2 MB frame limit in pieces.
        big = os.urandom(5_000_000)
        status, answer, _ = request(lb.port, '/echo', 'POST', big)
        self.assertEqual((status, answer[-8:]), (200, b' 5000000'))
        status, data, _ = request(lb.port, '/bytes?5000000')
        self.assertEqual((status, len(data)), (200, 5_000_000))
        with socket.create_connection((HOST, lb.port), timeout=10) as sock:
            sock.sendall(b'PUT /echo HTTP/1.1\r\nHost: a\r\n'
                         b'Content-Length: 6000001\r\n\r\n')
            self.assertTrue(sock.recv(100).startswith(
                b'HTTP/1.1 413 Content Too Large'))
        log = self.procs.log(worker)
        self.assertRegex(log, r'B 0\.\d+ \S+ \S+ HEAD /')
        self.assertRegex(log, r'I 0\.\d+ \S+ \S+ 0')
        wait_for(lambda: os.path.exists(resume), what='the résumé file')
        with socket.socket(socket.AF_UNIX) as sock:
            sock.settimeout(10)
            sock.connect(os.path.join(self.procs.dir, 'status.sock'))
            self.status = json.loads(sock.makefile().readline())
        lb.send_signal(signal.SIGTERM)
        self.assertEqual(lb.wait(20), 0)
        self.assertFalse(os.path.exists(
            os.path.join(self.procs.dir, 'status.sock')))
        worker.send_signal(signal.SIGTERM)
        self.assertEqual(worker.wait(20), 0)

    def test_without_a_usable_worker_requests_get_503_in_time(self):
        port = free_port()
        self.procs.script_worker(port, '-k', self.procs.secret_file('x'))
        lb = self.procs.lb([port], '-q', '1')
        start = time.monotonic()
        status, _, response = request(lb.port)
        self.assertEqual(status, 503)
        self.assertEqual(response.getheader('Retry-After'), '5')
        self.assertLess(time.monotonic() - start, 10)
        time.sleep(1)
        log = self.procs.log(lb)
        self.assertEqual(log.count('unreachable'), 1, log)
        self.assertNotIn('Traceback', log)
        lb.send_signal(signal.SIGTERM)
        self.assertEqual(lb.wait(20), 0)

    def test_sigterm_cuts_what_outlives_the_drain_timeout(self):
        port = free_port()
        self.procs.script_worker(port, '--threads', '2')
        lb = self.procs.lb([port], '--drain-timeout', '1')
        wait_for_workers(lb.port, set(), 'any')
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            slow = pool.submit(request, lb.port, '/slow?8')
            time.sleep(0.5)
            start = time.monotonic()
            lb.send_signal(signal.SIGTERM)
            self.assertEqual(lb.wait(20), 0)
            self.assertLess(time.monotonic() - start, 7)
            try:
                status = slow.result(30)[0]
            except (OSError, http.client.HTTPException):
                status = None
            self.assertIn(status, (None, 502))
        self.assertIn('cut off 1 requests', self.procs.log(lb))

    def test_a_worker_that_crashes_outside_the_app_is_a_prompt_500(self):
        port = free_port()
        self.procs.script_worker(port, '--tracelog', 'trace')
        lb = self.procs.lb([port])
        # A HEAD without a body once crashed tracing workers for good.
        for method in ('HEAD', 'GET', 'DELETE'):
            status, _, _ = request(lb.port, '/', method, timeout=10)
            self.assertEqual(status, 200)
        status, body, _ = request(lb.port, '/error', timeout=10)
        self.assertEqual((status, body), (500, b'A system error occurred'))

    def metric(self, port, name):
        conn = http.client.HTTPConnection(HOST, port, timeout=10)
        try:
            conn.request('GET', '/metrics')
            text = conn.getresponse().read().decode()
        finally:
            conn.close()
        match = re.search(rf'^{re.escape(name)} (\S+)$', text, re.M)
        return match and float(match.group(1))

    def test_a_hung_application_gets_504_within_the_response_timeout(self):
        port, metrics_port = free_port(), free_port()
        worker = self.procs.script_worker(port, '--threads', '2',
                                          '--tracelog', 'trace')
        lb = self.procs.lb([port], '--response-timeout', '1',
                           '--metrics', f'{HOST}:{metrics_port}')
        wait_for_workers(lb.port, {worker.pid})
        start = time.monotonic()
        status, body, _ = request(lb.port, '/slow?3', timeout=30,
                                  host='hung.test')
        self.assertEqual(status, 504)
        self.assertEqual(body, b'The application did not answer in time.\n')
        self.assertLess(time.monotonic() - start, 2.9)
        # The worker still serves the others meanwhile.
        self.assertEqual(request(lb.port, timeout=10, host='ok.test')[0],
                         200)
        log = self.procs.log(lb)
        self.assertEqual(log.count('sent nothing for'), 1, log)
        self.assertIn('sent nothing for GET /slow in 1.0 seconds: 504', log)
        self.assertNotIn('Traceback', log)
        self.assertEqual(self.metric(
            metrics_port, 'resumelb_response_timeouts_total'), 1)
        self.assertEqual(self.metric(
            metrics_port, 'resumelb_responses_total{status="504"}'), 1)
        # The LB cancelled the request at the worker: when the app
        # returns, the worker drops its response, and so it does not
        # count in the worker's résumé.
        trace_id = re.search(r'\bB (\S+) .*GET /slow',
                             self.procs.log(worker)).group(1)
        wait_for(lambda: re.search(rf'\bE {re.escape(trace_id)} ',
                                   self.procs.log(worker)),
                 what='the application to return')
        resume = get_resume((HOST, port))
        self.assertIn('ok.test', resume)
        self.assertNotIn('hung.test', resume)
        lb.send_signal(signal.SIGTERM)
        self.assertEqual(lb.wait(20), 0)

    def test_a_response_that_stalls_after_it_started_is_cut_off(self):
        port, metrics_port = free_port(), free_port()
        worker = self.procs.script_worker(port, '--threads', '2')
        lb = self.procs.lb([port], '--response-timeout', '1',
                           '--metrics', f'{HOST}:{metrics_port}')
        wait_for_workers(lb.port, {worker.pid})
        start = time.monotonic()
        with self.assertRaises(http.client.IncompleteRead):
            request(lb.port, '/stall?8', timeout=30)
        self.assertLess(time.monotonic() - start, 6)
        log = self.procs.log(lb)
        self.assertEqual(log.count('sent nothing for'), 1, log)
        self.assertIn('sent nothing for GET /stall in 1.0 seconds:'
                      ' closing the client connection', log)
        self.assertEqual(self.metric(
            metrics_port, 'resumelb_response_timeouts_total'), 1)
        self.assertEqual(request(lb.port, timeout=10)[0], 200)

    def test_progress_from_the_worker_resets_the_response_timeout(self):
        port = free_port()
        worker = self.procs.script_worker(port)
        lb = self.procs.lb([port], '--response-timeout', '1')
        wait_for_workers(lb.port, {worker.pid})
        # Four seconds in all, never more than 0.4 s without a piece.
        status, body, _ = request(lb.port, '/drip?0.4', timeout=30)
        self.assertEqual((status, body), (200, b'drop ' * 10))
        self.assertNotIn('sent nothing', self.procs.log(lb))

    def test_response_timeout_with_queue_and_drain_timeouts_and_a_secret(
            self):
        port = free_port()
        secret = self.procs.secret_file('sesame')
        worker = self.procs.script_worker(port, '--threads', '1',
                                          '-k', secret)
        lb = self.procs.lb([port], '-k', secret, '--response-timeout', '2',
                           '-q', '1', '--drain-timeout', '10', '-t', '5',
                           '--header-timeout', '5')
        wait_for_workers(lb.port, {worker.pid})
        with concurrent.futures.ThreadPoolExecutor(2) as pool:
            hung = pool.submit(request, lb.port, '/slow?8', host='h')
            time.sleep(0.5)
            # The only worker thread is taken; SIGTERM now waits for the
            # hung request, which the response timeout ends first.
            start = time.monotonic()
            lb.send_signal(signal.SIGTERM)
            self.assertEqual(hung.result(30)[0], 504)
            self.assertEqual(lb.wait(20), 0)
            self.assertLess(time.monotonic() - start, 8)
        log = self.procs.log(lb)
        self.assertNotIn('cut off', log)
        self.assertIn('sent nothing for GET /slow in 2.0 seconds: 504', log)

    def test_a_paste_deploy_worker_drains_within_its_drain_timeout(self):
        port = free_port()
        worker = self.procs.paste_worker(port, threads=1, drain_timeout=1)
        lb = self.procs.lb([port])
        wait_for_workers(lb.port, {worker.pid})
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            # A POST, which the LB does not retry elsewhere.
            slow = pool.submit(request, lb.port, '/slow?30', 'POST', b'x')
            time.sleep(0.5)
            start = time.monotonic()
            worker.send_signal(signal.SIGTERM)
            self.assertEqual(worker.wait(20), 0)
            self.assertLess(time.monotonic() - start, 6)
            self.assertEqual(slow.result(30)[0], 502)
        self.assertIn('stopping with application threads still busy',
                      self.procs.log(worker))

    def test_a_hung_application_thread_cannot_hold_a_worker_past_its_drain(
            self):
        port = free_port()
        worker = self.procs.script_worker(port, '--threads', '1',
                                          '--drain-timeout', '1')
        lb = self.procs.lb([port])
        wait_for_workers(lb.port, {worker.pid})
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            slow = pool.submit(request, lb.port, '/slow?30', 'POST', b'x')
            time.sleep(0.5)
            start = time.monotonic()
            worker.send_signal(signal.SIGTERM)
            self.assertEqual(worker.wait(20), 0)
            self.assertLess(time.monotonic() - start, 6)
            self.assertEqual(slow.result(30)[0], 502)

    def test_a_paste_deploy_drain_timeout_must_be_seconds(self):
        out = subprocess.run(
            [sys.executable, '-c', 'from zc.resumelb.worker import'
             ' server_runner; server_runner(None, {}, "127.0.0.1:0",'
             ' drain_timeout="soon")'],
            env=self.procs.env, capture_output=True, text=True, timeout=60)
        self.assertNotEqual(out.returncode, 0)
        self.assertIn("drain_timeout must be a number of seconds,"
                      " not 'soon'", out.stderr)

    def test_a_late_request_head_gets_408(self):
        port = free_port()
        self.procs.script_worker(port)
        lb = self.procs.lb([port], '--header-timeout', '0.5', '-t', '10')
        with socket.create_connection((HOST, lb.port), timeout=10) as sock:
            sock.sendall(b'GET / HTTP/1.1\r\nHost: a\r\n')
            start = time.monotonic()
            answer = b''
            for _ in range(100):  # bounded: ends when the LB closes
                data = sock.recv(4096)
                if not data:
                    break
                answer += data
        self.assertLess(time.monotonic() - start, 5)
        self.assertTrue(answer.startswith(
            b'HTTP/1.1 408 Request Timeout\r\n'), answer)
        self.assertIn(b'Connection: close', answer)
        # Heads that arrive in time are served as before.
        with socket.create_connection((HOST, lb.port), timeout=10) as sock:
            sock.sendall(b'GET / HTTP/1.1\r\nHost: a\r\n\r\n')
            self.assertIn(b' 200 ', sock.recv(4096))


class ScriptTests(unittest.TestCase):

    def setUp(self):
        self.procs = Processes(self.addCleanup)

    def run_script(self, module, function, *args):
        return subprocess.run(
            [sys.executable, '-c', f'import sys; from {module} import'
             f' {function} as m; sys.exit(m())', *args],
            env=self.procs.env, capture_output=True, text=True, timeout=60)

    def test_every_option_of_every_script_has_help(self):
        for module, function in (('zc.resumelb.lb', 'main'),
                                 ('zc.resumelb.zk', 'lbmain'),
                                 ('zc.resumelb.worker', 'worker_main'),
                                 ('zc.resumelb.worker', 'get_resume_main'),
                                 ('zc.resumelb.zk', 'get_lb_status'),
                                 ('zc.resumelb.nagios', 'main')):
            out = self.run_script(module, function, '--help')
            self.assertEqual(out.returncode, 0, out.stderr)
            # argparse puts an option's help on its line or the next;
            # an option without help is followed by another option.
            lines = out.stdout.splitlines()
            listed = lines[lines.index('positional arguments:') + 1:]
            for i, line in enumerate(listed, lines.index(
                    'positional arguments:') + 1):
                if line and not line.startswith(' '):
                    continue  # a section title
                # An argument's line is indented by two spaces; its help
                # follows on the same line or, indented further, the next.
                if re.match(r'  \S', line) and '  ' not in line.strip():
                    following = lines[i + 1] if i + 1 < len(lines) else ''
                    self.assertTrue(
                        re.match(r' {4,}\S', following),
                        f'{function}: {line.strip()} has no help')

    def test_resumelb_worker_serves_a_paste_deploy_file(self):
        port = free_port()
        ini = os.path.join(self.procs.dir, 'app.ini')
        with open(ini, 'w') as f:
            f.write('[app:main]\npaste.app_factory ='
                    ' zc.resumelb.tests.procs:app_factory\n')
        worker = self.procs.spawn('paste', [
            '-c', 'import sys; from zc.resumelb.worker import worker_main;'
            ' sys.exit(worker_main())', '-a', f'{HOST}:{port}', ini])
        wait_for(lambda: f'worker listening on {HOST}:{port}'
                 in self.procs.log(worker), what='the worker')
        lb = self.procs.lb([port])
        self.assertEqual(request(lb.port)[0], 200)
        worker.send_signal(signal.SIGTERM)
        self.assertEqual(worker.wait(20), 0)

    def test_resumelb_worker_names_a_bad_application(self):
        out = self.run_script('zc.resumelb.worker', 'worker_main',
                              'no_colon')
        self.assertEqual(out.returncode, 2)
        self.assertIn("invalid application 'no_colon'", out.stderr)
        out = self.run_script('zc.resumelb.worker', 'worker_main',
                              'missing.ini')
        self.assertIn("no such file 'missing.ini'", out.stderr)

    def test_resumelb_names_a_bad_pool_setting(self):
        out = self.run_script('zc.resumelb.lb', 'main', '-p',
                              'zc.resumelb.lb:BoundedPool', '--balance',
                              '0.5', '127.0.0.1:1')
        self.assertEqual(out.returncode, 2)
        self.assertIn('Error: balance must be at least 1, got 0.5',
                      out.stderr)

    def test_get_lb_status_errors_in_one_line(self):
        path = os.path.join(self.procs.dir, 'nothing.sock')
        out = self.run_script('zc.resumelb.zk', 'get_lb_status', path)
        self.assertEqual(out.returncode, 1)
        self.assertEqual(out.stderr.count('\n'), 1, out.stderr)
        self.assertIn(path, out.stderr)
