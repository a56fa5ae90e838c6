"""ZooKeeper runners against the in-memory fake (§11)."""
import json
import os
import shutil
import tempfile
import unittest
from unittest import mock

import gevent

from zc.resumelb import zk
from zc.resumelb.tests import fakezk


def app(environ, start_response):
    start_response('200 OK', [('Content-Length', '2')])
    return [b'ok']


def props(**values):
    return json.dumps(values).encode()


class Base(unittest.TestCase):

    def setUp(self):
        self.tree = fakezk.Tree()
        patcher = mock.patch.object(zk, 'connect',
                                    lambda hosts: self.tree.client())
        patcher.start()
        self.addCleanup(patcher.stop)

    def make(self, path, data=b''):
        self.tree.create(path, data)

    def settle(self, condition):
        for _ in range(300):
            if condition():
                return
            gevent.sleep(0.01)
        self.fail('condition never met')

    def start_worker(self, path='/lb/workers', **kw):
        worker = zk.worker(app, {}, 'zk:2181', path, run=False, **kw)
        self.addCleanup(worker.stop)
        return worker


class ResolveTests(Base):

    def test_links_and_loops(self):
        self.make('/a', props(**{'b ->': '/real', 'x ->': 'y',
                                 'y ->': 'x'}))
        self.make('/real')
        self.make('/real/providers')
        client = self.tree.client()
        self.assertEqual(zk.resolve(client, '/a/b/providers'),
                         '/real/providers')
        self.assertEqual(zk.resolve(client, '/a/./b/../b'), '/real')
        with self.assertRaises(ValueError):
            zk.resolve(client, '/a/x')
        with self.assertRaises(ValueError):
            zk.resolve(client, '/nowhere')

    def test_properties(self):
        self.make('/j', props(a=1))
        self.make('/t', b'text')
        self.make('/e')
        client = self.tree.client()
        self.assertEqual(zk.properties(client, '/j'), {'a': 1})
        self.assertEqual(zk.properties(client, '/t'),
                         {'string_value': 'text'})
        self.assertEqual(zk.properties(client, '/e'), {})


class WorkerRunnerTests(Base):

    def setUp(self):
        super().setUp()
        self.make('/lb', props(variance=2))
        self.make('/lb/providers')
        self.make('/lb/workers', props(history=32))
        self.make('/lb/workers/providers')

    def test_settings_registration_and_session_loss(self):
        worker = self.start_worker(description='test', version='1',
                                   threads='1')
        self.assertEqual(worker.decay, 0.96875)
        name = '%s:%s' % worker.addr
        self.assertEqual(self.tree.children('/lb/workers/providers'),
                         [name])
        data = json.loads(self.tree.nodes['/lb/workers/providers/' + name])
        self.assertEqual(data, dict(pid=os.getpid(), description='test',
                                    version='1'))
        self.tree.set('/lb/workers', props(max_skill_age=7))
        self.settle(lambda: worker.history == 9999)
        self.assertEqual(worker.max_skill_age, 7)
        worker.zookeeper.lose_session()
        self.settle(lambda: self.tree.children('/lb/workers/providers'))
        worker.zookeeper.stop()
        self.assertEqual(self.tree.children('/lb/workers/providers'), [])

    def test_resume_file_passes_through(self):
        tmp = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, tmp)
        worker = self.start_worker(resume_file=os.path.join(tmp, 'r'))
        self.assertEqual(worker.resume_file, os.path.join(tmp, 'r'))


class LBTests(WorkerRunnerTests):

    def lbmain(self, options=''):
        lb, server = zk.lbmain(f'zk:2181 /lb -a 127.0.0.1:0 {options}')
        self.addCleanup(lb.stop)
        self.addCleanup(server.stop)
        return lb, server

    def test_workers_join_settings_follow_and_lb_registers(self):
        lb, server = self.lbmain()
        self.assertEqual(lb.pool.variance, 2.0)
        self.assertEqual(self.tree.children('/lb/providers'),
                         ['127.0.0.1:%s' % server.address[1]])
        worker = self.start_worker()
        self.settle(lambda: len(lb.pool.workers) == 1)
        body = b''.join(lb.handle_wsgi(
            {'REQUEST_METHOD': 'GET', 'PATH_INFO': '/'}, lambda *a: None))
        self.assertEqual(body, b'ok')
        self.tree.set('/lb', props(variance='3'))
        self.settle(lambda: lb.pool.variance == 3.0)
        worker.zookeeper.stop()
        self.settle(lambda: lb.worker_addrs == {})

    def test_single_version_gets_versions(self):
        lb, server = self.lbmain('-v')
        self.start_worker(version='7')
        self.settle(lambda: len(lb.pool.workers) == 1)
        self.assertEqual(lb.pool.version, '7')

    def test_status_server(self):
        tmp = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, tmp)
        path = os.path.join(tmp, 'status')
        lb, server = self.lbmain(f'-s {path}')
        self.start_worker()
        self.settle(lambda: len(lb.pool.workers) == 1)
        status = zk.read_status(path)
        self.assertEqual(len(status['workers']), 1)

    def test_workers_path_as_a_link(self):
        self.tree.delete('/lb/workers/providers')
        self.tree.delete('/lb/workers')
        self.make('/elsewhere', props(history=5))
        self.make('/elsewhere/providers')
        self.tree.set('/lb', props(**{'workers ->': '/elsewhere'}))
        lb, server = self.lbmain()
        worker = self.start_worker('/lb/workers')
        self.assertEqual(worker.history, 5)
        self.settle(lambda: len(lb.pool.workers) == 1)

    def test_usage_errors(self):
        with self.assertRaises(SystemExit) as context:
            with mock.patch('sys.stderr'):
                zk.lbmain(['only-one-argument'])
        self.assertEqual(context.exception.code, 2)
