"""The test servers of zc.queue.testing: they start, serve, and are gone
after every way of stopping."""
import os
import pickle
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import textwrap
import unittest

import transaction

import zc.queue
from zc.queue import testing


def listening(port):
    try:
        socket.create_connection(('127.0.0.1', port), 2).close()
    except OSError:
        return False
    return True


def run_python(code):
    """Run ``code`` in a new interpreter with our sys.path; its output."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    return subprocess.run(
        [sys.executable, '-c', textwrap.dedent(code)], env=env,
        capture_output=True, text=True, timeout=120)


class PostgreSQLServerTests(unittest.TestCase):

    def test_server_listens_on_127_0_0_1_with_its_socket_in_its_directory(
            self):
        with testing.PostgreSQLServer() as server:
            self.assertTrue(listening(server.port))
            self.assertEqual(server.host, '127.0.0.1')
            self.assertTrue(os.path.exists(os.path.join(
                server.directory, f'.s.PGSQL.{server.port}')))
            self.assertIn('host=127.0.0.1', server.dsn())

    def test_server_runs_as_postgres_when_started_by_root(self):
        expected = (pwd.getpwnam('postgres').pw_uid if os.geteuid() == 0
                    else os.geteuid())
        with testing.PostgreSQLServer() as server:
            with open(os.path.join(server.data, 'postmaster.pid')) as pid:
                postmaster = pid.readline().strip()
            with open(f'/proc/{postmaster}/status') as status:
                uids = [line.split()[1:] for line in status
                        if line.startswith('Uid:')][0]
            self.assertEqual(int(uids[0]), expected)
            self.assertEqual(os.stat(server.directory).st_uid, expected)

    def test_stop_ends_the_server_and_removes_its_directory(self):
        server = testing.PostgreSQLServer().start()
        directory, port = server.directory, server.port
        server.stop()
        self.assertFalse(os.path.exists(directory))
        self.assertFalse(listening(port))
        server.stop()  # a second stop does nothing

    def test_leaving_the_with_block_by_an_exception_stops_the_server(self):
        with self.assertRaises(ZeroDivisionError):
            with testing.PostgreSQLServer() as server:
                directory, port = server.directory, server.port
                1 / 0
        self.assertFalse(os.path.exists(directory))
        self.assertFalse(listening(port))

    def test_server_left_running_is_stopped_when_python_exits(self):
        result = run_python('''
            from zc.queue.testing import PostgreSQLServer
            server = PostgreSQLServer().start()
            print(server.directory, server.port, flush=True)
            raise SystemExit('leaving without stopping it')
        ''')
        directory, port = result.stdout.split()
        self.assertIn('leaving without stopping it', result.stderr)
        self.assertFalse(os.path.exists(directory))
        self.assertFalse(listening(int(port)))

    def test_missing_server_programs_are_named(self):
        empty = tempfile.mkdtemp()
        self.addCleanup(os.rmdir, empty)
        server = testing.PostgreSQLServer(bindir=empty)
        with self.assertRaisesRegex(testing.ServerError,
                                    f'no PostgreSQL initdb in {empty}'):
            server.start()
        self.assertIsNone(server.directory)

    def test_failed_start_names_the_problem_and_leaves_nothing(self):
        # initdb refuses a data directory that is not empty.
        bindir = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, bindir)
        initdb = os.path.join(bindir, 'initdb')
        with open(initdb, 'w') as script:
            script.write('#!/bin/sh\necho "initdb: cannot run" >&2\nexit 3\n')
        os.chmod(initdb, 0o755)
        os.chmod(bindir, 0o755)
        server = testing.PostgreSQLServer(bindir=bindir)
        with self.assertRaisesRegex(
                testing.ServerError,
                'initdb failed with status 3: initdb: cannot run'):
            server.start()
        self.assertIsNone(server.directory)

    def test_temporary_directory_the_server_user_cannot_enter_is_named(self):
        private = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, private)
        os.chmod(private, 0o700)
        result = run_python(f'''
            import tempfile
            tempfile.tempdir = {private!r}
            from zc.queue.testing import PostgreSQLServer, ServerError
            try:
                PostgreSQLServer().start().stop()
            except ServerError as error:
                print(error)
            else:
                print('started')
        ''')
        if os.geteuid() == 0:
            # The server runs as postgres, who cannot enter the directory.
            self.assertIn("user 'postgres' cannot reach " + private,
                          result.stdout)
            self.assertIn('set TMPDIR', result.stdout)
        else:
            self.assertEqual(result.stdout.strip(), 'started')
        self.assertEqual(os.listdir(private), [])

    def test_stopped_server_has_no_dsn(self):
        with self.assertRaisesRegex(testing.ServerError, 'not running'):
            testing.PostgreSQLServer().dsn()

    def test_starting_twice_is_refused(self):
        with testing.PostgreSQLServer() as server:
            with self.assertRaisesRegex(testing.ServerError,
                                        'already started'):
                server.start()

    def test_database_names_must_be_plain_identifiers(self):
        server = testing.PostgreSQLServer()
        with self.assertRaisesRegex(ValueError, "not 'x; DROP'"):
            server.create_database('x; DROP')
        with self.assertRaisesRegex(ValueError, "not 'a-b'"):
            server.drop_database('a-b')


class PostgreSQLLayerTests(unittest.TestCase):

    def test_layer_holds_one_server_from_set_up_to_tear_down(self):
        layer = type('Layer', (testing.PostgreSQLLayer,), {})
        layer.setUp()
        try:
            port = layer.server.port
            self.assertTrue(listening(port))
        finally:
            layer.tearDown()
        self.assertIsNone(layer.server)
        self.assertFalse(listening(port))


class RelStorageTests(unittest.TestCase):

    layer = testing.PostgreSQLLayer

    def store_and_read(self, db):
        try:
            with db.transaction() as connection:
                connection.root()['queue'] = queue = zc.queue.CompositeQueue()
                queue.put('item')
            with db.transaction() as connection:
                return list(connection.root()['queue'])
        finally:
            db.close()

    def test_each_database_is_new_and_empty(self):
        server = testing.PostgreSQLLayer.server
        for keep_history in (True, False):
            db = server.relstorage_db(keep_history=keep_history)
            try:
                with db.transaction() as connection:
                    self.assertEqual(list(connection.root()), [])
                self.assertEqual(db.supportsUndo(), keep_history)
            finally:
                db.close()

    def test_openers_are_picklable_and_open_the_same_database(self):
        opener = testing.PostgreSQLLayer.server.relstorage_opener(False)
        self.assertEqual(self.store_and_read(opener()), ['item'])
        copy = pickle.loads(pickle.dumps(opener))
        db = copy()
        try:
            with db.transaction() as connection:
                self.assertEqual(list(connection.root()['queue']), ['item'])
        finally:
            db.close()
        self.assertIn('history-free', repr(copy))

    def test_dropped_database_is_gone(self):
        server = testing.PostgreSQLLayer.server
        name = server.create_database()
        server.drop_database(name)
        import psycopg2
        with self.assertRaises(psycopg2.OperationalError):
            psycopg2.connect(server.dsn(name)).close()


class ZEOServerTests(unittest.TestCase):

    def setUp(self):
        self.directory = tempfile.mkdtemp(prefix='zc.queue-zeo-')
        self.addCleanup(shutil.rmtree, self.directory)

    def test_server_serves_its_filestorage_until_stopped(self):
        with testing.ZEOServer(self.directory) as server:
            port = server.address[1]
            self.assertEqual(server.address[0], '127.0.0.1')
            opener = pickle.loads(pickle.dumps(server.opener()))
            db = opener()
            try:
                tm = transaction.TransactionManager()
                connection = db.open(transaction_manager=tm)
                connection.root()['x'] = 1
                tm.commit()
                connection.close()
            finally:
                db.close()
        self.assertFalse(listening(port))
        self.assertTrue(os.path.exists(
            os.path.join(self.directory, 'Data.fs')))

    def test_stopped_server_has_no_opener(self):
        with self.assertRaisesRegex(testing.ServerError, 'not running'):
            testing.ZEOServer(self.directory).opener()

    def test_server_that_cannot_start_names_its_log(self):
        os.mkdir(os.path.join(self.directory, 'Data.fs'))
        server = testing.ZEOServer(self.directory)
        with self.assertRaisesRegex(testing.ServerError, 'zeo.log'):
            server.start()
        self.assertIsNone(server.process)


class FreePortTests(unittest.TestCase):

    def test_free_port_can_be_bound_on_127_0_0_1(self):
        port = testing.free_port()
        with socket.socket() as sock:
            sock.bind(('127.0.0.1', port))
