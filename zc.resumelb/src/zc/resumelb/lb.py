"""The load balancer: HTTP in, requests routed by class to workers."""
import argparse
import collections
import importlib
import json
import logging
import os
import random
import re
import signal
import socket
import sys
import time

import gevent
import gevent.event
import gevent.hub
import gevent.pool
import gevent.queue
import gevent.server
import gevent.socket

from zc.resumelb import http11
from zc.resumelb import util
from zc.resumelb._bounded import BoundedPool
from zc.resumelb.httpserver import Abort
from zc.resumelb.httpserver import InvalidBody
from zc.resumelb.httpserver import Server
from zc.resumelb.pool import Pool
from zc.resumelb.pool import PoolBase

__all__ = ['LB', 'BoundedPool', 'Pool', 'PoolBase', 'ResponseTimeout',
           'Server',
           'host_classifier', 're_classifier', 'main']

logger = logging.getLogger(__name__)

DEFAULT_DISCONNECT_MESSAGE = (
    '<html><head><meta http-equiv="refresh" content="1"></head><body>'
    '<h1>Temporarily unavailable</h1><p>A transient failure occurred while'
    ' handling your request. Please try again.</p></body></html>')
DEFAULT = object()

_UNAVAILABLE = b'No worker is available; please try again later.\n'
_READ_BLOCK = 65536
_RETRYABLE = frozenset(('GET', 'HEAD'))
_PAYLOAD_TYPES = (str, bytes, int, float, bool, type(None))
_SCALARS = frozenset(_PAYLOAD_TYPES)
_DROP = frozenset(('wsgi.input', 'wsgi.errors', 'wsgi.file_wrapper'))
_TIMED_OUT = b'The application did not answer in time.\n'
_monotonic = time.monotonic


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


class ResponseTimeout(Exception):
    """A worker sent nothing for a request within the response timeout."""


class _ResponseCut(Abort):
    """A response stalled after it started: the client connection is
    closed, as the only way left to tell the client."""


class _Reply:
    """One response's frames, from the worker connection's reader task to
    the request's task.

    Behaves as a ``util.BufferedQueue``, which it becomes once
    ``util.queue_size_bytes`` are held in memory: ``put`` never blocks the
    reader, which serves every request on the connection, and past that
    limit frames go to a temporary file.  Until then it is a deque and a
    waiter, much lighter for the common small response.
    """

    __slots__ = ('frames', 'size', 'waiter', 'overflow', 'closed',
                 'timeout', 'since', 'timed_out')

    def __init__(self, timeout=None):
        self.frames = collections.deque()
        self.size = 0
        self.waiter = None
        self.overflow = None
        self.closed = False
        #: Seconds ``get`` may wait without a frame arriving (None: for
        #: ever); the LB's sweeper enforces it through ``time_out``.
        self.timeout = timeout
        #: When the last frame arrived or the current wait began.
        self.since = None
        self.timed_out = False

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
        self.since = _monotonic()
        waiter = self.waiter
        if waiter is not None:
            self.waiter = None
            waiter.hub.loop.run_callback(waiter.switch, None)

    def get(self):
        """The next frame; raises ``ResponseTimeout`` when none came
        for ``timeout`` seconds."""
        frames = self.frames
        if not frames:
            if self.overflow is not None:
                return self._get_overflow()
            self.waiter = waiter = gevent.hub.Waiter()
            self.since = _monotonic()
            try:
                waiter.get()
            finally:
                self.waiter = None
            if self.timed_out:
                raise ResponseTimeout(self.timeout)
            if not frames:  # only the overflow got something
                return self._get_overflow()
        item = frames.popleft()
        self.size -= len(item) if item else 0
        return item

    def _get_overflow(self):
        # Rare (a response bigger than memory allows, read slower than
        # it arrives): a timer per frame costs little here.
        try:
            return self.overflow.get(True, self.timeout)
        except gevent.queue.Empty:
            raise ResponseTimeout(self.timeout) from None

    def time_out(self):
        """Make the waiting ``get`` raise ``ResponseTimeout``."""
        waiter = self.waiter
        if waiter is not None:
            self.timed_out = True
            self.waiter = None
            waiter.hub.loop.run_callback(waiter.switch, None)

    def close(self):
        """Drop everything; later puts are ignored.  Idempotent."""
        self.closed = True
        self.frames.clear()
        if self.overflow is not None:
            self.overflow.close()


class LB:
    """Route WSGI requests, by class, to workers at ``worker_addrs``."""

    #: Failed connections to a worker are retried after this many
    #: seconds, doubling up to ``connect_max_sleep``, with jitter.
    connect_sleep = 0.1
    connect_max_sleep = 30.0
    #: Seconds a connection attempt to a worker may take.
    connect_timeout = 10.0

    #: Idempotent requests whose worker went away before answering are
    #: tried on another one at most this many times, then get a 502.
    max_retries = 3
    #: The Retry-After of a 503: seconds a client should wait.
    retry_after = 5

    def __init__(self, worker_addrs, classifier,
                 disconnect_message=DEFAULT, pool_factory=None, secret=None,
                 queue_timeout=30.0, max_frame_size=None,
                 response_timeout=300.0, **pool_settings):
        self.classifier = classifier
        #: Seconds a request waits for a worker to take it (None: for
        #: ever) before it gets a 503.
        self.queue_timeout = queue_timeout
        #: Seconds a worker may send nothing for a request it holds
        #: (None: for ever): then the request is cancelled at the worker
        #: and the client gets a 504, or its connection is closed if the
        #: response had started.
        self.response_timeout = response_timeout
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
        self.max_frame_size = max_frame_size
        self.worker_addrs = {}
        self.workletts = {}
        self.in_progress = 0
        self.stopped = False
        #: A ``zc.resumelb.metrics.Metrics`` keeping figures, if any.
        self.metrics = None
        self.connections = set()
        self._sweeper = (None if response_timeout is None
                         else gevent.spawn(self._sweep, response_timeout))
        self.set_worker_addrs(worker_addrs)

    def _sweep(self, timeout):
        # One ticker for every request instead of a timer armed around
        # each wait for a worker, which would cost the LB more per
        # request.  A request times out within a quarter of the timeout
        # (at most a second) after it is due.
        period = min(max(timeout / 4, 0.01), 1.0)
        while True:
            gevent.sleep(period)
            now = _monotonic()
            for worker in list(self.connections):
                for reply in list(worker.readers.values()):
                    if (reply.waiter is not None
                            and now - reply.since >= timeout):
                        reply.time_out()

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
        delay = 0
        down = False  # whether the worker's unreachability was logged
        try:
            while addr in self.worker_addrs:
                if delay:
                    # Jitter keeps many LBs from reconnecting in step.
                    gevent.sleep(delay * random.uniform(0.5, 1.0))
                    if addr not in self.worker_addrs:
                        break
                try:
                    sock = util.connect(addr, self.connect_timeout)
                    sock.settimeout(None)
                except OSError as error:
                    failure = str(error)
                    worker = None
                else:
                    worker = _Worker(self, sock, addr,
                                     self.worker_addrs.get(addr))
                    self.connections.add(worker)
                    try:
                        failure = worker.serve(down)
                    finally:
                        self.connections.discard(worker)
                        self.pool.remove(worker)
                        worker.disconnected()
                if worker is not None and worker.accepted:
                    down = False
                    delay = 0  # it was fine: try again at once
                    continue
                if not down:
                    logger.warning('worker %s:%s unreachable: %s', *addr,
                                   failure)
                    down = True
                delay = min(max(delay * 2, self.connect_sleep),
                            self.connect_max_sleep)
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
        retries = 0
        while True:
            if self.metrics is None:
                worker = self.pool.get(rclass, self.queue_timeout)
            else:
                start = time.monotonic()
                worker = self.pool.get(rclass, self.queue_timeout)
                self.metrics.queue_wait(time.monotonic() - start)
            if worker is None:
                logger.warning('no worker took %s %s within %s seconds',
                               method, environ.get('PATH_INFO'),
                               self.queue_timeout)
                start_response('503 Service Unavailable',
                               [('Content-Type', 'text/plain'),
                                ('Retry-After', str(self.retry_after)),
                                ('Content-Length', str(len(_UNAVAILABLE)))])
                return [_UNAVAILABLE]
            try:
                return worker.handle(rclass, environ, start_response)
            except ResponseTimeout:
                self.timed_out(worker, environ, False)
                start_response('504 Gateway Timeout',
                               [('Content-Type', 'text/plain'),
                                ('Content-Length', str(len(_TIMED_OUT)))])
                return [_TIMED_OUT]
            except util.Disconnected:
                if (method in _RETRYABLE and not _has_body(environ)
                        and retries < self.max_retries and not self.stopped):
                    retries += 1
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

    def timed_out(self, worker, environ, started):
        """Log and count a request ``worker`` did not answer in time."""
        logger.warning(
            'worker %s sent nothing for %s %s in %s seconds: %s', worker,
            environ.get('REQUEST_METHOD'),
            http11.escape_log(environ.get('PATH_INFO', '')),
            self.response_timeout,
            'closing the client connection' if started else '504')
        if self.metrics is not None:
            self.metrics.response_timeout()

    def stop(self):
        """Close every worker connection; reconnect to none."""
        self.stopped = True
        if self._sweeper is not None:
            self._sweeper.kill(block=False)
            self._sweeper = None
        self.worker_addrs = {}
        tasks = list(self.workletts.values())
        gevent.killall(tasks)
        self.workletts.clear()

    def shutdown(self, timeout=None):
        """Wait until no request is in progress, then ``stop()``.

        Waits at most ``timeout`` seconds (None: for ever); returns how
        many requests were still in progress and so were cut off.
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.in_progress > 0 and (
                deadline is None or time.monotonic() < deadline):
            gevent.sleep(0.01)
        cut = self.in_progress
        self.stop()
        return cut


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
    log_disconnect = False  # until the worker accepted the connection

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

    #: Whether the worker's first résumé arrived (it joined the pool).
    accepted = False
    #: Whether the worker announced it drains: it gets no new work.
    draining = False

    def serve(self, was_down=False):
        """Read the worker's frames until the connection ends.

        Returns why it ended, if that is worth logging.
        """
        reader = util.FrameReader(self.socket, self.lb.max_frame_size)
        pool = self.lb.pool
        readers = self.readers
        try:
            frame = reader.read()
            if util.answer_challenge(self.socket, frame,
                                     self.lb.secret) is None:
                frame = reader.read()
            rno, resume = frame
            if rno != 0 or not isinstance(resume, dict):
                raise util.ProtocolError(
                    f'expected a résumé from {self}, got request {rno}')
            self.accepted = self.log_disconnect = True
            if was_down:
                logger.warning('worker %s is reachable again', self)
            else:
                util.logger.info('worker connected %s', self)
            pool.new_resume(self, resume)
            while True:
                rno, data = reader.read()
                if rno == 0:
                    if data == util.DRAIN:
                        self._drain()
                    elif not self.draining:
                        pool.new_resume(self, data)
                    continue
                queue = readers.get(rno)
                if queue is not None:
                    queue.put(data)
        except util.Disconnected as error:
            return str(error) or 'connection closed'
        except util.ProtocolError as error:
            if self.accepted:
                logger.error('closing connection to %s: %s', self, error)
            return str(error)
        except OSError as error:
            if self.is_connected:  # else we closed it ourselves
                logger.exception('reading from %s', self)
            return str(error)

    def _drain(self):
        """The worker shuts down: send it nothing new, tell it so."""
        if not self.draining:
            self.draining = True
            logger.info('worker %s drains', self)
            self.lb.pool.remove(self)
            # Every request sent before this answer is in the stream
            # before it: the worker waits for those, then may leave.
            self.put(0, util.DRAINED)

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
        queue = self.readers[rno] = _Reply(self.lb.response_timeout)
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
        except (_ClientGone, InvalidBody, ResponseTimeout):
            if self.is_connected:
                self.put(rno, None)
            self._release(rno)
            raise
        except BaseException:
            self._release(rno)
            raise
        finally:
            self.requests.pop(rno, None)
        try:
            status, headers = data
            start_response(status, [tuple(h) for h in headers])
        except Exception:
            # A response start we cannot use: the client gets a 500 from
            # the HTTP server; the worker need not go on.
            if self.is_connected:
                self.put(rno, None)
            self._release(rno)
            raise
        return _Body(self, rno, queue, environ)

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

    def __init__(self, worker, rno, queue, environ):
        self.worker = worker
        self.rno = rno
        self.queue = queue
        self.environ = environ
        self.head = environ.get('REQUEST_METHOD') == 'HEAD'
        self._finished = False

    def __iter__(self):
        return self

    def __next__(self):
        if self._finished:
            raise StopIteration
        get = self.queue.get
        while True:
            try:
                data = get()
            except ResponseTimeout:
                worker = self.worker
                worker.lb.timed_out(worker, self.environ, True)
                # close() cancels the request at the worker.
                raise _ResponseCut(f'{worker} stalled') from None
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


class _StatusServer(gevent.server.StreamServer):
    """Answers every connection with the pool's status as one JSON line."""

    def __init__(self, path, pool):
        if os.path.exists(path):
            os.remove(path)
        listener = gevent.socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        listener.bind(path)
        listener.listen(5)
        super().__init__(listener, self._answer)
        self.path = path
        self.lb_pool = pool

    def _answer(self, sock, addr):
        try:
            sock.sendall(
                (json.dumps(self.lb_pool.status()) + '\n').encode())
        finally:
            sock.close()

    def close(self):
        """Stop answering and remove the socket file."""
        if not self.closed:
            super().close()
            try:
                os.remove(self.path)
            except FileNotFoundError:
                pass


def _status_server(path, pool):
    server = _StatusServer(path, pool)
    server.start()
    return server


def start_metrics(address, lb, server):
    """Serve ``lb``'s and ``server``'s metrics at ``address``."""
    from zc.resumelb import metrics
    metrics_server = metrics.serve(address, lb)
    server.metrics = lb.metrics
    logger.info('metrics on http://%s:%s/metrics',
                *metrics_server.address[:2])
    return metrics_server


def _drain(server, status, lb, connections, timeout=None):
    """Stop taking connections, finish the requests in progress, exit.

    Requests in progress get ``timeout`` seconds (None: as long as they
    take); what is left then is cut off and counted in the log.
    ``connections`` is the server's pool of client connection tasks:
    they get up to 5 more seconds (never past the timeout) to finish
    writing, then are closed.  Returns the monotonic time that
    allowance ended.
    """
    start = time.monotonic()
    server.close()
    if status is not None:
        status.close()
    cut = lb.shutdown(timeout)
    if cut:
        logger.warning('drain timeout: cut off %d requests in progress', cut)
    deadline = time.monotonic() + 5
    if timeout is not None:
        deadline = max(min(deadline, start + timeout), time.monotonic())
    while len(connections) and time.monotonic() < deadline:
        server.close_idle()
        gevent.sleep(0.01)
    if len(connections):
        logger.warning('drain: closing %d client connections',
                       len(connections))
        connections.kill(timeout=1)
    return deadline


def _seconds(text):
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not value >= 0:  # also refuses nan
        raise argparse.ArgumentTypeError(
            f'expected a number of seconds, not {text!r}')
    return value


def add_common_options(parser):
    """The options ``resumelb`` and ``zkresumelb`` share."""
    parser.add_argument('-k', '--secret-file',
                        help='file holding the secret shared with the'
                        ' workers (its content, stripped of surrounding'
                        ' white space)')
    parser.add_argument('-q', '--queue-timeout', type=float, default=30.0,
                        metavar='SECONDS',
                        help='how long a request waits for a worker to'
                        ' take it before it gets 503 (default 30)')
    parser.add_argument('--drain-timeout', type=float, default=30.0,
                        metavar='SECONDS',
                        help='on SIGTERM, how long requests in progress'
                        ' may take before they are cut off (default 30)')
    parser.add_argument('--response-timeout', type=_seconds, default=300.0,
                        metavar='SECONDS',
                        help='how long a worker may send nothing for a'
                        ' request before it is cancelled: the client gets'
                        ' 504, or its connection is closed if the response'
                        ' had started; 0 means never (default 300)')
    parser.add_argument('--header-timeout', type=float, default=10.0,
                        metavar='SECONDS',
                        help='time from the first byte of a request within'
                        ' which its whole head must arrive (default 10)')
    parser.add_argument('--max-body-size', type=int, metavar='BYTES',
                        help='larger request bodies get 413 (default:'
                        ' no limit)')
    parser.add_argument('--max-frame-size', type=int, metavar='BYTES',
                        help='largest frame accepted from a worker'
                        f' (default {util.MAX_FRAME_SIZE})')
    parser.add_argument('--metrics', metavar='HOST:PORT',
                        help='serve Prometheus metrics at'
                        ' http://HOST:PORT/metrics')


def _parser():
    parser = argparse.ArgumentParser(
        prog='resumelb',
        description='Résumé-based load balancer: HTTP in, WSGI workers out.')
    parser.add_argument('workers', nargs='*', metavar='HOST:PORT',
                        help='worker addresses (an empty host means'
                        ' 127.0.0.1)')
    parser.add_argument('-a', '--address', default=':0',
                        help='HTTP listen address (default :0)')
    parser.add_argument('-l', '--access-log', default='-',
                        help="access log file ('-': standard output)")
    parser.add_argument('-b', '--backlog', type=int,
                        help='listen backlog')
    parser.add_argument('-m', '--max-connections', type=int,
                        help='maximum simultaneous client connections')
    parser.add_argument('-L', '--logger-configuration', default='INFO',
                        help='a level, or a ZConfig logging file'
                        ' (default INFO, which shows the listening address)')
    parser.add_argument('-r', '--request-classifier',
                        default='zc.resumelb.lb:host_classifier',
                        help='module:expression of the classifier')
    parser.add_argument('-e', '--disconnect-message',
                        help='file with the body of 502 responses')
    parser.add_argument('-v', '--variance', type=float, default=4.0,
                        help='how far above the mean backlog a skilled'
                        ' worker may be and still get its class'
                        ' (default 4.0)')
    parser.add_argument('--backlog-history', type=int, default=9,
                        help='requests over which backlogs are averaged'
                        ' (default 9)')
    parser.add_argument('--unskilled-score', type=float, default=1.0,
                        help='score given to a worker for a class it has'
                        ' not served yet (default 1.0)')
    parser.add_argument('-p', '--pool-factory',
                        default='zc.resumelb.lb:Pool',
                        help='module:expression of the pool factory')
    # BoundedPool's settings; the résumé pool ignores them, as BoundedPool
    # ignores -v, --backlog-history and --unskilled-score.
    parser.add_argument('--load-factor', type=float,
                        help="BoundedPool: a worker's bound, times the"
                        ' mean outstanding requests (default 1.25)')
    parser.add_argument('--hot-share', type=float,
                        help='BoundedPool: share of a fair share past which'
                        ' a class is spread (default 0.3)')
    parser.add_argument('--class-history', type=int,
                        help='BoundedPool: requests over which shares and'
                        ' backlogs are averaged (default 2000)')
    parser.add_argument('--balance', type=float,
                        help="BoundedPool: how far above the mean a home's"
                        ' averaged backlog may be before classes move, and'
                        " how far above the least a home's expected work"
                        ' may be while a likely miss stays home'
                        ' (default 1.2)')
    parser.add_argument('--patience', type=float,
                        help='BoundedPool: misses a request at a balanced'
                        ' home may wait for (default inf)')
    parser.add_argument('-s', '--status-server',
                        help='Unix socket path of the status server')
    parser.add_argument('-t', '--socket-timeout', type=float, default=99.0,
                        help='seconds a client connection may make no'
                        ' progress before it is dropped (default 99)')
    add_common_options(parser)
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
        settings = dict(
            variance=options.variance,
            backlog_history=options.backlog_history,
            unskilled_score=options.unskilled_score,
            load_factor=options.load_factor, hot_share=options.hot_share,
            class_history=options.class_history, balance=options.balance,
            patience=options.patience)
        # Bad settings are told now, not when the first worker connects.
        pool_factory().update_settings(settings)
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
        pool.update_settings(settings)
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
            secret=secret, queue_timeout=options.queue_timeout,
            response_timeout=options.response_timeout or None,
            max_frame_size=options.max_frame_size)
    if options.access_log == '-':
        log = _LineLog(sys.stdout)
    else:
        log = _LineLog(open(options.access_log, 'a'))
    spawn = gevent.pool.Pool(options.max_connections)
    server = Server(listener, lb.handle_wsgi, log=log, spawn=spawn,
                    socket_timeout=options.socket_timeout,
                    header_timeout=options.header_timeout,
                    max_body_size=options.max_body_size,
                    error_log=logging.getLogger('zc.resumelb.lb.http'))
    server.start()
    host, port = listener.getsockname()[:2]
    logger.info('serving on %s:%s', host, port)
    status = (_status_server(options.status_server, lb.pool)
              if options.status_server and children is not None else None)
    metrics = None
    if options.metrics and children is not None:
        metrics = start_metrics(options.metrics, lb, server)

    def terminate():
        logger.info('SIGTERM: draining')
        for pid in children or ():
            os.kill(pid, signal.SIGTERM)
        deadline = _drain(server, status, lb, spawn,
                          options.drain_timeout) + 5
        if metrics is not None:
            metrics.stop(timeout=1)
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
