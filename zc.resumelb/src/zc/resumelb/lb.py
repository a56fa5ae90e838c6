"""The load balancer: HTTP in, requests routed by class to workers."""
import argparse
import collections
import importlib
import json
import logging
import os
import re
import signal
import socket
import sys
import time

import gevent
import gevent.event
import gevent.hub
import gevent.pool
import gevent.server
import gevent.socket

from zc.resumelb import util
from zc.resumelb._bounded import BoundedPool
from zc.resumelb.httpserver import Abort
from zc.resumelb.httpserver import InvalidBody
from zc.resumelb.httpserver import Server
from zc.resumelb.pool import Pool
from zc.resumelb.pool import PoolBase

__all__ = ['LB', 'BoundedPool', 'Pool', 'PoolBase', 'Server',
           'host_classifier', 're_classifier', 'main']

logger = logging.getLogger(__name__)

DEFAULT_DISCONNECT_MESSAGE = (
    '<html><head><meta http-equiv="refresh" content="1"></head><body>'
    '<h1>Temporarily unavailable</h1><p>A transient failure occurred while'
    ' handling your request. Please try again.</p></body></html>')
DEFAULT = object()

_READ_BLOCK = 65536
_RETRYABLE = frozenset(('GET', 'HEAD'))
_PAYLOAD_TYPES = (str, bytes, int, float, bool, type(None))
_SCALARS = frozenset(_PAYLOAD_TYPES)
_DROP = frozenset(('wsgi.input', 'wsgi.errors', 'wsgi.file_wrapper'))


def _payload_ok(value):
    if isinstance(value, _PAYLOAD_TYPES):
        return True
    if isinstance(value, (tuple, list)):
        return all(_payload_ok(v) for v in value)
    if isinstance(value, dict):
        return all(_payload_ok(k) and _payload_ok(v)
                   for k, v in value.items())
    return False


class _ClientGone(Abort):
    """The client's request body ended early or could not be read."""

    log_status = '499'


class _Truncated(Abort):
    """The response ended early: worker died or the app failed mid-body."""


class _Reply:
    """One response's frames, from the worker connection's reader task to
    the request's task.

    Behaves as a ``util.BufferedQueue``, which it becomes once
    ``util.queue_size_bytes`` are held in memory: ``put`` never blocks the
    reader, which serves every request on the connection, and past that
    limit frames go to a temporary file.  Until then it is a deque and a
    waiter, much lighter for the common small response.
    """

    __slots__ = ('frames', 'size', 'waiter', 'overflow', 'closed')

    def __init__(self):
        self.frames = collections.deque()
        self.size = 0
        self.waiter = None
        self.overflow = None
        self.closed = False

    def put(self, item):
        if self.closed:
            return
        if self.overflow is not None:
            self.overflow.put(item)
            return
        if self.size >= util.queue_size_bytes:
            # Hand over in order: the same frames stay in memory as in a
            # BufferedQueue from the start, and this one goes to the file.
            self.overflow = overflow = util.BufferedQueue()
            for frame in self.frames:
                overflow.put(frame)
            self.frames.clear()
            overflow.put(item)
        else:
            self.frames.append(item)
            self.size += len(item) if item else 0
        waiter = self.waiter
        if waiter is not None:
            self.waiter = None
            waiter.hub.loop.run_callback(waiter.switch, None)

    def get(self):
        frames = self.frames
        if not frames:
            if self.overflow is not None:
                return self.overflow.get()
            self.waiter = waiter = gevent.hub.Waiter()
            try:
                waiter.get()
            finally:
                self.waiter = None
            if not frames:  # only the overflow got something
                return self.overflow.get()
        item = frames.popleft()
        self.size -= len(item) if item else 0
        return item

    def close(self):
        """Drop everything; later puts are ignored.  Idempotent."""
        self.closed = True
        self.frames.clear()
        if self.overflow is not None:
            self.overflow.close()


class LB:
    """Route WSGI requests, by class, to workers at ``worker_addrs``."""

    connect_sleep = 1.0

    def __init__(self, worker_addrs, classifier,
                 disconnect_message=DEFAULT, pool_factory=None, secret=None,
                 **pool_settings):
        self.classifier = classifier
        if disconnect_message is DEFAULT:
            disconnect_message = DEFAULT_DISCONNECT_MESSAGE
        if isinstance(disconnect_message, str):
            disconnect_message = disconnect_message.encode('utf-8')
        self.disconnect_message = disconnect_message
        if pool_factory is None:
            pool_factory = Pool
        self.pool = pool_factory(**pool_settings)
        self.update_settings = self.pool.update_settings
        self.secret = secret
        self.worker_addrs = {}
        self.workletts = {}
        self.in_progress = 0
        self.set_worker_addrs(worker_addrs)

    def set_worker_addrs(self, addrs):
        """Connect to the addresses given; stop reconnecting to others.

        ``addrs``: an iterable of ``(host, port)`` or a dict mapping them
        to worker versions.
        """
        if isinstance(addrs, dict):
            wanted = {tuple(addr): version for addr, version in addrs.items()}
        else:
            wanted = {tuple(addr): None for addr in addrs}
        self.worker_addrs = wanted
        for addr in wanted:
            task = self.workletts.get(addr)
            if task is None or task.dead:
                self.workletts[addr] = gevent.spawn(self._connect, addr)

    def _connect(self, addr):
        try:
            while addr in self.worker_addrs:
                try:
                    sock = util.connect(addr)
                except OSError:
                    logger.exception('Failed to connect to worker at %s:%s',
                                     *addr)
                    gevent.sleep(self.connect_sleep)
                    continue
                util.set_nodelay(sock)
                worker = _Worker(self, sock, addr,
                                 self.worker_addrs.get(addr))
                util.logger.info('worker connected %s', worker)
                try:
                    worker.serve()
                finally:
                    self.pool.remove(worker)
                    worker.disconnected()
        finally:
            if self.workletts.get(addr) is gevent.getcurrent():
                del self.workletts[addr]

    def handle_wsgi(self, environ, start_response):
        """The WSGI application: classify, pick a worker, forward."""
        self.in_progress += 1
        try:
            result = self._handle(environ, start_response)
        except BaseException:
            self.in_progress -= 1
            raise
        if isinstance(result, _Body):
            result.on_done = self._request_done
        else:
            self.in_progress -= 1
        return result

    def _request_done(self):
        self.in_progress -= 1

    def _handle(self, environ, start_response):
        rclass = self.classifier(environ)
        method = environ.get('REQUEST_METHOD', 'GET')
        while True:
            worker = self.pool.get(rclass)
            try:
                return worker.handle(rclass, environ, start_response)
            except util.Disconnected:
                if method in _RETRYABLE and not _has_body(environ):
                    logger.info('worker %s went away; retrying %s %s',
                                worker, method, environ.get('PATH_INFO'))
                    continue
                start_response('502 Bad Gateway',
                               [('Content-Type', 'text/html'),
                                ('Content-Length',
                                 str(len(self.disconnect_message)))])
                return [self.disconnect_message]
            finally:
                self.pool.put(worker)

    def stop(self):
        """Close every worker connection; reconnect to none."""
        self.worker_addrs = {}
        tasks = list(self.workletts.values())
        gevent.killall(tasks)
        self.workletts.clear()

    def shutdown(self):
        """Wait until no request is in progress, then ``stop()``."""
        while self.in_progress > 0:
            gevent.sleep(0.01)
        self.stop()


def _has_body(environ):
    if 'chunked' in environ.get('HTTP_TRANSFER_ENCODING', '').lower():
        return True
    try:
        return int(environ.get('CONTENT_LENGTH') or 0) > 0
    except ValueError:
        return True


class _Worker(util.Connection):
    """The LB's side of a worker connection; a member of the pool."""

    write_keepalive_interval = 0.1

    def __init__(self, lb, sock, addr, version):
        self.lb = lb
        self.version = version
        self.__name__ = f'{addr[0]}:{addr[1]}'
        self.requests = {}
        self._rno = 0
        super().__init__(sock, addr)

    def __repr__(self):
        return self.__name__

    @property
    def oldest_time(self):
        """When the oldest request not yet responding was sent, or None."""
        return min(self.requests.values()) if self.requests else None

    def serve(self):
        reader = util.FrameReader(self.socket)
        pool = self.lb.pool
        readers = self.readers
        try:
            frame = reader.read()
            if util.answer_challenge(self.socket, frame,
                                     self.lb.secret) is None:
                frame = reader.read()
            rno, resume = frame
            if rno != 0:
                raise util.ProtocolError(
                    f'expected a résumé from {self}, got request {rno}')
            pool.new_resume(self, resume)
            while True:
                rno, data = reader.read()
                if rno == 0:
                    pool.new_resume(self, data)
                    continue
                queue = readers.get(rno)
                if queue is not None:
                    queue.put(data)
        except util.Disconnected:
            pass
        except util.ProtocolError as error:
            logger.error('closing connection to %s: %s', self, error)
        except OSError:
            if self.is_connected:  # else we closed it ourselves
                logger.exception('reading from %s', self)

    def _next_rno(self):
        rno = self._rno % 4294967295 + 1
        while rno in self.readers:
            rno = rno % 4294967295 + 1
        self._rno = rno
        return rno

    def _release(self, rno):
        queue = self.readers.pop(rno, None)
        if queue is not None:
            queue.close()
        self.requests.pop(rno, None)

    def handle(self, rclass, environ, start_response):
        """Forward one request; return the response body iterable."""
        if not self.is_connected:
            raise util.Disconnected(f'not connected to {self}')
        env = {k: v for k, v in environ.items()
               if k not in _DROP
               and (type(v) in _SCALARS or _payload_ok(v))}
        env['zc.resumelb.request_class'] = rclass
        rno = self._next_rno()
        queue = self.readers[rno] = _Reply()
        self.requests[rno] = time.time()
        try:
            if _has_body(environ):
                self.put(rno, env)
                self._send_body(rno, environ)
                self.put(rno, b'')
            else:
                self.put_frames(rno, env, b'')
            data = queue.get()
            if data is None:
                raise util.Disconnected(f'{self} went away')
        except (_ClientGone, InvalidBody):
            if self.is_connected:
                self.put(rno, None)
            self._release(rno)
            raise
        except BaseException:
            self._release(rno)
            raise
        finally:
            self.requests.pop(rno, None)
        status, headers = data
        start_response(status, [tuple(h) for h in headers])
        return _Body(self, rno, queue,
                     environ.get('REQUEST_METHOD') == 'HEAD')

    def _send_body(self, rno, environ):
        chunked = 'chunked' in environ.get(
            'HTTP_TRANSFER_ENCODING', '').lower()
        try:
            remaining = int(environ.get('CONTENT_LENGTH') or 0)
        except ValueError:
            remaining = 0
        if not chunked and remaining <= 0:
            return
        read = environ['wsgi.input'].read
        while chunked or remaining > 0:
            try:
                data = read(_READ_BLOCK if chunked
                            else min(_READ_BLOCK, remaining))
            except InvalidBody:
                raise  # the HTTP server answers 400
            except (OSError, ValueError) as error:
                raise _ClientGone(str(error)) from None
            if not data:
                if chunked:
                    return
                raise _ClientGone('request body ended early')
            remaining -= len(data)
            self.put(rno, data)


class _Body:
    """The response body as it arrives from the worker."""

    on_done = None

    def __init__(self, worker, rno, queue, head):
        self.worker = worker
        self.rno = rno
        self.queue = queue
        self.head = head
        self._finished = False

    def __iter__(self):
        return self

    def __next__(self):
        if self._finished:
            raise StopIteration
        get = self.queue.get
        while True:
            data = get()
            if data is None:
                self._finish()
                logger.warning('response %s from %s ended early',
                               self.rno, self.worker)
                raise _Truncated(f'response from {self.worker} ended early')
            if not data:
                self._finish()
                raise StopIteration
            if not self.head:
                return data

    def _finish(self):
        self._finished = True
        self.worker._release(self.rno)
        on_done, self.on_done = self.on_done, None
        if on_done is not None:
            on_done()

    def close(self):
        """Release the request; tell the worker if it is still running."""
        if not self._finished:
            if self.worker.is_connected and self.rno in self.worker.readers:
                try:
                    self.worker.put(self.rno, None)
                except util.Disconnected:
                    pass
            self._finish()


def host_classifier(env):
    """The ``Host`` header, without one leading ``www.``."""
    host = env.get('HTTP_HOST', '')
    if host.startswith('www.'):
        host = host[4:]
    return host


def re_classifier(name, regex):
    """A classifier returning group ``class`` of ``regex`` in ``env[name]``."""
    search = re.compile(regex).search

    def classifier(env):
        value = env.get(name)
        if value is None:
            return ''
        match = search(value)
        if match is None:
            return ''
        return match.group('class') or ''

    return classifier


class _LineLog:
    """Access log file: every line flushed as it is written."""

    def __init__(self, stream):
        self.stream = stream

    def write(self, line):
        self.stream.write(line)
        self.stream.flush()


def _load(spec):
    module, _, expr = spec.partition(':')
    if not expr:
        raise ValueError(f'invalid specification {spec!r}:'
                         ' expected module:expression')
    module = importlib.import_module(module)
    return eval(expr, module.__dict__)


def _status_server(path, pool):
    if os.path.exists(path):
        os.remove(path)
    listener = gevent.socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen(5)

    def handle(sock, addr):
        try:
            sock.sendall((json.dumps(pool.status()) + '\n').encode())
        finally:
            sock.close()

    server = gevent.server.StreamServer(listener, handle)
    server.start()
    return server


def _drain(server, status, lb, connections):
    """Stop taking connections, then finish the requests in progress.

    ``connections`` is the server's pool of client connection tasks;
    they get up to 5 seconds after the last response started to finish
    writing.  Returns the monotonic time that allowance ended.
    """
    server.close()
    if status is not None:
        status.close()
    lb.shutdown()
    deadline = time.monotonic() + 5
    while len(connections) and time.monotonic() < deadline:
        gevent.sleep(0.01)
    return deadline


def _parser():
    parser = argparse.ArgumentParser(
        prog='resumelb',
        description='Résumé-based load balancer: HTTP in, WSGI workers out.')
    parser.add_argument('workers', nargs='*', metavar='HOST:PORT')
    parser.add_argument('-a', '--address', default=':0',
                        help='HTTP listen address (default :0)')
    parser.add_argument('-l', '--access-log', default='-',
                        help="access log file ('-': standard output)")
    parser.add_argument('-b', '--backlog', type=int,
                        help='listen backlog')
    parser.add_argument('-m', '--max-connections', type=int,
                        help='maximum simultaneous client connections')
    parser.add_argument('-L', '--logger-configuration',
                        help='a level, or a ZConfig logging file')
    parser.add_argument('-r', '--request-classifier',
                        default='zc.resumelb.lb:host_classifier',
                        help='module:expression of the classifier')
    parser.add_argument('-e', '--disconnect-message',
                        help='file with the body of 502 responses')
    parser.add_argument('-v', '--variance', type=float, default=4.0)
    parser.add_argument('--backlog-history', type=int, default=9)
    parser.add_argument('--unskilled-score', type=float, default=1.0)
    parser.add_argument('-p', '--pool-factory',
                        default='zc.resumelb.lb:Pool',
                        help='module:expression of the pool factory')
    parser.add_argument('-s', '--status-server',
                        help='Unix socket path of the status server')
    parser.add_argument('-t', '--socket-timeout', type=float, default=99.0,
                        help='client socket timeout in seconds')
    parser.add_argument('-k', '--secret-file',
                        help='file holding the shared worker secret')
    parser.add_argument('-w', '--processes', type=int, default=1,
                        help='LB processes sharing the HTTP socket'
                        ' (default 1; the status server reports the first)')
    return parser


def main(args=None):
    """``resumelb [options] HOST:PORT ...``: run a load balancer."""
    parser = _parser()
    options = parser.parse_args(args)
    if not options.workers:
        print('Error: must supply one or more worker addresses.',
              file=sys.stderr)
        parser.print_usage(sys.stderr)
        return 2
    util.configure_logging(options.logger_configuration)
    try:
        workers = [util.parse_addr(a, '127.0.0.1') for a in options.workers]
        listen = util.parse_addr(options.address)
        classifier = _load(options.request_classifier)
        pool_factory = _load(options.pool_factory)
    except (ValueError, ImportError, AttributeError, NameError,
            SyntaxError) as error:
        print(f'Error: {error}', file=sys.stderr)
        parser.print_usage(sys.stderr)
        return 2
    disconnect_message = DEFAULT
    if options.disconnect_message:
        with open(options.disconnect_message, 'rb') as f:
            disconnect_message = f.read()
    secret = (util.read_secret(options.secret_file)
              if options.secret_file else None)

    def factory(single_version=False):
        pool = pool_factory()
        pool.update_settings(dict(
            variance=options.variance,
            backlog_history=options.backlog_history,
            unskilled_score=options.unskilled_score))
        return pool

    listener = util.listen(listen, options.backlog or 1024)
    # Extra processes share the listening socket; each is a complete LB
    # with its own worker connections (workers serve several LBs).
    children = []
    for _ in range(options.processes - 1):
        pid = gevent.fork()
        if pid == 0:
            children = None
            break
        children.append(pid)

    lb = LB(workers, classifier, disconnect_message, pool_factory=factory,
            secret=secret)
    if options.access_log == '-':
        log = _LineLog(sys.stdout)
    else:
        log = _LineLog(open(options.access_log, 'a'))
    spawn = gevent.pool.Pool(options.max_connections)
    server = Server(listener, lb.handle_wsgi, log=log, spawn=spawn,
                    socket_timeout=options.socket_timeout,
                    error_log=logging.getLogger('zc.resumelb.lb.http'))
    server.start()
    host, port = listener.getsockname()[:2]
    logger.info('serving on %s:%s', host, port)
    status = (_status_server(options.status_server, lb.pool)
              if options.status_server and children is not None else None)

    def terminate():
        logger.info('SIGTERM: draining')
        for pid in children or ():
            os.kill(pid, signal.SIGTERM)
        deadline = _drain(server, status, lb, spawn) + 5
        for pid in children or ():
            while time.monotonic() < deadline:
                try:
                    if os.waitpid(pid, os.WNOHANG)[0]:
                        break
                except ChildProcessError:
                    break  # gevent's SIGCHLD handling reaped it already
                gevent.sleep(0.05)

    util.run_until_sigterm(terminate)
    return 0
