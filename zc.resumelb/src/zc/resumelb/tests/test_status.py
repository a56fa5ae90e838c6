"""Reading a load balancer's status socket."""
import os
import shutil
import tempfile
import unittest

from zc.resumelb.lb import Pool
from zc.resumelb.lb import _status_server
from zc.resumelb.status import read_status


class ReadStatusTests(unittest.TestCase):

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix='zc.resumelb-test-')
        self.addCleanup(shutil.rmtree, self.dir)
        self.path = os.path.join(self.dir, 'status.sock')

    def test_the_status_comes_back_as_a_dict(self):
        server = _status_server(self.path, Pool())
        self.addCleanup(server.close)
        self.assertEqual(read_status(self.path), {
            'backlog': 0, 'mean_backlog': 0, 'workers': [],
            'workers_ex': []})

    def test_closing_the_server_removes_the_socket_file(self):
        server = _status_server(self.path, Pool())
        self.assertTrue(os.path.exists(self.path))
        server.close()
        self.assertFalse(os.path.exists(self.path))
        server.close()  # twice is harmless

    def test_a_missing_socket_raises_file_not_found(self):
        with self.assertRaises(FileNotFoundError):
            read_status(self.path)
