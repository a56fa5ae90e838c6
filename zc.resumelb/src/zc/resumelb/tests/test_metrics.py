"""The Prometheus endpoint: rendering, and a real LB process serving it."""
import http.client
import re
import signal
import unittest

from zc.resumelb import metrics
from zc.resumelb.lb import LB
from zc.resumelb.lb import host_classifier
from zc.resumelb.tests.test_processes import HOST
from zc.resumelb.tests.test_processes import Processes
from zc.resumelb.tests.test_processes import free_port
from zc.resumelb.tests.test_processes import request
from zc.resumelb.tests.test_processes import wait_for_workers


class RenderTests(unittest.TestCase):

    def setUp(self):
        self.lb = LB([], host_classifier)
        self.addCleanup(self.lb.stop)
        self.metrics = metrics.Metrics(self.lb)

    def test_counts_and_the_queue_wait_histogram(self):
        for status in (200, 200, 503):
            self.metrics.response(status)
        self.metrics.queue_wait(0.003)
        self.metrics.queue_wait(2.0)
        text = self.metrics.render()
        self.assertIn('resumelb_responses_total{status="200"} 2\n', text)
        self.assertIn('resumelb_responses_total{status="503"} 1\n', text)
        self.assertIn('resumelb_queue_wait_seconds_bucket{le="0.001"} 0\n',
                      text)
        self.assertIn('resumelb_queue_wait_seconds_bucket{le="0.005"} 1\n',
                      text)
        self.assertIn('resumelb_queue_wait_seconds_bucket{le="+Inf"} 2\n',
                      text)
        self.assertIn('resumelb_queue_wait_seconds_count 2\n', text)
        self.assertIn('resumelb_worker_connections 0\n', text)

    def test_every_sample_line_is_well_formed(self):
        self.metrics.response(200)
        for line in self.metrics.render().splitlines():
            if not line.startswith('#'):
                self.assertRegex(
                    line, r'^[a-z_]+(\{[a-z]+="[^"]*"\})? [0-9.e+-]+$')

    def test_other_paths_are_404(self):
        statuses = []
        body = self.metrics.application(
            {'PATH_INFO': '/'}, lambda s, h: statuses.append(s))
        self.assertEqual((statuses, body), (['404 Not Found'],
                                            [b'not found\n']))


class EndpointTests(unittest.TestCase):

    def test_a_load_balancer_serves_its_metrics(self):
        procs = Processes(self.addCleanup)
        port, metrics_port = free_port(), free_port()
        worker = procs.worker(port, threads=2)
        lb = procs.lb([port], '--metrics', f'{HOST}:{metrics_port}')
        wait_for_workers(lb.port, {worker.pid})
        request(lb.port, '/error')
        conn = http.client.HTTPConnection(HOST, metrics_port, timeout=10)
        self.addCleanup(conn.close)
        conn.request('GET', '/metrics')
        response = conn.getresponse()
        text = response.read().decode()
        self.assertEqual(response.getheader('Content-Type'),
                         metrics.CONTENT_TYPE)
        self.assertRegex(text, r'resumelb_responses_total\{status="200"\}'
                         r' [1-9]')
        self.assertIn('resumelb_responses_total{status="500"} 1\n', text)
        self.assertIn(f'resumelb_worker_backlog{{worker="{HOST}:{port}"}}'
                      ' 0\n', text)
        self.assertIn('resumelb_worker_connections 1\n', text)
        count = re.search(r'resumelb_queue_wait_seconds_count (\d+)', text)
        self.assertGreater(int(count.group(1)), 1)
        lb.send_signal(signal.SIGTERM)
        self.assertEqual(lb.wait(20), 0)
