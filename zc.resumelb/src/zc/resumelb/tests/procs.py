"""A worker process for the real-process tests and the benchmarks.

``python -m zc.resumelb.tests.procs HOST:PORT [name=value ...]`` serves
``app`` with the PasteDeploy runner; the values are runner settings.
``--http HOST:PORT`` serves it over HTTP with gevent's pywsgi instead
(with TCP_NODELAY),
``--lean-http HOST:PORT`` with the LB's own HTTP server.
"""
import hashlib
import os
import sys
import time

from zc.resumelb.worker import server_runner


def app(env, start_response):
    """Small behaviours the tests and benchmarks ask for by path."""
    path = env['PATH_INFO']
    query = env.get('QUERY_STRING', '')
    if path == '/error':
        raise ValueError('failing on purpose')
    if path == '/echo':
        body = env['wsgi.input'].read()
        start_response('200 OK', [('Content-Type', 'text/plain')])
        return [b'%s %d' % (hashlib.sha256(body).hexdigest().encode(),
                            len(body))]
    if path == '/bytes':
        size = int(query)
        start_response('200 OK', [('Content-Type', 'application/octet-stream'),
                                  ('Content-Length', str(size))])
        return [bytes(range(256)) * (size // 256) + b'x' * (size % 256)]
    if path == '/slow':
        time.sleep(float(query or 1))
    if path == '/stall':
        # The response starts, then the application hangs.
        start_response('200 OK', [('Content-Type', 'text/plain')])
        return _stalling(float(query or 1))
    if path == '/drip':
        # Ten pieces, ``query`` seconds apart: slow but steady.
        start_response('200 OK', [('Content-Type', 'text/plain')])
        return _dripping(float(query or 0.1))
    if path == '/tiny':
        start_response('200 OK', [('Content-Type', 'text/plain'),
                                  ('Content-Length', '100')])
        return [b'x' * 100]
    body = b'%d' % os.getpid()
    start_response('200 OK', [('Content-Type', 'text/plain'),
                              ('Content-Length', str(len(body)))])
    return [body]


def _stalling(seconds):
    yield b'started'
    time.sleep(seconds)
    yield b' and ended'


def _dripping(interval):
    for _ in range(10):
        time.sleep(interval)
        yield b'drop '


def app_factory(global_conf, **local_conf):
    """PasteDeploy ``paste.app_factory`` for ``app``."""
    return app


def serve_http(address, server_class):
    """Serve ``app`` over plain HTTP: the benchmarks' baselines."""
    import logging

    import gevent.event

    from zc.resumelb.util import parse_addr
    logging.basicConfig(level=logging.INFO)
    server = server_class(parse_addr(address, '127.0.0.1'), app, log=None)
    server.start()
    logging.getLogger(__name__).info(
        'worker listening on %s:%s', *server.address[:2])
    gevent.event.Event().wait()


def _PyWSGIServer():
    """gevent's pywsgi, with the TCP_NODELAY every HTTP front end
    needs (without it every keep-alive response waits ~40 ms)."""
    import gevent.pywsgi

    from zc.resumelb.util import set_nodelay

    class Server(gevent.pywsgi.WSGIServer):
        def handle(self, sock, address):
            set_nodelay(sock)
            super().handle(sock, address)

    return Server


def main(args):
    if args[0] == '--http':
        return serve_http(args[1], _PyWSGIServer())
    if args[0] == '--lean-http':  # the LB's front end, serving the app
        from zc.resumelb.httpserver import Server
        return serve_http(args[1], Server)
    settings = dict(arg.split('=', 1) for arg in args[1:])
    server_runner(app, {}, args[0], **settings)


if __name__ == '__main__':
    main(sys.argv[1:])
