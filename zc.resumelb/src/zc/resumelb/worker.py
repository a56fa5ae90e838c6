"""The worker: runs a WSGI application for load balancers.

A worker speaks no HTTP.  Load balancers connect to it and send parsed
requests (WSGI environments) over the frame protocol of ``zc.resumelb.util``;
the worker measures how fast it serves each request class and publishes
that as its résumé.
"""
import argparse
import datetime
import importlib
import io
import ipaddress
import logging
import marshal
import os
import pprint
import sys
import tempfile
import time

import gevent
import gevent.event
import gevent.queue
import gevent.server
import gevent.socket
import gevent.threadpool

from zc.resumelb import http11
from zc.resumelb import util

logger = logging.getLogger(__name__)

#: Bodies up to this many bytes are buffered in memory, larger ones in a
#: temporary file.
STRING_BUFFER_SIZE = 9999999

DEFAULT_HISTORY = 9999

_ERROR_BODY = b'A system error occurred'
_ERROR_HEADERS = [('Content-Type', 'text/html; charset=UTF-8'),
                  ('Content-Length', str(len(_ERROR_BODY)))]
_CHUNK = 65536


class _Request:
    """A request in progress: its body frames arrive on ``queue``."""

    __slots__ = ('queue', 'cancelled', 'started')

    def __init__(self):
        self.queue = gevent.queue.Queue()
        self.cancelled = False
        #: Whether the response start went out: after that a failure can
        #: only abort the response, not replace it with a 500.
        self.started = False

    def put(self, data):
        if data is None:
            self.cancelled = True
        self.queue.put(data)


class _WorkerConnection(util.Connection):
    eager = True
    #: Whether the LB confirmed it sends no more work (see shutdown).
    drained = False

    def __init__(self, sock, addr, cid):
        self.cid = cid
        super().__init__(sock, addr)


class _TraceLog:
    """The object applications find under ``environ[tracelog_key]``."""

    def __init__(self, logger, trace_id):
        self._logger = logger
        self._id = trace_id

    def log(self, msg=None, code='-'):
        """Write an application record to the trace log."""
        _trace(self._logger, code, self._id, msg)


def _trace(logger, code, trace_id, msg=None):
    if msg is None:
        logger.info('%s %s %s', code, trace_id, datetime.datetime.now())
    else:
        logger.info('%s %s %s %s', code, trace_id, datetime.datetime.now(),
                    msg)


class Worker:
    """Serve ``app`` to load balancers connecting to ``addr``."""

    def __init__(self, app, addr, history=None, max_skill_age=None,
                 resume_file=None, threads=None, tracelog=None,
                 tracelog_key='tracelog', secret=None, max_frame_size=None):
        self.app = app
        self.update_settings(dict(history=history,
                                  max_skill_age=max_skill_age))
        self.resume = {}
        self.perf = {}
        self.generation = 0
        self.resume_file = resume_file
        self.secret = secret
        self.max_frame_size = (util.MAX_FRAME_SIZE if max_frame_size is None
                               else int(max_frame_size))
        if resume_file:
            self._load_resume(resume_file)
        threads = int(threads) if threads not in (None, '') else 0
        self.threads = threads
        self.threadpool = (
            gevent.threadpool.ThreadPool(threads) if threads > 0 else None)
        self.tracelog = (
            logging.getLogger(tracelog) if tracelog else None)
        self.tracelog_key = tracelog_key
        self.connections = {}

        if isinstance(addr, str):
            addr = util.parse_addr(addr, '127.0.0.1')
        host, port = addr
        listener = util.listen((host or '127.0.0.1', port), 128)
        self.server = gevent.server.StreamServer(
            listener, self._handle_connection)
        self.server.start()
        self.addr = listener.getsockname()[:2]
        if secret is None and not _is_loopback(self.addr[0]):
            logger.warning(
                'worker listening on %s:%s without a secret: anyone who'
                ' can reach this port can run requests and stall the'
                ' worker; use a secret or keep the port private',
                *self.addr)
        if self.tracelog:
            _trace(self.tracelog, 'S', 0)

    # Settings

    def update_settings(self, settings):
        """Apply ``history`` and ``max_skill_age``; absent/None ⇒ default."""
        history = settings.get('history')
        self.history = (DEFAULT_HISTORY if history is None
                        else int(float(history)))
        if self.history < 1:
            raise ValueError(
                f'history must be a positive integer, got {history!r}')
        age = settings.get('max_skill_age')
        self.max_skill_age = (self.history * 10 if age is None
                              else int(float(age)))
        self.decay = 1.0 - 1.0 / self.history

    def _load_resume(self, path):
        if not os.path.exists(path):
            return
        try:
            with open(path, 'rb') as f:
                resume = marshal.load(f)
            if not isinstance(resume, dict):
                raise ValueError(f'expected a dict, got {type(resume)}')
        except Exception:
            logger.exception('Could not read resume file %r', path)
            return
        self.resume = resume
        for rclass, score in resume.items():
            if score > 0:
                self.perf[rclass] = (0, self.history / score, self.history)

    # Connections

    def _new_cid(self):
        cid = 0
        while cid in self.connections:
            cid += 1
        return cid

    def _handle_connection(self, sock, addr):
        util.set_nodelay(sock)
        addr = addr[:2]
        if self.secret is not None and not self._authenticate(sock, addr):
            sock.close()
            return
        cid = self._new_cid()
        conn = _WorkerConnection(sock, addr, cid)
        self.connections[cid] = conn
        util.logger.info('worker connected %s(%s)', addr, cid)
        conn.put(0, dict(self.resume))
        reader = util.FrameReader(sock, self.max_frame_size)
        readers = conn.readers
        try:
            while True:
                rno, data = reader.read()
                if rno == 0:
                    if data == util.DRAINED:
                        conn.drained = True
                    continue
                request = readers.get(rno)
                if request is None:
                    if isinstance(data, dict):
                        request = readers[rno] = _Request()
                        gevent.spawn(self._handle_request,
                                     conn, rno, request, data)
                else:
                    request.put(data)
                    if data is None:
                        del readers[rno]
        except util.Disconnected:
            pass
        except util.ProtocolError as error:
            logger.warning('closing connection from %s: %s', addr, error)
        except OSError:
            if conn.is_connected:  # else we closed it ourselves
                logger.exception('reading from %s', addr)
        finally:
            conn.disconnected()
            readers.clear()
            if self.connections.get(cid) is conn:
                del self.connections[cid]

    #: Seconds a connecting load balancer has to answer the challenge.
    handshake_timeout = 10

    def _authenticate(self, sock, addr):
        nonce = os.urandom(32)
        try:
            with gevent.Timeout(self.handshake_timeout,
                                util.ProtocolError('no answer in time')):
                util.write_message(sock, 0, (util.CHALLENGE, nonce))
                if util.read_answer(sock, self.secret, nonce):
                    return True
        except (util.Disconnected, util.ProtocolError, OSError) as error:
            logger.warning('connection from %s failed authentication: %s',
                           addr, error)
            return False
        logger.warning(
            'connection from %s rejected: wrong answer to the secret'
            ' challenge', addr)
        return False

    # Requests

    def _handle_request(self, conn, rno, request, env):
        trace_id = f'{conn.cid}.{rno}' if self.tracelog else rno
        body = None
        try:
            env['zc.resumelb.lb_addr'] = conn.addr
            if self.tracelog:
                url = env.get('PATH_INFO', '')
                if env.get('QUERY_STRING'):
                    url += '?' + env['QUERY_STRING']
                _trace(self.tracelog, 'B', trace_id,
                       f"{env.get('REQUEST_METHOD', '')} {url}")
                env[self.tracelog_key] = _TraceLog(self.tracelog, trace_id)
            env['wsgi.errors'] = sys.stderr
            body = self._read_body(env, request)
            if body is None:
                return
            if self.tracelog:
                _trace(self.tracelog, 'I', trace_id,
                       env.get('CONTENT_LENGTH') or '0')
            self._respond(conn, rno, request, env, trace_id)
        except util.Disconnected:
            pass
        except Exception:
            # Whatever fails, the load balancer must hear of it, or its
            # client waits for ever.
            logger.exception('Error handling request %s', trace_id)
            if not request.cancelled:
                try:
                    if request.started:
                        conn.put(rno, None)
                    else:
                        self._send_error(conn, rno, env)
                except util.Disconnected:
                    pass
        finally:
            if body is not None:
                body.close()
            if conn.readers.get(rno) is request:
                del conn.readers[rno]

    def _read_body(self, env, request):
        length = env.get('CONTENT_LENGTH') or '0'
        try:
            length = int(length)
            known = length >= 0
        except ValueError:
            known = False
        if known and length > STRING_BUFFER_SIZE:
            buffer = tempfile.TemporaryFile(prefix='zc.resumelb-')
        else:
            buffer = io.BytesIO()
        received = 0
        get = request.queue.get
        while True:
            data = get()
            if data is None:
                buffer.close()
                return None
            if not data:
                break
            received += len(data)
            if (isinstance(buffer, io.BytesIO)
                    and received > STRING_BUFFER_SIZE):
                spilled = tempfile.TemporaryFile(prefix='zc.resumelb-')
                spilled.write(buffer.getvalue())
                buffer = spilled
            buffer.write(data)
        if not known or (received and 'HTTP_TRANSFER_ENCODING' in env):
            env['CONTENT_LENGTH'] = str(received)
            env.pop('HTTP_TRANSFER_ENCODING', None)
        elif 'CONTENT_LENGTH' in env and not env['CONTENT_LENGTH']:
            env['CONTENT_LENGTH'] = '0'
        buffer.seek(0)
        env['wsgi.input'] = buffer
        return buffer

    def _run(self, func, *args):
        if self.threadpool is None:
            return func(*args)
        # Exceptions travel back as values: raised inside the pool they
        # would also be printed by the hub.
        ok, value = self.threadpool.apply(_catching, (func, args))
        if ok:
            return value
        try:
            raise value
        finally:
            value = None

    def _respond(self, conn, rno, request, env, trace_id):
        response = _Response(self, env, trace_id)
        try:
            self._run(response.start)
        except Exception:
            logger.exception('Uncaught application exception for %s',
                             trace_id)
            if request.cancelled:
                return
            self._send_error(conn, rno, env)
            response.close_quietly()
            return
        if self.tracelog:
            _trace(self.tracelog, 'A', trace_id, response.summary())
        try:
            if request.cancelled:
                return
            start = (response.status, response.headers)
            request.started = True
            if response.iterator is None:
                # The whole response is known: one queue item for all.
                conn.put_frames(rno, start, *response.pending, b'')
                self._update_resume(env)
                return
            conn.put(rno, start)
            for chunk in response.pending:
                conn.put(rno, chunk)
            if response.iterator is not None:
                in_loop = self.threadpool is None or response.is_sequence
                while response.iterator is not None:
                    if request.cancelled:
                        return
                    try:
                        chunks = (response.next_chunks() if in_loop
                                  else self._run(response.next_chunks))
                    except Exception:
                        logger.exception(
                            'Uncaught application exception for %s',
                            trace_id)
                        conn.put(rno, None)
                        return
                    for chunk in chunks:
                        if request.cancelled:
                            return
                        conn.put(rno, chunk)
            if request.cancelled:
                return
            conn.put(rno, b'')
            self._update_resume(env)
        finally:
            if response.has_close():
                try:
                    self._run(response.close)
                except Exception:
                    logger.exception('Error closing the response of %s',
                                     trace_id)
            if self.tracelog:
                _trace(self.tracelog, 'E', trace_id)

    @staticmethod
    def _send_error(conn, rno, env):
        conn.put(rno, ('500 Internal Server Error', _ERROR_HEADERS))
        if env.get('REQUEST_METHOD') != 'HEAD':
            conn.put(rno, _ERROR_BODY)
        conn.put(rno, b'')

    # Résumé

    def _update_resume(self, env):
        elapsed = max(time.time() - env['zc.resumelb.time'], 1e-9)
        rclass = env.get('zc.resumelb.request_class', '')
        self.generation += 1
        generation = self.generation
        perf = self.perf.get(rclass)
        if perf is not None:
            gen, t, c = perf
            decay = self.decay ** (generation - gen)
            t = t * decay + elapsed
            c = c * decay + 1
        else:
            t, c = elapsed, 1
        self.perf[rclass] = (generation, t, c)
        self.resume[rclass] = c / t
        if generation % self.history == 0:
            oldest = generation - self.max_skill_age
            for rclass, (gen, _, _) in list(self.perf.items()):
                if gen < oldest:
                    del self.perf[rclass]
                    self.resume.pop(rclass, None)
            self.new_resume(dict(self.resume))

    def new_resume(self, resume):
        """Publish ``resume``: write the résumé file, tell every LB."""
        self.resume = resume
        if self.resume_file:
            try:
                tmp = self.resume_file + '.tmp'
                with open(tmp, 'wb') as f:
                    marshal.dump(resume, f, util.MARSHAL_VERSION)
                os.replace(tmp, self.resume_file)
            except OSError:
                logger.exception('Could not write resume file %r',
                                 self.resume_file)
        for conn in list(self.connections.values()):
            try:
                conn.put(0, resume)
            except util.Disconnected:
                pass

    # Life cycle

    def stop(self):
        """Stop listening, close all connections, stop the thread pool."""
        self.server.close()
        for conn in list(self.connections.values()):
            conn.disconnected()
        self.connections.clear()
        # Readers end once their sockets are closed; don't wait the
        # server's default second for them.
        self.server.stop(timeout=0.1)
        if self.threadpool is not None:
            # Killing the pool waits for busy threads, and a thread stuck
            # in the application never ends: by now the drain gave it its
            # time, so wait no more than a moment.
            killer = gevent.spawn(self.threadpool.kill)
            killer.join(self.thread_stop_timeout)
            if not killer.dead:
                killer.kill(block=False)
                logger.warning('stopping with application threads still'
                               ' busy')
        if self.tracelog:
            _trace(self.tracelog, 'X', 0)

    #: Seconds ``stop`` waits for application threads to end.
    thread_stop_timeout = 1.0

    #: Seconds ``shutdown`` waits for load balancers to confirm they
    #: send no more work (older or stuck ones never do).
    drain_ack_timeout = 5.0

    def shutdown(self, timeout=None):
        """Drain: refuse new connections, have every load balancer stop
        sending work, finish the requests in progress, then ``stop()``.

        Waits at most ``timeout`` seconds (None: for ever) for requests.
        """
        self.server.close()
        start = time.monotonic()
        for conn in list(self.connections.values()):
            try:
                conn.put(0, util.DRAIN)
            except util.Disconnected:
                pass

        def busy():
            now = time.monotonic()
            if timeout is not None and now - start >= timeout:
                return False
            for conn in self.connections.values():
                if conn.readers:
                    return True
                if (conn.is_connected and not conn.drained
                        and now - start < self.drain_ack_timeout):
                    return True
            return False

        while busy():
            gevent.sleep(0.01)
        self.stop()


def _split(chunks):
    """``chunks`` with none over ``util.MAX_PIECE`` bytes: every frame
    stays far below the receiver's frame size limit."""
    return [piece for chunk in chunks for piece in util.pieces(chunk)]


def _is_loopback(host):
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == 'localhost'


def _catching(func, args):
    try:
        return True, func(*args)
    except Exception as error:
        return False, error


class _Response(http11.StartResponse):
    """Runs the application; every method may run in a pool thread."""

    def __init__(self, worker, env, trace_id):
        self.worker = worker
        self.env = env
        self.trace_id = trace_id
        self.headers = None
        self.pending = []
        self.result = None
        self.iterator = None
        self.is_sequence = False

    def write(self, data):
        if not isinstance(data, bytes):
            raise TypeError(f'response data must be bytes, got {data!r}')
        if data:
            self.pending.append(data)

    def start(self):
        env = self.env
        env['zc.resumelb.time'] = time.time()
        worker = self.worker
        if worker.tracelog:
            _trace(worker.tracelog, 'C', self.trace_id)
        self.result = result = worker.app(env, self.start_response)
        self.is_sequence = isinstance(result, (list, tuple))
        self.iterator = iter(result)
        # Pull the first chunk now: generator apps call start_response
        # only when first iterated.
        for chunk in self.iterator:
            self._check(chunk)
            if chunk:
                self.pending.append(chunk)
                break
        else:
            self.iterator = None
        if self.is_sequence and self.iterator is not None:
            # Already in memory: take the rest now, it cannot block.
            for chunk in self.iterator:
                self._check(chunk)
                if chunk:
                    self.pending.append(chunk)
            self.iterator = None
        if self.status is None:
            raise AssertionError('the application did not call'
                                 ' start_response')
        self.headers_sent = True
        # Headers go out as str pairs whatever the application gave.
        self.headers = [(str(k), str(v)) for k, v in self.response_headers]
        if self.env.get('REQUEST_METHOD') == 'HEAD':
            # Nothing of a HEAD body reaches a client; don't produce it.
            self.pending = []
            self.iterator = None
        elif self.pending and max(map(len, self.pending)) > util.MAX_PIECE:
            self.pending = _split(self.pending)

    @staticmethod
    def _check(chunk):
        if not isinstance(chunk, bytes):
            raise TypeError(f'response chunks must be bytes, got {chunk!r}')

    def next_chunks(self):
        """Up to ≈64 KiB of further non-empty chunks; [] at the end."""
        chunks = []
        size = 0
        for chunk in self.iterator:
            self._check(chunk)
            if chunk:
                chunks.append(chunk)
                size += len(chunk)
                # A thread round trip per chunk is costly; batch small ones
                # only when the app has them ready (a sequence).
                if size >= _CHUNK or not self.is_sequence:
                    break
        else:
            self.iterator = None
        return _split(chunks) if size > util.MAX_PIECE else chunks

    def has_close(self):
        return hasattr(self.result, 'close')

    def close(self):
        self.result.close()

    def close_quietly(self):
        if self.has_close():
            try:
                self.worker._run(self.close)
            except Exception:
                logger.exception('Error closing the response of %s',
                                 self.trace_id)

    def summary(self):
        length = '?'
        for name, value in self.headers:
            if name.lower() == 'content-length':
                length = value
        return f'{self.status.split()[0]} {length}'


def get_resume(addr, secret=None):
    """Connect to the worker at ``addr`` and return its résumé."""
    if isinstance(addr, str):
        addr = util.parse_addr(addr, '127.0.0.1')
    sock = util.connect(addr, timeout=10)
    try:
        frame = util.read_message(sock)
        if util.answer_challenge(sock, frame, secret) is None:
            frame = util.read_message(sock)
        rno, resume = frame
        if rno != 0 or not isinstance(resume, dict):
            raise util.ProtocolError(
                f'expected a résumé (request 0) from {addr}, got request'
                f' {rno}')
        return resume
    finally:
        sock.close()


def get_resume_main(args=None):
    """``get-worker-resume HOST:PORT ...``: print workers' résumés."""
    parser = argparse.ArgumentParser(
        prog='get-worker-resume',
        description='Print the résumé of each worker (also a health check).')
    parser.add_argument('addresses', nargs='+', metavar='HOST:PORT',
                        help='worker addresses')
    parser.add_argument('-k', '--secret-file',
                        help='file holding the shared worker secret')
    options = parser.parse_args(args)
    secret = (util.read_secret(options.secret_file)
              if options.secret_file else None)
    status = 0
    for addr in options.addresses:
        try:
            resume = get_resume(util.parse_addr(addr, '127.0.0.1'), secret)
        except (OSError, ValueError, util.Disconnected,
                util.ProtocolError) as error:
            print(f'{addr}: {error}', file=sys.stderr)
            status = 1
            continue
        print(addr)
        pprint.pprint(resume, width=1)
    return status


def load_app(spec):
    """The WSGI application named by ``spec``.

    ``module:expression`` imports the module and evaluates the expression
    in it; a path ending in ``.ini`` (optionally followed by ``#name``)
    is a PasteDeploy configuration file.
    """
    path = spec.split('#', 1)[0]
    if path.endswith('.ini'):
        try:
            from paste.deploy import loadapp
        except ImportError:
            raise SystemExit('Error: a PasteDeploy file needs PasteDeploy:'
                             ' pip install "zc.resumelb[paste]"') from None
        if not os.path.exists(path):
            raise ValueError(f'no such file {path!r}')
        return loadapp('config:' + os.path.abspath(spec))
    module, colon, expression = spec.partition(':')
    if not colon or not module or not expression:
        raise ValueError(f'invalid application {spec!r}: expected'
                         ' module:callable or a PasteDeploy .ini file')
    module = importlib.import_module(module)
    return eval(expression, module.__dict__)


def _worker_parser():
    parser = argparse.ArgumentParser(
        prog='resumelb-worker',
        description='Serve a WSGI application to resumelb load balancers.')
    parser.add_argument('app', metavar='APP',
                        help='the application: module:callable, or a'
                        ' PasteDeploy file (FILE.ini or FILE.ini#name)')
    parser.add_argument('-a', '--address', default='127.0.0.1:0',
                        help='address load balancers connect to (default'
                        ' 127.0.0.1:0; an empty host means 127.0.0.1)')
    parser.add_argument('--threads', type=int, default=1,
                        help='OS threads running application code; 0 runs'
                        ' it in the event loop, for cooperative'
                        ' applications only (default 1)')
    parser.add_argument('--history', type=int,
                        help='requests between résumé publications, and'
                        ' over which scores decay (default 9999)')
    parser.add_argument('--max-skill-age', type=int,
                        help='requests after which an unused class leaves'
                        ' the résumé (default 10 times the history)')
    parser.add_argument('--resume-file',
                        help='file the résumé is saved to and started from')
    parser.add_argument('--tracelog', metavar='LOGGER',
                        help='logger name for trace records of every'
                        ' request')
    parser.add_argument('-k', '--secret-file',
                        help='file holding the secret load balancers must'
                        ' prove they know (its content, stripped of'
                        ' surrounding white space)')
    parser.add_argument('--max-frame-size', type=int, metavar='BYTES',
                        help='largest protocol frame accepted (default'
                        f' {util.MAX_FRAME_SIZE})')
    parser.add_argument('--drain-timeout', type=float, default=30.0,
                        metavar='SECONDS',
                        help='on SIGTERM, how long requests in progress'
                        ' may take before the worker stops anyway'
                        ' (default 30)')
    parser.add_argument('-L', '--logger-configuration', default='INFO',
                        help='a level, or a ZConfig logging file'
                        ' (default INFO)')
    return parser


def worker_main(args=None):
    """``resumelb-worker [options] APP``: serve APP until SIGTERM."""
    parser = _worker_parser()
    options = parser.parse_args(args)
    util.configure_logging(options.logger_configuration)
    try:
        address = util.parse_addr(options.address, '127.0.0.1')
        secret = (util.read_secret(options.secret_file)
                  if options.secret_file else None)
        app = load_app(options.app)
    except (ValueError, OSError, ImportError, AttributeError, NameError,
            SyntaxError) as error:
        print(f'Error: {error}', file=sys.stderr)
        parser.print_usage(sys.stderr)
        return 2
    worker = Worker(app, address, history=options.history,
                    max_skill_age=options.max_skill_age,
                    resume_file=options.resume_file,
                    threads=options.threads, tracelog=options.tracelog,
                    secret=secret, max_frame_size=options.max_frame_size)
    logger.info('worker listening on %s:%s', *worker.addr)

    def terminate():
        logger.info('SIGTERM: draining')
        worker.shutdown(options.drain_timeout)

    util.run_until_sigterm(terminate)
    return 0


def server_runner(app, global_conf, address, **kw):
    """PasteDeploy ``main`` server runner: serve ``app`` until SIGTERM.

    ``address`` is ``HOST:PORT``; an empty host binds 127.0.0.1, since the
    worker protocol must never be reachable by strangers.  ``kw`` may hold
    ``history``, ``max_skill_age``, ``threads``, ``resume_file``,
    ``tracelog``, ``secret_file``, ``max_frame_size`` and
    ``drain_timeout``: on SIGTERM, seconds requests in progress may take
    before the worker stops anyway (default 30, as ``resumelb-worker``'s
    ``--drain-timeout``).
    """
    logging.basicConfig(level=logging.INFO)
    drain_timeout = kw.pop('drain_timeout', 30.0)
    try:
        drain_timeout = float(drain_timeout)
        if not drain_timeout >= 0:
            raise ValueError
    except ValueError:
        raise ValueError(f'drain_timeout must be a number of seconds,'
                         f' not {drain_timeout!r}') from None
    secret_file = kw.pop('secret_file', None)
    if secret_file:
        kw['secret'] = util.read_secret(secret_file)
    worker = Worker(app, util.parse_addr(address, '127.0.0.1'), **kw)
    logger.info('worker listening on %s:%s', *worker.addr)

    def terminate():
        logger.info('SIGTERM: draining')
        worker.shutdown(drain_timeout)

    util.run_until_sigterm(terminate)
    return worker
