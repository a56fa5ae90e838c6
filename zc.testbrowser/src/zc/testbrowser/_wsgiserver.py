"""Serving a WSGI application on 127.0.0.1 in a thread, for Chromium.

Threaded on purpose: Chromium opens spare connections ahead of need, and
a server that handles one connection at a time waits on such an idle
connection while the real request queues behind it.
"""
import socketserver
import threading
import wsgiref.simple_server


class _Handler(wsgiref.simple_server.WSGIRequestHandler):

    def log_message(self, format, *args):
        """Tests read the pages, not an access log."""


class _Server(socketserver.ThreadingMixIn, wsgiref.simple_server.WSGIServer):
    daemon_threads = True


class Server:
    """``app`` served on an ephemeral 127.0.0.1 port until ``stop()``."""

    def __init__(self, app):
        self._server = wsgiref.simple_server.make_server(
            '127.0.0.1', 0, app, server_class=_Server,
            handler_class=_Handler)
        self.url = f'http://127.0.0.1:{self._server.server_port}'
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={'poll_interval': 0.05},
            name=f'zc.testbrowser WSGI server {self.url}', daemon=True)
        self._thread.start()

    def stop(self):
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(10)
