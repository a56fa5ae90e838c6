"""The wire protocol and the plumbing both ends share.

A frame is ``rno`` (u32 big-endian), payload length (u32 big-endian) and a
``marshal`` (version 4) payload.  One TCP connection per (LB, worker) pair
multiplexes many requests.
"""
import errno
import os
import hashlib
import hmac
import logging
import marshal
import queue
import signal
import socket
import struct
import tempfile
import time

import gevent
import gevent.event
import gevent.queue
import gevent.socket

logger = logging.getLogger(__name__)

MARSHAL_VERSION = 4
#: Bytes a write queue (and a reader queue's memory part) holds before
#: ``put`` blocks, or a BufferedQueue spills to a file.  Tests lower it.
queue_size_bytes = 99999
#: The default limit on a frame's payload: a frame announcing more is a
#: protocol error (a stranger, not a peer).  Senders split bodies into
#: pieces of at most ``MAX_PIECE`` bytes, so real traffic never meets it.
MAX_FRAME_SIZE = 64 << 20
MAX_PIECE = 1 << 20
_HEADER = struct.Struct('>II')
_BATCH_BYTES = 65536

Full = queue.Full
Empty = queue.Empty

_DISCONNECT_ERRNOS = frozenset((
    errno.EPIPE, errno.ECONNRESET, errno.ENOTCONN, errno.ESHUTDOWN,
    errno.ECONNABORTED))


class Disconnected(Exception):
    """The peer is gone (EOF, reset, broken pipe) or the link was closed."""


class ProtocolError(Exception):
    """The peer sent something that is not a valid frame."""


def _is_disconnect(error):
    return getattr(error, 'errno', None) in _DISCONNECT_ERRNOS


def encode(rno, obj):
    """Return the bytes of one frame."""
    payload = marshal.dumps(obj, MARSHAL_VERSION)
    return _HEADER.pack(rno, len(payload)) + payload


def _decode(rno, payload):
    try:
        return rno, marshal.loads(payload)
    except (ValueError, EOFError, TypeError) as error:
        raise ProtocolError(
            f'undecodable payload for request {rno}: {error}') from None


def _recv(sock, size):
    """Up to ``size`` bytes; Disconnected when the peer is gone."""
    try:
        data = sock.recv(size)
    except OSError as error:
        if _is_disconnect(error):
            raise Disconnected(str(error)) from None
        raise
    if not data:
        raise Disconnected('connection closed by peer')
    return data


def _recv_exactly(sock, size):
    parts = []
    while size:
        data = _recv(sock, min(size, 1 << 20))
        parts.append(data)
        size -= len(data)
    return b''.join(parts)


def read_message(sock, max_size=None):
    """Read one frame from ``sock`` and return ``(rno, obj)``."""
    rno, size = _HEADER.unpack(_recv_exactly(sock, 8))
    _check_size(size, max_size)
    return _decode(rno, _recv_exactly(sock, size))


def _check_size(size, max_size):
    if max_size is None:
        max_size = MAX_FRAME_SIZE
    if size > max_size:
        raise ProtocolError(
            f'frame of {size} bytes exceeds the limit of {max_size}')


def pieces(data):
    """``data`` (bytes) in pieces of at most ``MAX_PIECE`` bytes."""
    if len(data) <= MAX_PIECE:
        return (data,)
    view = memoryview(data)
    return [bytes(view[start:start + MAX_PIECE])
            for start in range(0, len(data), MAX_PIECE)]


def write_message(sock, rno, *objs):
    """Write one frame per object in ``objs``, all with request ``rno``."""
    data = b''.join(encode(rno, obj) for obj in objs)
    try:
        sock.sendall(data)
    except OSError as error:
        if _is_disconnect(error):
            raise Disconnected(str(error)) from None
        raise


class FrameReader:
    """Reads frames through a buffer: one ``recv`` yields many frames.

    Small frames are sliced out of one buffer; a large frame's pieces
    are collected in a list and joined once, so reading costs time
    linear in the bytes received however the peer trickles them.
    """

    def __init__(self, sock, max_size=None):
        self.sock = sock
        self.buffer = b''
        self.pos = 0  # frames are sliced out without copying the rest
        self.max_size = MAX_FRAME_SIZE if max_size is None else max_size

    def _fill(self, need):
        buffer = self.buffer[self.pos:]
        self.pos = 0
        have = len(buffer)
        if have < need:
            parts = [buffer]
            while have < need:
                data = _recv(self.sock, max(262144, min(need - have,
                                                        1 << 20)))
                parts.append(data)
                have += len(data)
            buffer = b''.join(parts)
        self.buffer = buffer

    def read(self):
        """Return the next ``(rno, obj)``."""
        pos = self.pos
        if len(self.buffer) - pos < 8:
            self._fill(8)
            pos = 0
        rno, size = _HEADER.unpack_from(self.buffer, pos)
        if size > self.max_size:
            raise ProtocolError(
                f'frame of {size} bytes exceeds the limit of'
                f' {self.max_size}')
        end = pos + 8 + size
        if len(self.buffer) < end:
            self._fill(8 + size)
            pos, end = 0, 8 + size
        self.pos = end
        return _decode(rno, self.buffer[pos + 8:end])


# A worker that shuts down sends (0, DRAIN) to every load balancer; each
# stops giving it work and answers (0, DRAINED) once nothing more will come.
DRAIN = 'drain'
DRAINED = 'drained'

# Challenge/response on connect when a worker has a shared secret: the
# worker sends (0, (CHALLENGE, nonce)), the LB answers (0, hmac(nonce)).
CHALLENGE = 'hmac-sha256'


def sign(secret, nonce):
    """The answer to a worker's challenge ``nonce``."""
    if isinstance(secret, str):
        secret = secret.encode('utf-8')
    return hmac.new(secret, nonce, hashlib.sha256).digest()


_DIGEST_SIZE = hashlib.sha256().digest_size
# How marshal writes a bytes object: a type code (0x73, with 0x80 added
# when it marks the object for back-references) and a 4-byte length.
_ANSWER_PREFIX = struct.pack('<i', _DIGEST_SIZE)
_BYTES_CODES = (b's', b'\xf3')


def read_answer(sock, secret, nonce):
    """Read the answer to a challenge; whether it proves the secret.

    Reads exactly one frame header and the answer's known size, and
    compares bytes: nothing a stranger sends is unmarshalled.
    """
    size = 1 + len(_ANSWER_PREFIX) + _DIGEST_SIZE
    rno, announced = _HEADER.unpack(_recv_exactly(sock, 8))
    if rno != 0 or announced != size:
        return False
    payload = _recv_exactly(sock, size)
    return (payload[:1] in _BYTES_CODES
            and hmac.compare_digest(
                payload[1:], _ANSWER_PREFIX + sign(secret, nonce)))


def answer_challenge(sock, first, secret):
    """Given the first frame read from a worker, answer a challenge.

    Returns the résumé frame: ``first`` itself when the worker sent no
    challenge, otherwise the frame read after the answer.
    """
    rno, obj = first
    if rno == 0 and isinstance(obj, tuple) and obj[:1] == (CHALLENGE,):
        if secret is None:
            raise ProtocolError(
                'the worker requires a secret, but none was configured')
        write_message(sock, 0, sign(secret, obj[1]))
        return None
    return first


def _payload_size(item):
    try:
        return len(item) if item else 0
    except TypeError:
        return 1


class ByteSizedQueue:
    """A FIFO queue whose capacity is counted in bytes.

    ``put`` blocks only while the byte total is already at or above
    ``maxbytes``, so one put may overshoot.  Falsy items weigh nothing, but
    the queue is not empty while it holds any.
    """

    def __init__(self, maxbytes):
        self.maxbytes = maxbytes
        self._queue = gevent.queue.Queue()
        self._bytes = 0
        # Made when a put first has to wait: most queues (one per request)
        # never fill, and an Event per request is a measurable cost.
        self._writable = None

    _size = staticmethod(_payload_size)

    def qsize(self):
        """The byte total, or the item count if that is 0."""
        return self._bytes or self._queue.qsize()

    def __len__(self):
        return self.qsize()

    def __bool__(self):
        return bool(self._queue.qsize())

    def put(self, item, block=True, timeout=None):
        """Add ``item``; waits (or raises Full) while the queue is full."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while self._bytes >= self.maxbytes:
            remaining = (None if deadline is None
                         else deadline - time.monotonic())
            if not block or (remaining is not None and remaining <= 0):
                raise Full(f'queue holds {self._bytes} bytes'
                           f' (limit {self.maxbytes})')
            if self._writable is None:
                self._writable = gevent.event.Event()
            self._writable.clear()
            self._writable.wait(remaining)
        self._bytes += self._size(item)
        self._queue.put(item)

    def get(self, block=True, timeout=None):
        """Remove and return the oldest item."""
        item = self._queue.get(block, timeout)
        self._bytes -= self._size(item)
        if self._writable is not None and self._bytes < self.maxbytes:
            self._writable.set()
        return item

    def get_nowait(self):
        return self.get(False)


class _WriteQueue(ByteSizedQueue):
    """Holds ``(rno, obj)`` pairs; counts the payload's bytes."""

    @staticmethod
    def _size(item):
        if type(item) is bytes:  # frames encoded in advance
            return len(item)
        obj = item[1]
        if isinstance(obj, (bytes, str)):
            return len(obj)
        return 64


class BufferedQueue:
    """A reader queue whose ``put`` never blocks.

    Items go to memory until that is full, then, for good, to a temporary
    file from which a feeder task refills memory as the consumer drains it.
    A slow consumer therefore never blocks the connection's reader.
    """

    def __init__(self):
        self.queue = ByteSizedQueue(queue_size_bytes)
        self.file = None
        self._closed = False
        self._read_pos = self._write_pos = 0
        self._data = None
        self._feeder = None

    def qsize(self):
        return self.queue.qsize() + self._write_pos - self._read_pos

    def put(self, item):
        """Add ``item`` without blocking."""
        if self._closed:
            return
        if self.file is None:
            queue = self.queue
            if queue._bytes < queue.maxbytes:
                # put() itself would only check the same limit again.
                queue._bytes += _payload_size(item)
                queue._queue.put(item)
                return
            self.file = tempfile.TemporaryFile(prefix='zc.resumelb-')
            self._data = gevent.event.Event()
            self._feeder = gevent.spawn(self._feed)
        data = marshal.dumps(item, MARSHAL_VERSION)
        self.file.seek(self._write_pos)
        self.file.write(struct.pack('>I', len(data)) + data)
        self._write_pos = self.file.tell()
        self._data.set()

    def _feed(self):
        while not self._closed:
            if self._read_pos == self._write_pos:
                self._data.clear()
                self._data.wait()
                continue
            self.file.seek(self._read_pos)
            size, = struct.unpack('>I', self.file.read(4))
            item = marshal.loads(self.file.read(size))
            self._read_pos += 4 + size
            self.queue.put(item)

    def get(self, block=True, timeout=None):
        return self.queue.get(block, timeout)

    def close(self):
        """Drop everything; later puts are ignored.  Idempotent."""
        if self._closed:
            return
        self._closed = True
        if self._feeder is not None:
            self._feeder.kill(block=False)
        if self.file is not None:
            self.file.close()
        self._read_pos = self._write_pos = 0
        while self.queue.qsize():
            self.queue.get()


class Connection:
    """One end of an LB/worker link: writer task, reader queues by rno."""

    #: Seconds without anything to send before a keep-alive is sent; None
    #: disables keep-alives (workers send none).
    write_keepalive_interval = None
    #: Whether ``disconnected`` logs (not for links never established).
    log_disconnect = True

    def __init__(self, sock, addr=None):
        self.socket = sock
        if addr is None:
            addr = sock.getpeername()[:2]
        self.addr = addr
        self.write_queue = _WriteQueue(queue_size_bytes)
        self.readers = {}
        self.is_connected = True
        self.fileno = sock.fileno()
        self.writer = gevent.spawn(self._write_loop)

    def put(self, rno, obj):
        """Queue a frame for sending."""
        if not self.is_connected:
            raise Disconnected(f'not connected to {self.addr}')
        self.write_queue.put((rno, obj))

    #: Whether ``put_frames`` writes straight to the socket when nothing
    #: is queued or being written.  Workers do: a worker that left every
    #: response to the writer task would answer a whole batch of requests
    #: only after running them all, leaving its load balancer idle
    #: meanwhile.  Load balancers don't: their batches save them system
    #: calls, and the LB is the busier end.
    eager = False
    _writing = False

    def put_frames(self, rno, *objs):
        """Send several frames of one request as one item."""
        if not self.is_connected:
            raise Disconnected(f'not connected to {self.addr}')
        data = b''.join([encode(rno, obj) for obj in objs])
        if (self.eager and not self._writing
                and not self.write_queue._queue.qsize()):
            try:
                # Never blocks (the socket is non-blocking) and so never
                # lets another task's frames in between.
                sent = os.write(self.fileno, data)
            except OSError:
                sent = 0  # full, or broken: the writer task finds out
            if sent == len(data):
                self._sent = True
                return
            data = data[sent:]
        self.write_queue.put(data)

    def _write_loop(self):
        get = self.write_queue.get
        qsize = self.write_queue._queue.qsize
        sock = self.socket
        if self.write_keepalive_interval:
            keepalive = gevent.spawn(self._keepalive_loop)
        try:
            while self.is_connected:
                item = get()
                frames = [item if type(item) is bytes else encode(*item)]
                size = len(frames[0])
                while size < _BATCH_BYTES and qsize():
                    item = get()
                    frame = item if type(item) is bytes else encode(*item)
                    frames.append(frame)
                    size += len(frame)
                data = b''.join(frames) if len(frames) > 1 else frames[0]
                self._writing = True
                # gevent's sendall asks the kernel for the send buffer
                # size each time; one send usually takes the whole batch.
                sent = sock.send(data)
                if sent < len(data):
                    sock.sendall(memoryview(data)[sent:])
                self._writing = False
                self._sent = True
        except OSError as error:
            if not _is_disconnect(error) and self.is_connected:
                logger.exception('writing to %s', self.addr)
        except (ValueError, TypeError):
            logger.exception('unserializable frame for %s', self.addr)
        finally:
            if self.write_keepalive_interval:
                keepalive.kill(block=False)
            self.disconnected()

    # A separate ticker instead of a timeout on every queue get: arming a
    # timer per frame costs more than the keep-alives themselves.
    _sent = False

    def _keepalive_loop(self):
        interval = self.write_keepalive_interval
        while self.is_connected:
            self._sent = False
            gevent.sleep(interval)
            if not self._sent and not self.write_queue._queue.qsize():
                self.write_queue.put((0, None))

    def disconnected(self):
        """Mark the link dead and wake every in-flight request.  Idempotent."""
        if not self.is_connected:
            return
        self.is_connected = False
        for reader in list(self.readers.values()):
            reader.put(None)
        try:
            self.socket.close()
        except OSError:
            pass
        if self.writer is not gevent.getcurrent():
            self.writer.kill(block=False)
        if self.log_disconnect:
            logger.info('disconnected %s', self.addr)


def parse_addr(addr, default_host=''):
    """Parse ``HOST:PORT`` (or ``[IPV6]:PORT``) into ``(host, port)``."""
    if not isinstance(addr, str) or ':' not in addr:
        raise ValueError(f'invalid address {addr!r}: expected HOST:PORT')
    host, port = addr.rsplit(':', 1)
    if host.startswith('[') and host.endswith(']'):
        host = host[1:-1]
    try:
        port = int(port)
    except ValueError:
        raise ValueError(
            f'invalid port in address {addr!r}: expected an integer') from None
    if not 0 <= port <= 65535:
        raise ValueError(f'invalid port in address {addr!r}: out of range')
    return (host or default_host), port


def connect(addr, timeout=None):
    """A connected gevent TCP socket, with TCP_NODELAY.

    Numeric addresses skip the resolver (gevent's runs in a thread pool).
    """
    host, port = addr
    family = socket.AF_INET6 if ':' in host else socket.AF_INET
    try:
        socket.inet_pton(family, host)
    except OSError:
        sock = gevent.socket.create_connection(addr, timeout)
    else:
        sock = gevent.socket.socket(family, socket.SOCK_STREAM)
        sock.settimeout(timeout)
        try:
            sock.connect((host, port))
        except BaseException:
            sock.close()
            raise
    set_nodelay(sock)
    return sock


def listen(addr, backlog=1024):
    """A listening gevent TCP socket bound to ``addr`` with SO_REUSEADDR.

    Bound through the standard library: gevent would resolve even a
    numeric address in its resolver thread.
    """
    host, port = addr
    family = socket.AF_INET6 if ':' in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(backlog)
    except BaseException:
        sock.close()
        raise
    return gevent.socket.socket(family, socket.SOCK_STREAM,
                                fileno=sock.detach())


def set_nodelay(sock):
    try:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    except OSError:
        pass  # Unix sockets in tests have no Nagle to disable.


def run_until_sigterm(terminate):
    """Wait until SIGTERM has come and ``terminate()`` has returned.

    ``terminate`` runs in a task of its own, not in the signal handler,
    so that it may wait for requests to finish.
    """
    done = gevent.event.Event()

    def on_sigterm():
        try:
            terminate()
        except BaseException:
            # Exit all the same: a program that ignores SIGTERM is worse.
            logger.exception('error while terminating')
        finally:
            done.set()

    handler = gevent.signal_handler(signal.SIGTERM, gevent.spawn, on_sigterm)
    try:
        done.wait()
    finally:
        handler.cancel()


def configure_logging(spec):
    """Configure logging from a level (name or number) or a ZConfig file."""
    if spec is None:
        return
    spec = str(spec).strip()
    if spec.isdigit():
        logging.basicConfig(level=int(spec))
    elif spec in ('CRITICAL', 'ERROR', 'WARNING', 'INFO', 'DEBUG'):
        logging.basicConfig(level=getattr(logging, spec))
    else:
        try:
            import ZConfig
        except ImportError:
            raise SystemExit(
                f'Error: logging configuration {spec!r} is not a level;'
                ' a configuration file needs the ZConfig package') from None
        with open(spec) as f:
            ZConfig.configureLoggers(f.read())


def read_secret(path):
    """The shared secret stored in the file at ``path`` (stripped)."""
    with open(path, 'rb') as f:
        secret = f.read().strip()
    if not secret:
        raise ValueError(f'secret file {path!r} is empty')
    return secret
