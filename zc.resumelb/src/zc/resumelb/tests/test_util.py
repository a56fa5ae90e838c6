"""Framing, the secret handshake and queues."""
import marshal
import os
import socket
import struct
import unittest

import gevent
import gevent.socket

from zc.resumelb import util


class FramingTests(unittest.TestCase):

    def setUp(self):
        self.a, self.b = gevent.socket.socketpair()
        self.addCleanup(self.a.close)
        self.addCleanup(self.b.close)

    def test_a_frame_is_rno_length_and_marshal(self):
        util.write_message(self.a, 7, {'x': 1.5})
        data = self.b.recv(100)
        rno, size = struct.unpack('>II', data[:8])
        self.assertEqual((rno, size), (7, len(data) - 8))
        self.assertEqual(marshal.loads(data[8:]), {'x': 1.5})

    def test_one_frame_per_object(self):
        util.write_message(self.a, 3, b'ab', b'', None, ('200 OK', []))
        self.assertEqual(
            [util.read_message(self.b) for _ in range(4)],
            [(3, b'ab'), (3, b''), (3, None), (3, ('200 OK', []))])

    def test_big_frames_and_the_buffered_reader(self):
        big = b'x' * 3_000_000
        gevent.spawn(util.write_message, self.a, 1, big, b'y', 4294967295)
        reader = util.FrameReader(self.b)
        self.assertEqual(reader.read(), (1, big))
        self.assertEqual(reader.read(), (1, b'y'))
        self.assertEqual(reader.read(), (1, 4294967295))

    def test_eof_is_disconnected(self):
        self.a.close()
        with self.assertRaises(util.Disconnected):
            util.read_message(self.b)
        with self.assertRaises(util.Disconnected):
            util.FrameReader(self.b).read()

    def test_write_to_closed_peer_is_disconnected(self):
        self.b.close()
        with self.assertRaises(util.Disconnected):
            for _ in range(100):
                util.write_message(self.a, 1, b'x' * 100000)

    def test_garbage_is_a_protocol_error(self):
        self.a.sendall(struct.pack('>II', 1, 3) + b'\xff\xff\xff')
        with self.assertRaises(util.ProtocolError):
            util.read_message(self.b)
        self.a.sendall(struct.pack('>II', 1, 0xFFFFFFFF))
        with self.assertRaises(util.ProtocolError) as context:
            util.FrameReader(self.b).read()
        self.assertIn('4294967295', str(context.exception))

    def test_a_challenge_is_answered_with_the_signature(self):
        frame = (0, (util.CHALLENGE, b'nonce'))
        self.assertIsNone(util.answer_challenge(self.a, frame, 'secret'))
        self.assertEqual(util.read_message(self.b),
                         (0, util.sign(b'secret', b'nonce')))
        self.assertEqual(util.answer_challenge(self.a, (0, {}), None),
                         (0, {}))
        with self.assertRaises(util.ProtocolError):
            util.answer_challenge(self.a, frame, None)

    def test_a_frame_trickled_in_small_pieces_is_read_whole(self):
        frame = util.encode(5, os.urandom(300_000))

        def trickle():
            for start in range(0, len(frame), 997):
                self.a.sendall(frame[start:start + 997])
                gevent.sleep(0)
        gevent.spawn(trickle)
        self.assertEqual(util.encode(*util.FrameReader(self.b).read()),
                         frame)

    def test_the_size_limit_refuses_a_frame_before_its_payload(self):
        self.a.sendall(struct.pack('>II', 1, 1001))
        with self.assertRaises(util.ProtocolError) as context:
            util.FrameReader(self.b, max_size=1000).read()
        self.assertIn('limit of 1000', str(context.exception))
        self.assertEqual(util.FrameReader(self.b).max_size, 64 << 20)

    def test_large_bodies_are_sent_in_pieces_under_the_limit(self):
        data = os.urandom(util.MAX_PIECE * 2 + 5)
        parts = util.pieces(data)
        self.assertEqual([len(p) for p in parts],
                         [util.MAX_PIECE, util.MAX_PIECE, 5])
        self.assertEqual(b''.join(parts), data)
        self.assertEqual(util.pieces(b'small'), (b'small',))

    def test_the_answer_to_a_challenge_is_checked_as_bytes(self):
        util.answer_challenge(self.a, (0, (util.CHALLENGE, b'n')), 'key')
        self.assertTrue(util.read_answer(self.b, b'key', b'n'))
        util.answer_challenge(self.a, (0, (util.CHALLENGE, b'n')), 'bad')
        self.assertFalse(util.read_answer(self.b, b'key', b'n'))

    def test_an_answer_of_the_wrong_size_is_refused_unread(self):
        self.a.sendall(struct.pack('>II', 0, 1 << 30))
        self.assertFalse(util.read_answer(self.b, b'key', b'n'))


class ByteSizedQueueTests(unittest.TestCase):

    def test_bytes_overshoot_and_full(self):
        q = util.ByteSizedQueue(10)
        q.put(b'12345678')
        q.put(b'12345678')  # below the limit before the put: overshoots
        self.assertEqual(q.qsize(), 16)
        with self.assertRaises(util.Full):
            q.put(b'x', False)
        with self.assertRaises(util.Full):
            q.put(b'x', timeout=0.01)
        self.assertEqual(q.get(), b'12345678')
        q.put(b'x', False)
        self.assertEqual(q.qsize(), 9)

    def test_falsy_items_count_but_weigh_nothing(self):
        q = util.ByteSizedQueue(10)
        for item in (b'', None, ()):
            q.put(item)
        self.assertEqual(q.qsize(), 3)
        self.assertEqual([q.get(), q.get(), q.get()], [b'', None, ()])
        self.assertEqual(q.qsize(), 0)

    def test_blocked_put_resumes_when_drained(self):
        q = util.ByteSizedQueue(4)
        q.put(b'abcd')
        putter = gevent.spawn(q.put, b'efgh')
        gevent.sleep(0.01)
        self.assertFalse(putter.dead)
        q.get()
        putter.join(1)
        self.assertTrue(putter.successful())


class BufferedQueueTests(unittest.TestCase):

    def setUp(self):
        self.saved = util.queue_size_bytes
        util.queue_size_bytes = 999

    def tearDown(self):
        util.queue_size_bytes = self.saved

    def test_second_put_goes_to_a_file_and_order_is_kept(self):
        q = util.BufferedQueue()
        q.put(b'a' * 1000)
        self.assertIsNone(q.file)
        q.put(b'b' * 1000)
        self.assertIsNotNone(q.file)
        q.put(None)
        q.put(b'')
        q.put(('200 OK', [('A', 'b')]))
        self.assertEqual(q.qsize(), 1000 + q._write_pos - q._read_pos)
        got = [q.get(timeout=1) for _ in range(5)]
        self.assertEqual(got, [b'a' * 1000, b'b' * 1000, None, b'',
                               ('200 OK', [('A', 'b')])])
        q.close()

    def test_close_is_idempotent_and_drops_later_puts(self):
        q = util.BufferedQueue()
        q.put(b'a' * 1000)
        q.put(b'b' * 1000)
        f = q.file
        q.close()
        q.close()
        self.assertTrue(f.closed)
        q.put(b'c')
        self.assertEqual(q.qsize(), 0)


class ParseAddrTests(unittest.TestCase):

    def test_addresses_parse_in_every_form(self):
        self.assertEqual(util.parse_addr('a:1'), ('a', 1))
        self.assertEqual(util.parse_addr(':0'), ('', 0))
        self.assertEqual(util.parse_addr(':0', '127.0.0.1'),
                         ('127.0.0.1', 0))
        self.assertEqual(util.parse_addr('[::1]:80'), ('::1', 80))

    def test_errors_name_the_value(self):
        for bad in ('nocolon', 'a:b', 'a:70000'):
            with self.assertRaises(ValueError) as context:
                util.parse_addr(bad)
            self.assertIn(repr(bad), str(context.exception))

    def test_nodelay_on_unix_sockets_is_harmless(self):
        a, b = socket.socketpair()
        util.set_nodelay(a)
        a.close()
        b.close()


class EagerWriteTests(unittest.TestCase):
    """Workers' connections write a finished response at once."""

    def connection(self, eager):
        ours, theirs = gevent.socket.socketpair()
        self.addCleanup(theirs.close)
        conn = util.Connection(ours, addr=('peer', 0))
        self.addCleanup(conn.disconnected)
        conn.eager = eager
        return conn, theirs

    def test_frames_are_on_the_wire_before_the_writer_task_runs(self):
        for eager in (True, False):
            with self.subTest(eager=eager):
                conn, theirs = self.connection(eager)
                conn.put_frames(5, ('200 OK', []), b'hi', b'')
                # No yield to the hub since: only an eager write is out.
                try:
                    sent = len(os.read(theirs.fileno(), 65536))
                except BlockingIOError:
                    sent = 0
                self.assertEqual(bool(sent), eager)

    def test_what_a_full_socket_refuses_follows_in_order(self):
        conn, theirs = self.connection(True)
        big = os.urandom(4_000_000)
        conn.put_frames(1, big)
        conn.put_frames(2, b'after')
        self.assertGreater(conn.write_queue.qsize(), 0)  # a partial write
        reader = util.FrameReader(theirs)
        self.assertEqual(reader.read(), (1, big))
        self.assertEqual(reader.read(), (2, b'after'))
