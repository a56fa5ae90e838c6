"""The LB core against fake workers: listening sockets we drive."""
import contextlib
import io
import unittest

import gevent
import gevent.server
import gevent.socket

from zc.resumelb import lb as lb_module
from zc.resumelb import util
from zc.resumelb.lb import LB
from zc.resumelb.lb import host_classifier
from zc.resumelb.lb import re_classifier


class FakeWorker:
    """Accepts the LB's connection; the test reads and writes frames."""

    def __init__(self):
        self.listener = gevent.socket.socket()
        self.listener.bind(('127.0.0.1', 0))
        self.listener.listen(5)
        self.addr = self.listener.getsockname()
        self.sock = None

    def accept(self, resume=None):
        self.listener.settimeout(5)
        self.sock, _ = self.listener.accept()
        self.sock.settimeout(5)
        self.reader = util.FrameReader(self.sock)
        util.write_message(self.sock, 0, {} if resume is None else resume)

    def read(self):
        """The next frame that is not a keep-alive."""
        while True:
            rno, data = self.reader.read()
            if rno:
                return rno, data

    def request(self):
        """The environment and body frames of the next request."""
        rno, env = self.read()
        frames = []
        while True:
            got, data = self.read()
            frames.append(data)
            if data == b'':
                return rno, env, frames

    def close(self):
        if self.sock is not None:
            self.sock.close()
        self.listener.close()


def environ(method='GET', path='/', body=b'', **extra):
    env = {'REQUEST_METHOD': method, 'PATH_INFO': path,
           'HTTP_HOST': 'h.com', 'wsgi.input': io.BytesIO(body),
           'wsgi.errors': None, 'not.marshalable': object()}
    if body:
        env['CONTENT_LENGTH'] = str(len(body))
    env.update(extra)
    return env


class Call:
    """handle_wsgi running in its own greenlet."""

    def __init__(self, lb, env):
        self.status = self.headers = None
        self.task = gevent.spawn(self._run, lb, env)

    def _start_response(self, status, headers):
        self.status, self.headers = status, headers

    def _run(self, lb, env):
        # Errors come back as values: the hub would print them otherwise.
        try:
            result = lb.handle_wsgi(env, self._start_response)
            try:
                return b''.join(result)
            finally:
                getattr(result, 'close', lambda: None)()
        except Exception as error:
            return error

    def body(self):
        result = self.task.get(timeout=5)
        if isinstance(result, Exception):
            raise result
        return result


class LBTests(unittest.TestCase):

    def setUp(self):
        self.workers = [FakeWorker(), FakeWorker()]
        for worker in self.workers:
            self.addCleanup(worker.close)
        self.lb = LB([w.addr for w in self.workers], host_classifier)
        self.addCleanup(self.lb.stop)
        for worker in self.workers:
            worker.accept()
        self.wait(lambda: len(self.lb.pool.workers) == 2)

    def front(self):
        """The fake worker that gets the next request of a new class."""
        addr = next(iter(self.lb.pool._lru)).addr
        return [w for w in self.workers if tuple(w.addr) == addr][0]

    def wait(self, condition):
        for _ in range(500):
            if condition():
                return
            gevent.sleep(0.01)
        self.fail('condition never met')

    def test_forwards_environment_and_response(self):
        call = Call(self.lb, environ(QUERY_STRING='a=1'))
        worker = self.front()
        rno, env, frames = worker.request()
        self.assertEqual(frames, [b''])
        self.assertEqual(env['zc.resumelb.request_class'], 'h.com')
        self.assertEqual(env['QUERY_STRING'], 'a=1')
        for key in ('wsgi.input', 'wsgi.errors', 'not.marshalable'):
            self.assertNotIn(key, env)
        util.write_message(worker.sock, rno, ('200 OK', [('A', 'b')]),
                           b'hel', b'lo', b'')
        self.assertEqual(call.body(), b'hello')
        self.assertEqual((call.status, call.headers),
                         ('200 OK', [('A', 'b')]))
        self.assertEqual(self.lb.pool.backlog, 0)
        self.assertEqual(self.lb.in_progress, 0)

    def test_request_body_frames(self):
        body = b'x' * 200000
        call = Call(self.lb, environ('PUT', body=body))
        worker = self.front()
        rno, env, frames = worker.request()
        self.assertEqual([len(f) for f in frames],
                         [65536, 65536, 65536, 3392, 0])
        util.write_message(worker.sock, rno, ('204 No Content', []), b'')
        self.assertEqual(call.body(), b'')

    def test_keepalives_when_idle(self):
        gevent.sleep(0.15)
        worker = self.workers[0]
        self.assertEqual(worker.reader.read(), (0, None))

    def test_oldest_time_and_status(self):
        call = Call(self.lb, environ())
        worker = self.front()
        rno, env, frames = worker.request()
        lbworker, = [w for w in self.lb.pool.workers
                     if w.addr == tuple(worker.addr)]
        self.assertIsNotNone(lbworker.oldest_time)
        self.assertEqual(repr(lbworker), '%s:%s' % tuple(worker.addr))
        util.write_message(worker.sock, 999, b'stray')
        util.write_message(worker.sock, rno, ('200 OK', []), b'')
        call.body()
        self.assertIsNone(lbworker.oldest_time)

    def test_disconnect_retries_idempotent_and_502s_others(self):
        worker = self.front()
        other, = [w for w in self.workers if w is not worker]
        get = Call(self.lb, environ())
        worker.request()
        post = Call(self.lb, environ('POST', body=b'data'))
        rno, env, _ = worker.request()
        self.assertEqual(env['REQUEST_METHOD'], 'POST')
        worker.sock.close()
        self.assertEqual(post.body()[:6], b'<html>')
        self.assertEqual(post.status, '502 Bad Gateway')
        rno, env, _ = other.request()
        self.assertEqual(env['REQUEST_METHOD'], 'GET')
        util.write_message(other.sock, rno, ('200 OK', []), b'ok', b'')
        self.assertEqual(get.body(), b'ok')
        self.assertEqual(self.lb.pool.backlog, 0)

    def test_a_worker_leaving_mid_body_truncates_the_response(self):
        worker = self.front()
        call = Call(self.lb, environ())
        rno, _, _ = worker.request()
        util.write_message(worker.sock, rno, ('200 OK', []), b'part', None)
        with self.assertLogs('zc.resumelb.lb', 'WARNING'):
            with self.assertRaises(Exception) as context:
                call.body()
        self.assertIn('ended early', str(context.exception))

    def test_head_yields_no_body(self):
        worker = self.front()
        call = Call(self.lb, environ('HEAD'))
        rno, _, _ = worker.request()
        util.write_message(worker.sock, rno, ('200 OK', []), b'body', b'')
        self.assertEqual(call.body(), b'')

    def test_closing_the_body_cancels_at_the_worker(self):
        worker = self.front()
        env = environ()
        result = {}

        def client():
            body = self.lb.handle_wsgi(env, lambda *a: None)
            it = iter(body)
            result['first'] = next(it)
            body.close()
        task = gevent.spawn(client)
        rno, _, _ = worker.request()
        util.write_message(worker.sock, rno, ('200 OK', []), b'first')
        task.join(5)
        self.assertEqual(result['first'], b'first')
        self.assertEqual(worker.read(), (rno, None))
        self.assertEqual(self.lb.in_progress, 0)

    def test_client_body_ending_early_cancels(self):
        worker = self.front()
        call = Call(self.lb, environ('POST', body=b'abc',
                                     CONTENT_LENGTH='10'))
        rno, env, = worker.read()
        self.assertEqual(worker.read(), (rno, b'abc'))
        self.assertEqual(worker.read(), (rno, None))
        with self.assertRaises(Exception) as context:
            call.body()
        self.assertIn('ended early', str(context.exception))
        self.assertEqual(self.lb.pool.backlog, 0)

    def test_flapping_makes_no_second_connection(self):
        addrs = [w.addr for w in self.workers]
        self.lb.set_worker_addrs(addrs[:1])
        self.lb.set_worker_addrs(addrs)
        for worker in self.workers:
            worker.listener.settimeout(0.2)
            with self.assertRaises(OSError):
                worker.listener.accept()

    def test_versions_and_reconnection(self):
        addrs = {tuple(w.addr): 'v%d' % i
                 for i, w in enumerate(self.workers)}
        self.lb.set_worker_addrs(addrs)
        worker = self.workers[0]
        worker.sock.close()
        worker.accept({'x': 1.0})  # reconnected at once
        self.wait(lambda: any(
            w.version == 'v0' for w in self.lb.pool.workers))

    def test_shutdown_waits_for_bodies(self):
        worker = self.front()
        call = Call(self.lb, environ())
        rno, _, _ = worker.request()
        util.write_message(worker.sock, rno, ('200 OK', []), b'a')
        gevent.sleep(0.01)
        stopper = gevent.spawn(self.lb.shutdown)
        gevent.sleep(0.05)
        self.assertFalse(stopper.dead)
        util.write_message(worker.sock, rno, b'b', b'')
        self.assertEqual(call.body(), b'ab')
        stopper.join(5)
        self.assertEqual(self.lb.workletts, {})

    def test_shutdown_with_a_timeout_cuts_what_is_left_and_counts_it(self):
        worker = self.front()
        call = Call(self.lb, environ())
        worker.request()
        self.assertEqual(self.lb.shutdown(timeout=0.1), 1)
        self.assertIn(b'Temporarily unavailable', call.body())
        self.assertEqual(call.status, '502 Bad Gateway')
        self.assertEqual(self.lb.workletts, {})

    def test_a_draining_worker_gets_no_new_work_and_hears_so(self):
        worker = self.front()
        call = Call(self.lb, environ())
        rno, _, _ = worker.request()
        util.write_message(worker.sock, 0, util.DRAIN)
        for _ in range(100):  # keep-alives may come first
            frame = worker.reader.read()
            if frame != (0, None):
                break
        self.assertEqual(frame, (0, util.DRAINED))
        self.assertEqual(len(self.lb.pool.workers), 1)
        util.write_message(worker.sock, 0, {'h.com': 99.0})  # ignored
        other = [w for w in self.workers if w is not worker][0]
        second = Call(self.lb, environ())
        rno2, _, _ = other.request()
        util.write_message(worker.sock, rno, ('200 OK', []), b'a', b'')
        util.write_message(other.sock, rno2, ('200 OK', []), b'b', b'')
        self.assertEqual((call.body(), second.body()), (b'a', b'b'))
        self.assertEqual(len(self.lb.pool.workers), 1)

    def test_an_unusable_response_start_fails_and_releases_the_request(
            self):
        worker = self.front()
        call = Call(self.lb, environ())
        rno, _, _ = worker.request()
        util.write_message(worker.sock, rno, b'not a status')
        self.assertIsInstance(call.task.get(timeout=5), ValueError)
        self.assertEqual(worker.read(), (rno, None))  # cancelled
        lb_worker = [w for w in self.lb.pool.workers
                     if tuple(w.addr) == tuple(worker.addr)][0]
        self.assertNotIn(rno, lb_worker.readers)
        self.assertEqual(self.lb.in_progress, 0)

    def test_idempotent_retries_are_capped(self):
        self.lb.set_worker_addrs([self.workers[0].addr])
        self.workers[1].close()
        self.wait(lambda: len(self.lb.pool.workers) == 1)
        self.lb.max_retries = 1
        worker = self.workers[0]
        call = Call(self.lb, environ())
        for _ in range(2):
            worker.request()
            worker.sock.close()
            worker.accept()
        self.assertIn(b'Temporarily unavailable', call.body())
        self.assertEqual(call.status, '502 Bad Gateway')


class ReconnectTests(unittest.TestCase):

    def test_refusals_back_off_and_state_changes_log_one_line_each(self):
        listener = gevent.socket.socket()
        self.addCleanup(listener.close)
        listener.bind(('127.0.0.1', 0))
        listener.listen(50)
        addr = listener.getsockname()
        attempts = []

        def refuse():
            # Like a worker that wants a secret the LB does not have.
            while True:
                sock, _ = listener.accept()
                attempts.append(1)
                sock.close()
        refuser = gevent.spawn(refuse)
        with self.assertLogs('zc.resumelb', 'INFO') as logs:
            lb = LB([addr], host_classifier)
            self.addCleanup(lb.stop)
            gevent.sleep(1.5)
            refuser.kill()
            # Delays double from 0.1 s: far fewer than one per 0.1 s.
            self.assertLessEqual(len(attempts), 8)
            self.assertGreaterEqual(len(attempts), 3)
            worker = FakeWorker.__new__(FakeWorker)
            worker.listener, worker.addr, worker.sock = listener, addr, None
            worker.accept()
            for _ in range(500):
                if lb.pool.workers:
                    break
                gevent.sleep(0.01)
        self.assertEqual(len(lb.pool.workers), 1)
        messages = [line for line in logs.output if ':' in line]
        self.assertEqual(
            [m.split(':', 2)[2] for m in messages],
            [f'worker {addr[0]}:{addr[1]} unreachable: connection closed'
             ' by peer',
             f'worker {addr[0]}:{addr[1]} is reachable again'])
        worker.sock.close()


class QueueTimeoutTests(unittest.TestCase):

    def test_no_worker_within_the_queue_timeout_is_a_503(self):
        lb = LB([], host_classifier, queue_timeout=0.1)
        self.addCleanup(lb.stop)
        call = Call(lb, environ())
        self.assertEqual(call.body(),
                         b'No worker is available; please try again later.\n')
        self.assertEqual(call.status, '503 Service Unavailable')
        self.assertIn(('Retry-After', '5'), call.headers)
        self.assertEqual(lb.in_progress, 0)

    def test_a_worker_that_joins_in_time_takes_the_request(self):
        lb = LB([], host_classifier, queue_timeout=5)
        self.addCleanup(lb.stop)
        call = Call(lb, environ())
        gevent.sleep(0.05)
        worker = FakeWorker()
        self.addCleanup(worker.close)
        lb.set_worker_addrs([worker.addr])
        worker.accept()
        rno, _, _ = worker.request()
        util.write_message(worker.sock, rno, ('200 OK', []), b'ok', b'')
        self.assertEqual(call.body(), b'ok')


class ResponseTimeoutTests(unittest.TestCase):

    def setUp(self):
        self.worker = FakeWorker()
        self.addCleanup(self.worker.close)
        self.lb = LB([self.worker.addr], host_classifier,
                     response_timeout=0.2)
        self.addCleanup(self.lb.stop)
        self.worker.accept()
        for _ in range(500):
            if self.lb.pool.workers:
                break
            gevent.sleep(0.01)

    def test_a_worker_silent_past_the_timeout_means_504_and_a_cancel(self):
        with self.assertLogs('zc.resumelb.lb', 'WARNING') as logs:
            call = Call(self.lb, environ(path='/hung'))
            rno, _, _ = self.worker.request()
            self.assertEqual(call.body(),
                             b'The application did not answer in time.\n')
        self.assertEqual(call.status, '504 Gateway Timeout')
        self.assertEqual(self.worker.read(), (rno, None))
        self.assertEqual(len(logs.output), 1)
        self.assertIn('sent nothing for GET /hung in 0.2 seconds: 504',
                      logs.output[0])
        self.assertEqual(self.lb.in_progress, 0)
        self.assertEqual(self.lb.pool.status()['backlog'], 0)

    def test_a_response_stalled_after_its_start_is_cut_and_cancelled(self):
        with self.assertLogs('zc.resumelb.lb', 'WARNING') as logs:
            call = Call(self.lb, environ(path='/stall'))
            rno, _, _ = self.worker.request()
            util.write_message(self.worker.sock, rno, ('200 OK', []),
                               b'part')
            with self.assertRaises(lb_module.Abort):
                call.body()
        self.assertEqual(call.status, '200 OK')
        self.assertEqual(self.worker.read(), (rno, None))
        self.assertIn('sent nothing for GET /stall in 0.2 seconds:'
                      ' closing the client connection', logs.output[0])
        self.assertEqual(self.lb.in_progress, 0)

    def test_every_frame_from_the_worker_restarts_the_timeout(self):
        call = Call(self.lb, environ())
        rno, _, _ = self.worker.request()
        for piece in (('200 OK', []), b'a', b'b', b'c', b'd'):
            gevent.sleep(0.1)
            util.write_message(self.worker.sock, rno, piece)
        util.write_message(self.worker.sock, rno, b'')
        self.assertEqual(call.body(), b'abcd')

    def test_timed_out_requests_are_counted_in_the_metrics(self):
        from zc.resumelb import metrics
        self.lb.metrics = metrics.Metrics(self.lb)
        call = Call(self.lb, environ())
        self.worker.request()
        call.body()
        self.assertIn('resumelb_response_timeouts_total 1',
                      self.lb.metrics.render())

    def test_the_response_timeout_option_wants_seconds(self):
        parser = lb_module._parser()
        self.assertEqual(parser.parse_args(['w:1']).response_timeout, 300)
        self.assertEqual(parser.parse_args(
            ['--response-timeout', '2.5', 'w:1']).response_timeout, 2.5)
        for bad in ('-1', 'soon', 'nan'):
            err = io.StringIO()
            with contextlib.redirect_stderr(err), \
                    self.assertRaises(SystemExit):
                parser.parse_args(['--response-timeout', bad, 'w:1'])
            self.assertIn(f"expected a number of seconds, not {bad!r}",
                          err.getvalue())

    def test_without_a_response_timeout_the_lb_waits(self):
        lb = LB([], host_classifier, response_timeout=None)
        self.addCleanup(lb.stop)
        self.assertIsNone(lb._sweeper)
        reply = lb_module._Reply(None)
        getter = gevent.spawn(reply.get)
        gevent.sleep(0.3)
        self.assertFalse(getter.dead)
        reply.put(b'late')
        self.assertEqual(getter.get(timeout=1), b'late')


class ClassifierTests(unittest.TestCase):

    def test_the_host_classifier_drops_one_www(self):
        self.assertEqual(host_classifier({}), '')
        self.assertEqual(host_classifier({'HTTP_HOST': 'www.a.com'}),
                         'a.com')
        self.assertEqual(host_classifier({'HTTP_HOST': 'a.com:8080'}),
                         'a.com:8080')

    def test_a_re_classifier_returns_the_class_group(self):
        classify = re_classifier('PATH_INFO', '^/(?P<class>[^/]*)')
        self.assertEqual(
            [classify(e) for e in ({}, {'PATH_INFO': ''},
                                   {'PATH_INFO': '/'},
                                   {'PATH_INFO': '/foo'},
                                   {'PATH_INFO': '/foo/bar/baz'})],
            ['', '', '', 'foo', 'foo'])


class ReplyTests(unittest.TestCase):
    """A response's frames between a worker connection and its request."""

    def setUp(self):
        self.saved = util.queue_size_bytes
        util.queue_size_bytes = 999

    def tearDown(self):
        util.queue_size_bytes = self.saved

    def test_frames_in_order_in_memory_then_through_a_file(self):
        reply = lb_module._Reply()
        reply.put(('200 OK', []))
        reply.put(b'a' * 1000)
        self.assertIsNone(reply.overflow)
        # As with a BufferedQueue: once the limit is held, the next frame
        # goes to a temporary file.
        reply.put(b'b' * 1000)
        self.assertIsNotNone(reply.overflow.file)
        reply.put(b'')
        self.assertEqual([reply.get() for _ in range(4)],
                         [('200 OK', []), b'a' * 1000, b'b' * 1000, b''])
        reply.close()

    def test_get_waits_for_a_put(self):
        reply = lb_module._Reply()
        getter = gevent.spawn(reply.get)
        gevent.sleep(0.01)
        self.assertFalse(getter.dead)
        reply.put(b'x')
        self.assertEqual(getter.get(timeout=1), b'x')

    def test_close_removes_the_file_and_drops_later_frames(self):
        reply = lb_module._Reply()
        reply.put(b'a' * 1000)
        reply.put(b'b' * 1000)
        spill = reply.overflow.file
        reply.close()
        reply.close()
        self.assertTrue(spill.closed)
        reply.put(b'c')
        self.assertEqual(len(reply.frames), 0)

    def test_a_reply_spilled_to_a_file_times_out_too(self):
        reply = lb_module._Reply(0.1)
        reply.put(b'a' * 1000)
        reply.put(b'b' * 1000)
        self.assertEqual(reply.get(), b'a' * 1000)
        self.assertEqual(reply.get(), b'b' * 1000)
        with self.assertRaises(lb_module.ResponseTimeout):
            reply.get()
        reply.close()

    def test_a_closed_body_closes_the_spill_file(self):
        lb = LB([], host_classifier)
        self.addCleanup(lb.stop)
        listener = gevent.socket.socket()
        listener.bind(('127.0.0.1', 0))
        listener.listen(1)
        self.addCleanup(listener.close)
        sock = gevent.socket.create_connection(listener.getsockname())
        self.addCleanup(sock.close)
        worker = lb_module._Worker(lb, sock, listener.getsockname(), None)
        self.addCleanup(worker.disconnected)
        reply = worker.readers[7] = lb_module._Reply()
        for _ in range(3):
            reply.put(b'z' * 1000)
        spill = reply.overflow.file
        body = lb_module._Body(worker, 7, reply, environ())
        self.assertEqual(next(body), b'z' * 1000)
        body.close()  # the client went away
        self.assertTrue(spill.closed)
        self.assertNotIn(7, worker.readers)
