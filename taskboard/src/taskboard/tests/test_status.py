"""The status page's fragment: the load balancer's pool and résumés."""
import json
import os
import socket
import tempfile
import threading
import unittest

import gevent

from zc.resumelb.worker import Worker

from taskboard.status import Status


def app(environ, start_response):
    start_response('200 OK', [('Content-Type', 'text/plain')])
    return [b'ok']


class StatusTests(unittest.TestCase):

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)
        self.socket_path = os.path.join(self.tmp.name, 'lb.sock')

    def serve_status(self, status):
        """A status socket answering ``status`` once, as resumelb -s does."""
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        listener.bind(self.socket_path)
        listener.listen(1)
        listener.settimeout(10)
        self.addCleanup(listener.close)

        def answer():
            connection, _ = listener.accept()
            with connection:
                connection.sendall(json.dumps(status).encode() + b'\n')

        thread = threading.Thread(target=answer, daemon=True)
        thread.start()
        self.addCleanup(thread.join, 10)

    def test_backlogs_and_resumes_are_shown(self):
        worker = Worker(app, ('127.0.0.1', 0))
        self.addCleanup(worker.shutdown)
        worker.new_resume({'docs': 12.5})
        self.serve_status(dict(
            backlog=1, mean_backlog=0.25,
            workers=[['127.0.0.1:1', 1, 0.5, None]], workers_ex=[]))
        status = Status(self.socket_path, [worker.addr])
        html = gevent.spawn(status).get(timeout=30)
        self.assertIn('Backlog: 1; mean backlog: 0.250', html)
        self.assertIn('<td>127.0.0.1:1</td><td>1</td><td>0.500</td>', html)
        self.assertIn(f'{worker.addr[0]}:{worker.addr[1]}: docs: 12.5', html)

    def test_what_cannot_be_reached_is_said_so(self):
        with socket.socket() as sock:
            sock.bind(('127.0.0.1', 0))
            gone = sock.getsockname()
        html = Status(self.socket_path, [gone], timeout=2)()
        self.assertIn('<h2>Load balancer</h2><p>Not reachable:', html)
        self.assertIn(f'{gone[0]}:{gone[1]}: not reachable:', html)
