"""Serving a WSGI application on 127.0.0.1 in a thread."""
import socket
import unittest
import urllib.request

from zc.testbrowser._wsgiserver import Server


def hello(environ, start_response):
    start_response('200 OK', [('Content-Type', 'text/plain')])
    return [environ['PATH_INFO'].encode('latin-1')]


class ServerTests(unittest.TestCase):

    def test_app_is_served_on_an_ephemeral_local_port(self):
        server = Server(hello)
        try:
            self.assertRegex(server.url, r'^http://127\.0\.0\.1:\d+$')
            with urllib.request.urlopen(server.url + '/tea') as response:
                self.assertEqual(response.read(), b'/tea')
        finally:
            server.stop()

    def test_an_idle_connection_does_not_block_other_requests(self):
        server = Server(hello)
        idle = socket.create_connection(
            ('127.0.0.1', int(server.url.rsplit(':', 1)[1])), timeout=5)
        try:
            with urllib.request.urlopen(server.url + '/', timeout=5) as got:
                self.assertEqual(got.read(), b'/')
        finally:
            idle.close()
            server.stop()

    def test_stopped_server_refuses_connections(self):
        server = Server(hello)
        server.stop()
        with self.assertRaises(OSError):
            urllib.request.urlopen(server.url + '/', timeout=5)
