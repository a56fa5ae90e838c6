"""The ZooKeeper runners against a real ZooKeeper server.

One standalone server (Debian's ``zookeeper``) serves the whole module;
each test provisions its own tree with kazoo, as an operator would, and
runs real worker and ``zkresumelb`` processes on 127.0.0.1.  Sessions
are capped at 3 s by the server, so a process stopped with SIGSTOP loses
its session within a few seconds.
"""
import itertools
import json
import os
import signal
import socket
import unittest

from zc.resumelb.status import read_status
from zc.resumelb.tests.test_processes import Processes
from zc.resumelb.tests.test_processes import free_port
from zc.resumelb.tests.test_processes import request
from zc.resumelb.tests.test_processes import wait_for
from zc.resumelb.tests.test_processes import wait_for_workers
from zc.resumelb.tests.zkserver import ZooKeeperServer
from zc.resumelb.worker import get_resume

WORKER = ('import sys; from zc.resumelb.tests.procs import app;'
          ' from zc.resumelb.zk import worker;'
          ' worker(app, {}, sys.argv[1], sys.argv[2], loggers="INFO",'
          ' address="127.0.0.1:0", description=sys.argv[3], version="1")')
LB = 'import sys; from zc.resumelb.zk import lbmain; sys.exit(lbmain())'


class ZooKeeperLayer:
    """The server and a kazoo client for provisioning, once per module."""

    @classmethod
    def setUp(cls):
        try:
            import kazoo.client
        except ImportError:
            raise AssertionError(
                'kazoo is missing: it comes with the test extra,'
                ' zc.resumelb[test] (pip install kazoo)') from None
        cls.server = ZooKeeperServer()
        cls.server.start()
        try:
            cls.client = kazoo.client.KazooClient(cls.server.hosts,
                                                  timeout=10)
            cls.client.start(timeout=15)
        except Exception:
            cls.server.stop()
            raise

    @classmethod
    def tearDown(cls):
        cls.client.stop()
        cls.client.close()
        cls.server.stop()


class ZooKeeperTests(unittest.TestCase):

    layer = ZooKeeperLayer

    def setUp(self):
        self.zk = ZooKeeperLayer.client
        self.hosts = ZooKeeperLayer.server.hosts
        self.classes = itertools.count()
        # The zc.zk layout, with the workers node a link to a pool kept
        # outside the LB's subtree.
        self.root = '/' + self._testMethodName
        self.lb_path = f'{self.root}/lb'
        self.pool_path = f'{self.root}/pool'
        self.lb_settings = {'workers ->': '../pool'}
        self.zk.create(self.pool_path, b'{}', makepath=True)
        self.addCleanup(self.zk.delete, self.root, recursive=True)
        self.zk.create(f'{self.pool_path}/providers')
        self.zk.create(self.lb_path, json.dumps(self.lb_settings).encode())
        self.zk.create(f'{self.lb_path}/providers')
        # Cleanups run last-in first-out: the processes stop before
        # their tree is deleted.
        self.procs = Processes(self.addCleanup)

    # Processes and registrations

    def registrations(self, providers):
        """``{pid: (node name, properties, stat)}`` under ``providers``."""
        found = {}
        for name in self.zk.get_children(providers):
            try:
                data, stat = self.zk.get(f'{providers}/{name}')
            except Exception:  # gone between listing and reading
                continue
            props = json.loads(data)
            found[props['pid']] = (name, props, stat)
        return found

    def registered(self, providers, proc):
        return wait_for(
            lambda: self.registrations(providers).get(proc.pid),
            what=f'pid {proc.pid} registered under {providers}')

    def worker(self, description):
        proc = self.procs.spawn(
            f'worker-{description}',
            ['-c', WORKER, self.hosts, f'{self.lb_path}/workers',
             description])
        name, _, _ = self.registered(f'{self.pool_path}/providers', proc)
        host, port = name.split(':')
        proc.addr = (host, int(port))
        return proc

    def lb(self, *options):
        self.status_path = os.path.join(self.procs.dir, 'status.sock')
        proc = self.procs.spawn(
            'lb', ['-c', LB, '-L', 'INFO', '-a', '127.0.0.1:0',
                   '-s', self.status_path, *options, self.hosts,
                   self.lb_path])
        name, _, _ = self.registered(f'{self.lb_path}/providers', proc)
        proc.port = int(name.split(':')[1])
        return proc

    def status(self):
        return read_status(self.status_path)

    def lb_workers(self):
        return [w[0] for w in self.status()['workers']]

    def fresh_class(self):
        return f'class{next(self.classes)}.test'

    def terminate(self, proc):
        proc.send_signal(signal.SIGTERM)
        self.assertEqual(proc.wait(15), 0, self.procs.log(proc))

    def assertGone(self, providers, proc):
        wait_for(lambda: proc.pid not in self.registrations(providers),
                 what=f'pid {proc.pid} gone from {providers}')

    # Tests

    def test_register_serve_join_and_leave(self):
        first = self.worker('first')
        providers = f'{self.pool_path}/providers'
        name, props, stat = self.registrations(providers)[first.pid]
        self.assertEqual(name, '%s:%d' % first.addr)
        self.assertEqual(first.addr[0], '127.0.0.1')
        self.assertEqual(
            props, {'pid': first.pid, 'description': 'first',
                    'version': '1'})
        self.assertNotEqual(stat.ephemeralOwner, 0)
        acl, = self.zk.get_acls(f'{providers}/{name}')[0]
        self.assertEqual((acl.id.scheme, acl.id.id), ('world', 'anyone'))

        lb = self.lb()
        name, props, stat = self.registrations(
            f'{self.lb_path}/providers')[lb.pid]
        self.assertEqual(name, f'127.0.0.1:{lb.port}')
        self.assertEqual(props, {'pid': lb.pid})
        self.assertNotEqual(stat.ephemeralOwner, 0)
        status, body, _ = request(lb.port, host=self.fresh_class())
        self.assertEqual((status, int(body)), (200, first.pid))

        second = self.worker('second')
        wait_for_workers(lb.port, {first.pid, second.pid})
        self.assertEqual(self.lb_workers(),
                         sorted('%s:%d' % w.addr for w in (first, second)))

        self.terminate(first)
        self.assertGone(providers, first)
        wait_for(lambda: self.lb_workers() == ['%s:%d' % second.addr],
                 what='the LB to drop the first worker')
        for _ in range(10):
            status, body, _ = request(lb.port, host=self.fresh_class())
            self.assertEqual((status, int(body)), (200, second.pid))

        self.terminate(lb)
        self.assertGone(f'{self.lb_path}/providers', lb)

    def test_settings_follow_the_tree(self):
        worker = self.worker('only')
        lb = self.lb()
        wait_for_workers(lb.port, {worker.pid})

        # Worker settings: history 1 and max_skill_age 1 keep only the
        # classes of the last two requests in the résumé.
        def resume_after_three():
            triple = [self.fresh_class() for _ in range(3)]
            for host in triple:
                self.assertEqual(request(lb.port, host=host)[0], 200)
            return triple, set(get_resume(worker.addr))

        def pruned():
            triple, resume = resume_after_three()
            return resume == set(triple[1:])
        self.zk.set(self.pool_path,
                    json.dumps({'history': 1, 'max_skill_age': 1}).encode())
        wait_for(pruned, what='history 1 to reach the worker')
        self.zk.set(self.pool_path, b'{}')

        def kept():
            triple, resume = resume_after_three()
            return resume >= set(triple)
        wait_for(kept, what='default history back on the worker')

        # LB settings: with one worker, strictly alternating get and put
        # drive the pool's mean backlog to d/(1+d), where the decay
        # d = 1 - 1/(2 backlog_history).
        def idle_status():
            status = self.status()
            return status if status['backlog'] == 0 else None

        def one_request():
            self.assertEqual(
                request(lb.port, host=self.fresh_class())[0], 200)
            # The LB may put the worker back after the client has the
            # response; the next request must not overtake that.
            return wait_for(idle_status, what='the request to be put back')

        def mean_backlog_reaches(expected):
            def check():
                for _ in range(20):
                    status = one_request()
                return abs(status['mean_backlog'] - expected) < 0.003
            return check

        def d_over_1_plus_d(backlog_history):
            d = 1 - 1 / (2 * backlog_history)
            return d / (1 + d)

        for backlog_history in (1, 2):
            self.zk.set(self.lb_path, json.dumps(dict(
                self.lb_settings,
                backlog_history=backlog_history)).encode())
            wait_for(mean_backlog_reaches(d_over_1_plus_d(backlog_history)),
                     what=f'backlog_history {backlog_history} on the LB')
        self.zk.set(self.lb_path, json.dumps(self.lb_settings).encode())
        wait_for(mean_backlog_reaches(d_over_1_plus_d(9)),
                 what='the default backlog_history back on the LB')

    def test_registrations_come_back_after_session_expiry(self):
        first = self.worker('first')
        lb = self.lb()
        wait_for_workers(lb.port, {first.pid})
        providers = f'{self.pool_path}/providers'
        lb_providers = f'{self.lb_path}/providers'
        owners = {
            first.pid: self.registrations(providers)[first.pid][2]
            .ephemeralOwner,
            lb.pid: self.registrations(lb_providers)[lb.pid][2]
            .ephemeralOwner,
        }

        # Stopped processes send no heartbeats: the server expires their
        # sessions and deletes their nodes.
        for proc in (first, lb):
            proc.send_signal(signal.SIGSTOP)
            self.addCleanup(proc.send_signal, signal.SIGCONT)
        self.assertGone(providers, first)
        self.assertGone(lb_providers, lb)
        for proc in (first, lb):
            proc.send_signal(signal.SIGCONT)

        _, _, stat = self.registered(providers, first)
        self.assertNotEqual(stat.ephemeralOwner, owners[first.pid])
        _, _, stat = self.registered(lb_providers, lb)
        self.assertNotEqual(stat.ephemeralOwner, owners[lb.pid])
        status, body, _ = request(lb.port, host=self.fresh_class())
        self.assertEqual((status, int(body)), (200, first.pid))

        # The LB's watch on the providers survived its new session.
        second = self.worker('second')
        wait_for_workers(lb.port, {second.pid})

    def test_a_relinked_pool_is_followed(self):
        first = self.worker('first')
        lb = self.lb()
        wait_for_workers(lb.port, {first.pid})

        # The operator moves the pool: a new node, the link re-pointed,
        # the old node deleted (with the worker's registration in it).
        pool2 = f'{self.root}/pool2'
        self.zk.create(pool2, b'{}')
        self.zk.create(f'{pool2}/providers')
        self.zk.set(self.lb_path, json.dumps(
            {'workers ->': '../pool2'}).encode())
        self.zk.delete(self.pool_path, recursive=True)

        # The running worker follows the link and registers anew; the
        # running LB follows it to the new providers node and so sees
        # both the moved worker and one started afterwards.
        self.registered(f'{pool2}/providers', first)
        self.pool_path = pool2
        second = self.worker('second')
        wait_for(lambda: self.lb_workers() == sorted(
            '%s:%d' % w.addr for w in (first, second)),
            what='the LB to follow the link to both workers')
        wait_for_workers(lb.port, {first.pid, second.pid})

    def test_every_option_through_every_method(self):
        first = self.worker('first')
        metrics_port = free_port()
        page = os.path.join(self.procs.dir, 'sorry.html')
        with open(page, 'w') as f:
            f.write('sorry')
        lb = self.lb('-q', '5', '--drain-timeout', '5', '-t', '5',
                     '--header-timeout', '5', '--max-body-size', '100000',
                     '--max-frame-size', '2000000', '-b', '50', '-m', '20',
                     '-e', page, '-l', 'access', '-v',
                     '-r', 'zc.resumelb.lb:host_classifier',
                     '-p', 'zc.resumelb.lb:Pool',
                     '--metrics', f'127.0.0.1:{metrics_port}')
        wait_for_workers(lb.port, {first.pid})
        for method in ('GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE',
                       'OPTIONS'):
            body = None if method in ('GET', 'HEAD') else b'x' * 5000
            status, answer, _ = request(lb.port, '/echo' if body else '/',
                                        method, body, host='zk.test')
            self.assertEqual(status, 200, method)
            if body:
                self.assertTrue(answer.endswith(b' 5000'), method)
            elif method == 'HEAD':
                self.assertEqual(answer, b'')
        with socket.create_connection(('127.0.0.1', lb.port),
                                      timeout=10) as sock:
            sock.sendall(b'POST /echo HTTP/1.1\r\nHost: a\r\n'
                         b'Content-Length: 100001\r\n\r\n')
            self.assertTrue(sock.recv(100).startswith(b'HTTP/1.1 413'))
        metrics = request(metrics_port, '/metrics')[1].decode()
        self.assertIn('resumelb_responses_total{status="413"} 1', metrics)
        self.assertIn('"GET / HTTP/1.1" 200', self.procs.log(lb))
        self.terminate(lb)
        self.assertFalse(os.path.exists(self.status_path))
