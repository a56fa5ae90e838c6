"""ZooKeeper runners against the in-memory fake."""
import json
import os
import shutil
import tempfile
import threading
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


class ZooKeeperThreadLayer:
    """Starts the runners' ZooKeeper thread before the tests.

    It lives as long as the process, and gets an entry in threading's
    table on first use of current_thread(); made here, neither is blamed
    on the first test that happens to need the thread.
    """

    @classmethod
    def setUp(cls):
        zk._blocking(threading.current_thread)

    @classmethod
    def tearDown(cls):
        """The thread stays: the runners' next use would start it again."""


class Base(unittest.TestCase):

    layer = ZooKeeperThreadLayer

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
        self.addCleanup(worker.registration.close)
        self.addCleanup(worker.settings_watch.close)
        return worker

    def delete_tree(self, path):
        for child in self.tree.children(path):
            self.delete_tree(f'{path}/{child}')
        self.tree.delete(path)

    def make_pool(self, path, **settings):
        self.make(path, props(**settings))
        self.make(path + '/providers')


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

    def test_node_data_parses_as_properties(self):
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

    def test_registration_retried_until_it_exists(self):
        worker = self.start_worker()
        # The connection drops again while the registration is re-created
        # after a session loss: three attempts fail, the fourth holds.
        self.tree.fail_creates(3)
        worker.zookeeper.lose_session()
        self.assertEqual(self.tree.children('/lb/workers/providers'), [])
        self.settle(lambda: self.tree.children('/lb/workers/providers'))
        self.assertEqual(self.tree.failing_creates, 0)

    def test_closed_registration_stops_retrying(self):
        worker = self.start_worker()
        self.tree.fail_creates(1000)
        worker.zookeeper.lose_session()
        gevent.sleep(0.05)
        worker.registration.close()
        gevent.sleep(0.05)
        left = self.tree.failing_creates
        self.assertLess(left, 1000)
        gevent.sleep(0.5)
        self.assertEqual(self.tree.failing_creates, left)

    def test_settings_follow_a_relinked_or_recreated_node(self):
        self.delete_tree('/lb/workers')
        self.make_pool('/pool1', history=5)
        self.tree.set('/lb', props(**{'workers ->': '/pool1'}))
        worker = self.start_worker()
        name = '%s:%s' % worker.addr
        self.assertEqual(worker.history, 5)
        self.assertEqual(self.tree.children('/pool1/providers'), [name])

        # An operator re-points the link, then removes the old pool.
        self.make_pool('/pool2', history=7)
        self.tree.set('/lb', props(**{'workers ->': '/pool2'}))
        self.delete_tree('/pool1')
        self.settle(lambda: worker.history == 7)
        self.settle(lambda: self.tree.children('/pool2/providers'))
        self.assertEqual(self.tree.children('/pool2/providers'), [name])

        # The node goes away for a while and comes back: the worker keeps
        # its settings meanwhile, then follows the new node.
        self.delete_tree('/pool2')
        gevent.sleep(0.3)
        self.assertEqual(worker.history, 7)
        self.make_pool('/pool2', history=9)
        self.settle(lambda: worker.history == 9)
        self.settle(lambda: self.tree.children('/pool2/providers'))
        # Changes of the new node are followed too.
        self.tree.set('/pool2', props(history=11))
        self.settle(lambda: worker.history == 11)

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
        for closeable in (lb.registration, lb.settings_watch,
                          lb.workers_watch):
            self.addCleanup(closeable.close)
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

    def test_queue_and_response_timeouts_reach_the_lb(self):
        lb, server = self.lbmain('-q 7 --response-timeout 9')
        self.assertEqual((lb.queue_timeout, lb.response_timeout), (7, 9))
        lb, server = self.lbmain('--response-timeout 0')
        self.assertIsNone(lb.response_timeout)

    def test_single_version_gets_versions(self):
        lb, server = self.lbmain('-v')
        self.start_worker(version='7')
        self.settle(lambda: len(lb.pool.workers) == 1)
        self.assertEqual(lb.pool.version, '7')

    def test_the_status_server_answers_with_json(self):
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

    def test_workers_follow_a_relinked_providers_node(self):
        self.delete_tree('/lb/workers')
        self.make_pool('/pool1')
        self.tree.set('/lb', props(**{'workers ->': '/pool1'}))
        lb, server = self.lbmain('-v')
        first = self.start_worker(version='1')
        self.settle(lambda: len(lb.pool.workers) == 1)

        self.make_pool('/pool2')
        self.tree.set('/lb', props(**{'workers ->': '/pool2'}))
        self.delete_tree('/pool1')
        second = zk.worker(app, {}, 'zk:2181', '/pool2', run=False,
                           version='2')
        self.addCleanup(second.stop)
        self.addCleanup(second.registration.close)
        self.addCleanup(second.settings_watch.close)
        # Versions are read from the providers node now followed.
        self.settle(lambda: set(lb.worker_addrs) == {first.addr,
                                                     second.addr})
        self.assertEqual(lb.worker_addrs[second.addr], '2')

        # Deleted and re-created under the same path.
        self.delete_tree('/pool2')
        self.settle(lambda: lb.worker_addrs == {})
        self.make_pool('/pool2')
        self.settle(lambda: set(lb.worker_addrs) == {first.addr,
                                                     second.addr})

    def test_lb_settings_follow_a_recreated_node(self):
        lb, server = self.lbmain()
        name = '127.0.0.1:%s' % server.address[1]
        self.delete_tree('/lb/workers')
        self.delete_tree('/lb')
        gevent.sleep(0.2)
        self.assertEqual(lb.pool.variance, 2.0)
        self.make('/lb', props(variance=5))
        self.make('/lb/providers')
        self.settle(lambda: lb.pool.variance == 5.0)
        self.settle(lambda: self.tree.children('/lb/providers') == [name])

    def test_usage_errors_name_the_problem(self):
        with self.assertRaises(SystemExit) as context:
            with mock.patch('sys.stderr'):
                zk.lbmain(['only-one-argument'])
        self.assertEqual(context.exception.code, 2)
