"""A real HTTP server on 127.0.0.1 for the tests, in a thread.

wsgiref's server, threaded so that concurrent requests really overlap.
"""
import contextlib
import io
import socketserver
import threading
import wsgiref.simple_server


class _QuietHandler(wsgiref.simple_server.WSGIRequestHandler):

    def log_message(self, format, *args):
        pass

    def get_stderr(self):
        # Tests check the 500 responses; the tracebacks are expected.
        return io.StringIO()


class _ThreadingServer(socketserver.ThreadingMixIn,
                       wsgiref.simple_server.WSGIServer):
    daemon_threads = True


@contextlib.contextmanager
def serving(app):
    """Serve ``app``; yields the base URL, e.g. ``http://127.0.0.1:PORT``."""
    server = wsgiref.simple_server.make_server(
        '127.0.0.1', 0, app, server_class=_ThreadingServer,
        handler_class=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever,
                              kwargs={'poll_interval': 0.05}, daemon=True)
    thread.start()
    try:
        yield f'http://127.0.0.1:{server.server_port}'
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)
