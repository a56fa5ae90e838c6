"""The worker, driven by a raw socket playing the load balancer."""
import hashlib
import marshal
import os
import shutil
import struct
import tempfile
import time
import unittest
from unittest import mock

import gevent
import gevent.socket

from zc.resumelb import util
from zc.resumelb import worker as worker_module
from zc.resumelb.worker import Worker


def app(env, start_response):
    path = env['PATH_INFO']
    if path == '/echo':
        body = env['wsgi.input'].read()
        start_response('200 OK', [('Content-Type', 'text/plain')])
        return [hashlib.sha256(body).hexdigest().encode(),
                b' %d' % len(body)]
    if path == '/error':
        raise ValueError('boom')
    if path == '/midfail':
        def body():
            yield b'partial'
            raise RuntimeError('mid')
        start_response('200 OK', [])
        return body()
    if path == '/sleep':
        gevent.sleep(float(env['QUERY_STRING']))
    if path == '/lazy':
        def lazy():
            start_response('200 OK', [('Content-Length', '2')])
            yield b''
            yield b'ok'
            yield b''
        return lazy()
    if path == '/empty':
        start_response('204 No Content', [])
        return iter(())
    if path == '/big':
        start_response('200 OK', [])
        return [b'x' * (util.MAX_PIECE * 2 + 1)]
    if path == '/write':
        write = start_response('200 OK', [])
        write(b'first ')
        return [b'second']
    if path == '/env':
        start_response('200 OK', [])
        return [repr(sorted(
            (k, v) for k, v in env.items()
            if k.startswith(('CONTENT', 'HTTP_', 'zc.')))).encode()]
    start_response('200 OK', [('Content-Length', '5')])
    return [b'hello']


class Base(unittest.TestCase):

    threads = None
    secret = None

    def setUp(self):
        self.worker = Worker(app, ('127.0.0.1', 0), threads=self.threads,
                             secret=self.secret)
        self.addCleanup(self.worker.stop)

    def connect(self):
        sock = util.connect(self.worker.addr)
        self.addCleanup(sock.close)
        sock.settimeout(5)
        return sock

    def request(self, sock, rno, path, body=b'', method='GET', **env):
        env.update(REQUEST_METHOD=method, PATH_INFO=path,
                   CONTENT_LENGTH=str(len(body)))
        util.write_message(sock, rno, env)
        if body:
            util.write_message(sock, rno, body)
        util.write_message(sock, rno, b'')

    def response(self, sock, rno=None):
        """Frames up to an end marker (or abort) of one request."""
        frames = []
        while True:
            got, data = util.read_message(sock)
            if got == 0:
                continue
            self.assertEqual(got, rno if rno is not None else got)
            frames.append(data)
            if data in (b'', None):
                return frames


class WorkerTests(Base):

    def test_resume_first_then_a_get(self):
        sock = self.connect()
        self.assertEqual(util.read_message(sock), (0, {}))
        self.request(sock, 1, '/')
        self.assertEqual(self.response(sock, 1), [
            ('200 OK', [('Content-Length', '5')]), b'hello', b''])

    def test_a_huge_response_chunk_travels_in_pieces(self):
        sock = self.connect()
        util.read_message(sock)
        self.request(sock, 1, '/big')
        frames = self.response(sock, 1)
        self.assertEqual([len(f) for f in frames[1:]],
                         [util.MAX_PIECE, util.MAX_PIECE, 1, 0])

    def test_interleaved_uploads_are_kept_apart(self):
        sock = self.connect()
        util.read_message(sock)
        bodies = {rno: os.urandom(size) for rno, size in
                  ((1, 1000), (2, 10000), (3, 100000))}
        for rno, body in bodies.items():
            util.write_message(sock, rno, dict(
                REQUEST_METHOD='POST', PATH_INFO='/echo',
                CONTENT_LENGTH=str(len(body))))
        for start in range(0, 100000, 1000):
            for rno, body in bodies.items():
                if body[start:start + 1000]:
                    util.write_message(sock, rno, body[start:start + 1000])
        for rno in bodies:
            util.write_message(sock, rno, b'')
        got = {}
        ended = set()
        while len(ended) < 3:
            rno, data = util.read_message(sock)
            got.setdefault(rno, []).append(data)
            if data == b'':
                ended.add(rno)
        for rno, frames in got.items():
            body = b''.join(f for f in frames if isinstance(f, bytes))
            self.assertEqual(
                body, b'%s %d' % (hashlib.sha256(bodies[rno]).hexdigest()
                                  .encode(), len(bodies[rno])))

    def test_chunked_upload_gets_a_content_length(self):
        sock = self.connect()
        util.read_message(sock)
        util.write_message(sock, 1, dict(
            REQUEST_METHOD='POST', PATH_INFO='/env',
            HTTP_TRANSFER_ENCODING='chunked'))
        util.write_message(sock, 1, b'abc', b'de', b'')
        frames = self.response(sock, 1)
        self.assertIn(b"('CONTENT_LENGTH', '5')", frames[1])
        self.assertNotIn(b'TRANSFER', frames[1])

    def test_app_errors_are_500s_and_head_has_no_body(self):
        sock = self.connect()
        util.read_message(sock)
        with self.assertLogs('zc.resumelb.worker', 'ERROR') as logs:
            self.request(sock, 1, '/error')
            frames = self.response(sock, 1)
            self.request(sock, 2, '/error', method='HEAD')
            head = self.response(sock, 2)
        self.assertEqual(frames, [
            ('500 Internal Server Error',
             [('Content-Type', 'text/html; charset=UTF-8'),
              ('Content-Length', '23')]),
            b'A system error occurred', b''])
        self.assertEqual(len(head), 2)
        self.assertIn('Uncaught application exception for 1',
                      logs.output[0])

    def test_failure_mid_body_sends_abort(self):
        sock = self.connect()
        util.read_message(sock)
        with self.assertLogs('zc.resumelb.worker', 'ERROR'):
            self.request(sock, 1, '/midfail')
            self.assertEqual(self.response(sock, 1),
                             [('200 OK', []), b'partial', None])

    def test_generator_apps_write_and_empty_chunks(self):
        sock = self.connect()
        util.read_message(sock)
        self.request(sock, 1, '/lazy')
        self.assertEqual(self.response(sock, 1)[1:], [b'ok', b''])
        self.request(sock, 2, '/empty')
        self.assertEqual(self.response(sock, 2),
                         [('204 No Content', []), b''])
        self.request(sock, 3, '/write')
        self.assertEqual(self.response(sock, 3)[1:],
                         [b'first ', b'second', b''])

    def test_cancel_before_response_sends_nothing(self):
        sock = self.connect()
        util.read_message(sock)
        self.request(sock, 1, '/sleep', QUERY_STRING='0.1')
        util.write_message(sock, 1, None)
        self.request(sock, 2, '/')
        self.assertEqual(self.response(sock)[-1], b'')
        sock.settimeout(0.3)
        with self.assertRaises(OSError):
            util.read_message(sock)

    def test_cancel_during_upload(self):
        sock = self.connect()
        util.read_message(sock)
        util.write_message(sock, 1, dict(
            REQUEST_METHOD='POST', PATH_INFO='/echo', CONTENT_LENGTH='10'))
        util.write_message(sock, 1, b'abc', None)
        self.request(sock, 1, '/')  # the rno may be reused at once
        self.assertEqual(self.response(sock, 1)[1:], [b'hello', b''])

    def test_keepalives_and_stray_frames_are_ignored(self):
        sock = self.connect()
        util.read_message(sock)
        util.write_message(sock, 0, None)
        util.write_message(sock, 9, b'stray')
        util.write_message(sock, 9, None)
        self.request(sock, 1, '/')
        self.assertEqual(self.response(sock, 1)[-1], b'')

    def test_bad_frames_close_only_that_connection(self):
        good = self.connect()
        util.read_message(good)
        bad = self.connect()
        util.read_message(bad)
        with self.assertLogs('zc.resumelb.worker', 'WARNING'):
            bad.sendall(b'\x00\x00\x00\x01\x00\x00\x00\x03\xff\xff\xff')
            self.assertEqual(bad.recv(10), b'')
        self.request(good, 1, '/')
        self.assertEqual(self.response(good, 1)[-1], b'')

    def test_connection_ids_reuse_the_smallest_free_one(self):
        socks = [self.connect() for _ in range(3)]
        for sock in socks:
            util.read_message(sock)
        self.assertEqual(sorted(self.worker.connections), [0, 1, 2])
        socks[1].close()
        for _ in range(100):
            if 1 not in self.worker.connections:
                break
            gevent.sleep(0.01)
        sock = self.connect()
        util.read_message(sock)
        self.assertEqual(sorted(self.worker.connections), [0, 1, 2])

    def test_get_resume_returns_the_resume(self):
        self.assertEqual(worker_module.get_resume(self.worker.addr), {})

    def test_shutdown_finishes_requests_and_refuses_connections(self):
        sock = self.connect()
        util.read_message(sock)
        self.request(sock, 1, '/sleep', QUERY_STRING='0.1')
        gevent.sleep(0.01)
        stopper = gevent.spawn(self.worker.shutdown)
        gevent.sleep(0.01)
        with self.assertRaises(OSError):
            util.connect(self.worker.addr, timeout=1)
        self.assertEqual(util.read_message(sock), (0, util.DRAIN))
        self.request(sock, 2, '/')  # sent before the LB heard of it
        util.write_message(sock, 0, util.DRAINED)
        ended = set()
        while len(ended) < 2:
            rno, data = util.read_message(sock)
            if data == b'':
                ended.add(rno)
        self.assertEqual(ended, {1, 2})
        stopper.join(2)
        self.assertTrue(stopper.successful())

    def test_shutdown_waits_a_bounded_time_for_a_silent_lb(self):
        self.worker.drain_ack_timeout = 0.2
        sock = self.connect()
        util.read_message(sock)
        stopper = gevent.spawn(self.worker.shutdown)
        self.assertEqual(util.read_message(sock), (0, util.DRAIN))
        stopper.join(2)
        self.assertTrue(stopper.successful())


class ThreadedWorkerTests(WorkerTests):

    threads = '2'

    def test_threads_zero_string_means_no_pool(self):
        w = Worker(app, ('127.0.0.1', 0), threads='0')
        self.addCleanup(w.stop)
        self.assertIsNone(w.threadpool)


def blocking_app(env, start_response):
    """Blocks its OS thread, as ordinary (non-gevent) applications do."""
    start_response('200 OK', [])
    if env['PATH_INFO'] == '/drip':
        def drip():
            for _ in range(3):
                time.sleep(0.1)
                yield b'.'
        return drip()
    time.sleep(0.2)
    return [b'done']


class ThreadPoolTests(Base):

    def setUp(self):
        self.worker = Worker(blocking_app, ('127.0.0.1', 0), threads=3)
        self.addCleanup(self.worker.stop)

    def test_blocking_apps_run_in_parallel_threads(self):
        sock = self.connect()
        util.read_message(sock)
        start = time.monotonic()
        for rno in (1, 2, 3):
            self.request(sock, rno, '/')
        ended = 0
        while ended < 3:
            ended += util.read_message(sock)[1] == b''
        # One after the other would take 0.6 s.
        self.assertLess(time.monotonic() - start, 0.5)

    def test_a_blocking_generator_does_not_stall_the_worker(self):
        sock = self.connect()
        util.read_message(sock)
        self.request(sock, 1, '/drip')
        gevent.sleep(0.05)
        self.request(sock, 2, '/')
        finished = []
        while len(finished) < 2:
            rno, data = util.read_message(sock)
            if data == b'':
                finished.append(rno)
        self.assertEqual(finished, [2, 1])


class SecretTests(Base):

    secret = b's3cret'

    def test_the_right_secret_is_let_in(self):
        self.assertEqual(
            worker_module.get_resume(self.worker.addr, secret='s3cret'), {})

    def test_wrong_or_no_secret_is_refused(self):
        with self.assertLogs('zc.resumelb.worker', 'WARNING'):
            with self.assertRaises(util.Disconnected):
                worker_module.get_resume(self.worker.addr, secret='wrong')
        with self.assertRaises(util.ProtocolError):
            worker_module.get_resume(self.worker.addr)


    def test_nothing_is_unmarshalled_before_the_answer_is_right(self):
        sock = self.connect()
        rno, (challenge, nonce) = util.read_message(sock)
        with mock.patch.object(util.marshal, 'loads',
                               side_effect=AssertionError('unmarshalled')):
            with self.assertLogs('zc.resumelb.worker', 'WARNING'):
                sock.sendall(struct.pack('>II', 0, 37) + b'\xff' * 37)
                self.assertEqual(sock.recv(100), b'')

    def test_a_stranger_announcing_a_huge_frame_is_dropped_at_once(self):
        sock = self.connect()
        util.read_message(sock)
        with self.assertLogs('zc.resumelb.worker', 'WARNING'):
            sock.sendall(struct.pack('>II', 0, 1 << 30))
            self.assertEqual(sock.recv(100), b'')

    def test_a_trickled_answer_meets_the_handshake_timeout(self):
        self.worker.handshake_timeout = 0.2
        sock = self.connect()
        util.read_message(sock)
        with self.assertLogs('zc.resumelb.worker', 'WARNING') as logs:
            sock.sendall(b'\0\0')
            self.assertEqual(sock.recv(100), b'')
        self.assertIn('no answer in time', logs.output[0])


class LoopbackTests(unittest.TestCase):

    def test_only_loopback_addresses_count_as_private(self):
        for host, loopback in (('127.0.0.1', True), ('127.9.9.9', True),
                               ('::1', True), ('localhost', True),
                               ('0.0.0.0', False), ('', False),
                               ('10.1.2.3', False), ('example.com', False)):
            self.assertEqual(worker_module._is_loopback(host), loopback,
                             host)


class ResumeTests(unittest.TestCase):

    def make(self, **kw):
        worker = Worker(app, ('127.0.0.1', 0), **kw)
        self.addCleanup(worker.stop)
        return worker

    def complete(self, worker, rclass, elapsed):
        env = {'zc.resumelb.time': 100.0,
               'zc.resumelb.request_class': rclass}
        with mock.patch('time.time', return_value=100.0 + elapsed):
            worker._update_resume(env)

    def test_settings_coerce_and_revert_to_defaults(self):
        worker = self.make()
        self.assertEqual((worker.history, worker.max_skill_age,
                          worker.decay), (9999, 99990, 1 - 1 / 9999))
        worker.update_settings({'history': '2', 'max_skill_age': 3.0})
        self.assertEqual((worker.history, worker.max_skill_age,
                          worker.decay), (2, 3, 0.5))
        worker.update_settings({'max_skill_age': 99})
        self.assertEqual((worker.history, worker.max_skill_age), (9999, 99))
        worker.update_settings({'history': 1})
        self.assertEqual(worker.decay, 0.0)

    def test_scores_follow_the_decayed_arithmetic(self):
        worker = self.make(history=1)
        self.complete(worker, 'a', 1.0)
        self.assertEqual(worker.resume, {'a': 1.0})
        self.complete(worker, 'a', 2.0)
        self.assertEqual(worker.resume, {'a': 0.5})
        worker.update_settings({'history': 2})
        self.complete(worker, 'a', 2.0)
        self.assertEqual(worker.perf['a'][1:], (3.0, 1.5))
        self.complete(worker, 'a', 0.5)
        self.assertEqual(worker.perf['a'][1:], (2.0, 1.75))
        self.assertEqual(worker.resume, {'a': 0.875})

    def test_publication_reaches_connected_lbs(self):
        worker = self.make(history=2)
        sock = util.connect(worker.addr)
        self.addCleanup(sock.close)
        self.assertEqual(util.read_message(sock), (0, {}))
        self.complete(worker, 'a', 0.5)
        self.complete(worker, 'b', 0.25)
        self.assertEqual(util.read_message(sock), (0, {'a': 2.0, 'b': 4.0}))

    def test_resume_file_seeding_and_ageing(self):
        tmp = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, tmp)
        path = os.path.join(tmp, 'resume')
        with open(path, 'wb') as f:
            marshal.dump({'old': 2.0}, f)
        worker = self.make(history=2, max_skill_age=3, resume_file=path)
        self.assertEqual(worker.resume, {'old': 2.0})
        self.assertEqual(worker.perf['old'], (0, 1.0, 2))
        self.complete(worker, 'a', 1.0)
        self.complete(worker, 'a', 1.0)
        with open(path, 'rb') as f:
            self.assertEqual(sorted(marshal.load(f)), ['a', 'old'])
        self.complete(worker, 'a', 1.0)
        self.complete(worker, 'a', 1.0)
        with open(path, 'rb') as f:
            self.assertEqual(sorted(marshal.load(f)), ['a'])

    def test_unreadable_resume_file_is_logged_and_ignored(self):
        tmp = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, tmp)
        path = os.path.join(tmp, 'resume')
        with open(path, 'wb') as f:
            f.write(b'garbage')
        with self.assertLogs('zc.resumelb.worker', 'ERROR'):
            worker = self.make(resume_file=path)
        self.assertEqual(worker.resume, {})


class TraceLogTests(Base):

    threads = 1

    def setUp(self):
        self.worker = Worker(self.traced_app, ('127.0.0.1', 0), threads=1,
                             tracelog='test.trace')
        self.addCleanup(self.worker.stop)

    @staticmethod
    def traced_app(env, start_response):
        env['tracelog'].log('hi', 'Q')
        start_response('200 OK', [('Content-Length', '2')])
        return [b'ok']

    def test_records_in_order(self):
        sock = self.connect()
        util.read_message(sock)
        with self.assertLogs('test.trace', 'INFO') as logs:
            self.request(sock, 1, '/p', QUERY_STRING='x=1')
            self.response(sock, 1)
            for _ in range(100):
                if len(logs.output) >= 6:
                    break
                gevent.sleep(0.01)
        records = [line.split(':', 2)[2].split(' ') for line in logs.output]
        self.assertEqual([r[0] for r in records], list('BICQAE'))
        self.assertEqual({r[1] for r in records}, {'0.1'})
        self.assertEqual(records[0][-2:], ['GET', '/p?x=1'])
        self.assertEqual(records[1][-1], '0')
        self.assertEqual(records[3][-1], 'hi')
        self.assertEqual(records[4][-2:], ['200', '2'])

    def test_a_request_without_content_length_is_answered(self):
        sock = self.connect()
        util.read_message(sock)
        with self.assertLogs('test.trace', 'INFO') as logs:
            util.write_message(sock, 1, dict(REQUEST_METHOD='GET',
                                             PATH_INFO='/'))
            util.write_message(sock, 1, b'')
            self.assertEqual(self.response(sock, 1), [
                ('200 OK', [('Content-Length', '2')]), b'ok', b''])
        self.assertIn(' 0', logs.output[1])

    def test_a_failure_outside_the_application_is_a_500(self):
        sock = self.connect()
        util.read_message(sock)
        # A path that is not a string breaks the trace record's URL.
        util.write_message(sock, 1, dict(REQUEST_METHOD='GET', PATH_INFO=7,
                                         QUERY_STRING='a=1'))
        util.write_message(sock, 1, b'')
        with self.assertLogs('zc.resumelb.worker', 'ERROR'):
            frames = self.response(sock, 1)
        self.assertEqual(frames[0][0], '500 Internal Server Error')
        self.assertEqual(frames[1:], [b'A system error occurred', b''])
        self.request(sock, 2, '/')
        self.assertEqual(self.response(sock, 2)[1], b'ok')
