"""Real worker and load-balancer processes on 127.0.0.1, real HTTP clients.

Everything here is bounded: process start-up waits, request counts and
client timeouts.
"""
import collections
import concurrent.futures
import hashlib
import http.client
import itertools
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest

from zc.resumelb.status import read_status
from zc.resumelb.worker import get_resume

HOST = '127.0.0.1'
START_TIMEOUT = 20


def free_port():
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def wait_for(predicate, timeout=START_TIMEOUT, what='condition'):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(0.05)
    raise AssertionError(f'timed out waiting for {what}')


class Processes:
    """Starts and always stops the processes of one test."""

    def __init__(self, add_cleanup):
        self.dir = tempfile.mkdtemp(prefix='zc.resumelb-test-')
        self.procs = []
        add_cleanup(self.cleanup)
        self.env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))

    def cleanup(self):
        for proc in self.procs:
            if proc.poll() is None:
                proc.kill()
            proc.wait(10)
        shutil.rmtree(self.dir, ignore_errors=True)

    def spawn(self, name, args):
        log = open(os.path.join(self.dir, name + '.log'), 'ab')
        proc = subprocess.Popen([sys.executable] + args, env=self.env,
                                stdout=log, stderr=subprocess.STDOUT)
        log.close()
        proc.log_path = os.path.join(self.dir, name + '.log')
        self.procs.append(proc)
        return proc

    def log(self, proc):
        with open(proc.log_path, encoding='utf-8', errors='replace') as f:
            return f.read()

    def worker(self, port, **settings):
        args = ['-m', 'zc.resumelb.tests.procs', f'{HOST}:{port}']
        args += [f'{k}={v}' for k, v in settings.items()]
        proc = self.spawn(f'worker{port}', args)
        wait_for(lambda: 'worker listening' in self.log(proc),
                 what=f'worker on {port}')
        return proc

    def paste_worker(self, port, **settings):
        """A worker started by PasteDeploy's server runner from an ini file
        with these [server:main] settings, once it listens."""
        ini = os.path.join(self.dir, 'worker.ini')
        lines = ''.join(f'{name} = {value}\n'
                        for name, value in settings.items())
        with open(ini, 'w') as f:
            f.write(f"""\
[app:main]
paste.app_factory = zc.resumelb.tests.procs:app_factory

[server:main]
use = egg:zc.resumelb
address = {HOST}:{port}
{lines}""")
        worker = self.spawn('paste', [
            '-c', 'from paste.deploy import loadapp, loadserver;'
            f' loadserver("config:{ini}")(loadapp("config:{ini}"))'])
        wait_for(lambda: 'worker listening' in self.log(worker),
                 what='the PasteDeploy worker')
        return worker

    def lb(self, ports, *options):
        args = ['-c', 'import sys; from zc.resumelb.lb import main;'
                ' sys.exit(main())', '-a', f'{HOST}:0', '-L', 'INFO',
                '-l', os.path.join(self.dir, 'access.log')]
        args += list(options) + [f'{HOST}:{p}' for p in ports]
        proc = self.spawn('lb', args)
        match = wait_for(
            lambda: re.search(r'serving on [\d.]+:(\d+)', self.log(proc)),
            what='the load balancer')
        proc.port = int(match.group(1))
        return proc

    def script_worker(self, port, *options, name=None):
        """A worker started with the ``resumelb-worker`` program."""
        args = ['-c', 'import sys; from zc.resumelb.worker import'
                ' worker_main; sys.exit(worker_main())',
                '-a', f'{HOST}:{port}', *options,
                'zc.resumelb.tests.procs:app']
        proc = self.spawn(name or f'worker{port}', args)
        wait_for(lambda: 'worker listening' in self.log(proc),
                 what=f'resumelb-worker on {port}')
        return proc

    def secret_file(self, secret):
        path = os.path.join(self.dir, 'secret')
        with open(path, 'w') as f:
            f.write(secret)
        return path


def request(port, path='/', method='GET', body=None, host='example.com',
            headers=None, timeout=30):
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request(method, path, body=body,
                     headers=dict(headers or {}, Host=host))
        response = conn.getresponse()
        return response.status, response.read(), response
    finally:
        conn.close()


def wait_for_workers(port, pids, host='probe'):
    """Requests until every worker pid in ``pids`` has answered one."""
    seen = set()
    names = itertools.count()

    def probe():
        for _ in range(20):
            # Fresh classes go to the least recently used worker, which
            # is where a (re)joining worker starts.
            status, body, _ = request(port, host=f'{host}{next(names)}')
            if status == 200:
                seen.add(int(body))
        return seen >= pids
    wait_for(probe, what=f'workers {pids}')


class ThreeWorkers:
    """A layer: one LB and three workers shared by its tests."""

    @classmethod
    def setUp(cls):
        cls.cleanups = []
        cls.procs = Processes(cls.cleanups.append)
        cls.ports = ports = [free_port() for _ in range(3)]
        cls.workers = [cls.procs.worker(p, history=5, threads=4)
                       for p in ports]
        cls.status_path = os.path.join(cls.procs.dir, 'status.sock')
        cls.lb = cls.procs.lb(ports, '-t', '2', '-s', cls.status_path)
        wait_for_workers(cls.lb.port, {w.pid for w in cls.workers})

    @classmethod
    def tearDown(cls):
        for cleanup in cls.cleanups:
            cleanup()


class ThreeWorkerTests(unittest.TestCase):

    layer = ThreeWorkers

    def setUp(self):
        self.lb = ThreeWorkers.lb
        self.ports = ThreeWorkers.ports
        self.procs = ThreeWorkers.procs
        self.workers = ThreeWorkers.workers

    def test_each_class_settles_on_one_worker(self):
        port = self.lb.port
        classes = [f'site{i}.com' for i in range(6)]
        for _ in range(10):  # warm-up: résumés form and get published
            for host in classes:
                request(port, host=host)
        shares = []
        conn = http.client.HTTPConnection(HOST, port, timeout=30)
        self.addCleanup(conn.close)
        for host in classes:
            pids = collections.Counter()
            for _ in range(20):
                conn.request('GET', '/', headers={'Host': host})
                pids[conn.getresponse().read()] += 1
            shares.append(max(pids.values()) / 20)
        # Round-robin would give 1/3; résumés concentrate each class.
        self.assertGreater(sum(shares) / len(shares), 0.8, shares)
        self.assertEqual(request(port, host='www.site0.com')[0], 200)

    def test_hundreds_of_concurrent_requests(self):
        def one(i):
            return request(self.lb.port, f'/?{i}', host=f'c{i % 7}')[0]
        with concurrent.futures.ThreadPoolExecutor(32) as pool:
            statuses = list(pool.map(one, range(300)))
        self.assertEqual(statuses, [200] * 300)

    def test_connections_are_kept_alive(self):
        conn = http.client.HTTPConnection(HOST, self.lb.port, timeout=30)
        self.addCleanup(conn.close)
        for _ in range(5):
            conn.request('GET', '/tiny')
            response = conn.getresponse()
            self.assertEqual(response.read(), b'x' * 100)
            self.assertFalse(response.will_close)

    def test_multi_megabyte_upload_and_download(self):
        body = os.urandom(5_000_000)
        status, answer, _ = request(self.lb.port, '/echo', 'POST', body)
        self.assertEqual(
            answer, b'%s %d' % (hashlib.sha256(body).hexdigest().encode(),
                                len(body)))
        status, data, _ = request(self.lb.port, '/bytes?6000000')
        self.assertEqual(len(data), 6_000_000)
        self.assertEqual(data[:512], bytes(range(256)) * 2)

    def test_a_client_that_stops_reading_stalls_nobody(self):
        with socket.socket() as slow:
            slow.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            slow.settimeout(10)
            slow.connect((HOST, self.lb.port))
            slow.sendall(b'GET /bytes?20000000 HTTP/1.1\r\n'
                         b'Host: stall.test\r\n\r\n')
            self.assertTrue(slow.recv(100).startswith(b'HTTP/1.1 200'))
            # The LB spills the rest to a file; the same class (hence
            # the same worker and worker connection) keeps flowing.
            start = time.monotonic()
            for _ in range(20):
                status, body, _ = request(self.lb.port, '/tiny',
                                          host='stall.test', timeout=5)
                self.assertEqual(status, 200)
            self.assertLess(time.monotonic() - start, 5)

    def test_a_chunked_upload_reaches_the_app_whole(self):
        conn = http.client.HTTPConnection(HOST, self.lb.port, timeout=30)
        self.addCleanup(conn.close)
        parts = [os.urandom(70000) for _ in range(5)]
        conn.request('POST', '/echo', body=iter(parts),
                     encode_chunked=True,
                     headers={'Transfer-Encoding': 'chunked'})
        whole = b''.join(parts)
        self.assertEqual(
            conn.getresponse().read(),
            b'%s %d' % (hashlib.sha256(whole).hexdigest().encode(),
                        len(whole)))

    def test_app_error_is_500_and_head_has_no_body(self):
        status, body, _ = request(self.lb.port, '/error')
        self.assertEqual((status, body), (500, b'A system error occurred'))
        conn = http.client.HTTPConnection(HOST, self.lb.port, timeout=30)
        self.addCleanup(conn.close)
        conn.request('HEAD', '/bytes?1000')
        response = conn.getresponse()
        self.assertEqual(response.getheader('Content-Length'), '1000')
        self.assertEqual(response.read(), b'')
        conn.request('GET', '/tiny')  # the connection is still in sync
        self.assertEqual(conn.getresponse().read(), b'x' * 100)

    def raw(self, data, timeout=10):
        """Send ``data``, return all the LB answers until it closes."""
        chunks = []
        with socket.create_connection((HOST, self.lb.port),
                                      timeout=timeout) as sock:
            try:
                sock.sendall(data)
                while True:
                    chunk = sock.recv(65536)
                    if not chunk:
                        break
                    chunks.append(chunk)
            except ConnectionResetError:
                pass  # the LB answered and closed before reading it all
        return b''.join(chunks)

    def test_malformed_and_oversized_requests_are_refused(self):
        self.assertTrue(self.raw(b'GARBAGE\r\n\r\n').startswith(
            b'HTTP/1.1 400'))
        self.assertTrue(self.raw(
            b'GET / HTTP/1.1\r\nHost: x\r\nX-Big: ' + b'a' * 100000
            + b'\r\n\r\n').startswith(b'HTTP/1.1 431'))
        many = b''.join(b'X-H%d: v\r\n' % i for i in range(150))
        self.assertTrue(self.raw(
            b'GET / HTTP/1.1\r\nHost: x\r\n' + many + b'\r\n'
        ).startswith(b'HTTP/1.1 431'))
        self.assertTrue(self.raw(
            b'GET / HTTP/1.1\r\nno colon here\r\n\r\n'
        ).startswith(b'HTTP/1.1 400'))
        self.assertEqual(request(self.lb.port)[0], 200)

    def test_broken_chunked_upload_is_a_400(self):
        answer = self.raw(b'POST /echo HTTP/1.1\r\nHost: x\r\n'
                          b'Transfer-Encoding: chunked\r\n\r\n'
                          b'5\r\nhello\r\nnot hex\r\n')
        self.assertTrue(answer.startswith(b'HTTP/1.1 400 Bad Request'))
        self.assertIn(b"invalid chunk size line b'not hex'", answer)
        self.assertEqual(request(self.lb.port)[0], 200)

    def test_silent_and_slow_clients_time_out(self):
        start = time.monotonic()
        self.assertEqual(self.raw(b'', timeout=10), b'')
        self.assertEqual(
            self.raw(b'POST /echo HTTP/1.1\r\nHost: x\r\n'
                     b'Content-Length: 100\r\n\r\nabc', timeout=10), b'')
        self.assertLess(time.monotonic() - start, 9)
        self.assertEqual(request(self.lb.port)[0], 200)

    def test_the_status_server_lists_the_workers(self):
        status = read_status(ThreeWorkers.status_path)
        self.assertEqual(sorted(status), ['backlog', 'mean_backlog',
                                          'workers', 'workers_ex'])
        self.assertEqual([w[0] for w in status['workers']],
                         sorted(f'{HOST}:{p}' for p in self.ports))

    def test_each_request_gets_an_access_log_line(self):
        request(self.lb.port, '/tiny?log')
        path = os.path.join(self.procs.dir, 'access.log')

        def logged():
            with open(path) as f:
                return [line for line in f if '/tiny?log' in line]
        line, = wait_for(logged, what='the access log line')
        self.assertRegex(
            line, r'^127\.0\.0\.1 - - \[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\]'
            r' "GET /tiny\?log HTTP/1\.1" 200 \d+ \d+\.\d{6}\n$')

    def test_get_worker_resume_script(self):
        port = self.ports[0]
        out = subprocess.run(
            [sys.executable, '-c', 'import sys; from zc.resumelb.worker'
             ' import get_resume_main as m; sys.exit(m())',
             f'{HOST}:{port}'], env=self.procs.env, capture_output=True,
            text=True, timeout=30)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertEqual(out.stdout.splitlines()[0], f'{HOST}:{port}')
        self.assertTrue(out.stdout.splitlines()[1].startswith('{'))
        out = subprocess.run(
            [sys.executable, '-c', 'import sys; from zc.resumelb.worker'
             ' import get_resume_main as m; sys.exit(m())',
             f'{HOST}:{free_port()}'], env=self.procs.env,
            capture_output=True, text=True, timeout=30)
        self.assertEqual(out.returncode, 1)
        self.assertIn('refused', out.stderr.lower())


class FailureTests(unittest.TestCase):

    def setUp(self):
        self.procs = Processes(self.addCleanup)

    def test_worker_killed_mid_request(self):
        a, b = free_port(), free_port()
        worker_a = self.procs.worker(a, threads=4)
        page = os.path.join(self.procs.dir, 'sorry.html')
        with open(page, 'w') as f:
            f.write('<p>Sorry, try again.</p>')
        lb = self.procs.lb([a, b], '-e', page)
        wait_for_workers(lb.port, {worker_a.pid})
        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            get = pool.submit(request, lb.port, '/slow?3', host='g')
            post = pool.submit(request, lb.port, '/slow?3', 'POST', b'data',
                               host='p')
            time.sleep(0.5)
            worker_b = self.procs.worker(b, threads=4)
            wait_for(lambda: 'worker connected' in self.procs.log(worker_b),
                     what='the LB to connect to worker b')
            worker_a.kill()
            worker_a.wait(10)
            status, body, _ = get.result(30)
            self.assertEqual((status, int(body)), (200, worker_b.pid))
            status, body, response = post.result(30)
            self.assertEqual((status, body),
                             (502, b'<p>Sorry, try again.</p>'))
        self.assertEqual(request(lb.port)[0], 200)
        worker_a = self.procs.worker(a, threads=4)
        wait_for_workers(lb.port, {worker_a.pid, worker_b.pid}, 'rejoin')

    def test_sigterm_drains_then_exits_0(self):
        port = free_port()
        worker = self.procs.worker(port, threads=2)
        lb = self.procs.lb([port])
        wait_for_workers(lb.port, set(), 'any')
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            slow = pool.submit(request, lb.port, '/slow?1')
            time.sleep(0.3)
            lb.send_signal(signal.SIGTERM)
            self.assertEqual(slow.result(30)[0], 200)
        self.assertEqual(lb.wait(10), 0)
        worker.send_signal(signal.SIGTERM)
        self.assertEqual(worker.wait(10), 0)

    def test_paste_deploy_runner(self):
        port = free_port()
        worker = self.procs.paste_worker(port, history=2, threads=1)
        lb = self.procs.lb([port])
        for _ in range(2):
            self.assertEqual(request(lb.port, host='paste.test')[0], 200)
        resume = wait_for(lambda: get_resume((HOST, port)),
                          what='a published résumé')
        self.assertEqual(list(resume), ['paste.test'])
        worker.send_signal(signal.SIGTERM)
        self.assertEqual(worker.wait(10), 0)

    def test_two_lb_processes_share_the_socket(self):
        port = free_port()
        worker = self.procs.worker(port, threads=2)
        lb = self.procs.lb([port], '-w', '2')
        wait_for(lambda: self.procs.log(lb).count('serving on') == 2,
                 what='the second LB process')
        wait_for_workers(lb.port, {worker.pid})
        for i in range(20):
            self.assertEqual(request(lb.port, host=f'w{i}')[0], 200)
        lb.send_signal(signal.SIGTERM)
        self.assertEqual(lb.wait(15), 0)
        wait_for(lambda: self.procs.log(lb).count('SIGTERM') == 2,
                 what='the second process to drain')

    def test_a_worker_with_a_secret_serves_an_lb_that_knows_it(self):
        port = free_port()
        secret = self.procs.secret_file('sesame')
        self.procs.worker(port, secret_file=secret)
        lb = self.procs.lb([port], '-k', secret)
        self.assertEqual(request(lb.port)[0], 200)

    def test_command_line_errors(self):
        for args, message in (([], 'must supply one or more worker'),
                              (['--bogus', 'a:1'], 'unrecognized'),
                              (['-r', 'nosuchmodule:x', 'a:1'],
                               'nosuchmodule')):
            out = subprocess.run(
                [sys.executable, '-c', 'import sys; from zc.resumelb.lb'
                 ' import main; sys.exit(main())'] + args,
                env=self.procs.env, capture_output=True, text=True,
                timeout=30)
            self.assertEqual(out.returncode, 2, args)
            self.assertIn(message, out.stderr)
            self.assertIn('usage: resumelb', out.stderr)
