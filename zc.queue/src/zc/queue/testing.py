"""Real database servers for tests: ZEO, and RelStorage on PostgreSQL.

Conflict resolution happens in different places on different storages: a
FileStorage merges in the process that commits, a ZEO server merges on
the server, RelStorage merges in the committing client.  Tests of code
that relies on it -- zc.queue's own, and those of other packages -- should
run against the real thing.  This module starts and stops the servers;
install it with the ``testing`` extra (``zc.queue[testing]``), which
brings ZEO, RelStorage and psycopg2.

PostgreSQL
    `PostgreSQLServer` creates a throwaway cluster with Debian's (or any)
    PostgreSQL server programs in a temporary directory, listening on a
    free port of 127.0.0.1, with its Unix socket in that directory too,
    and removes it all when stopped.  ``initdb`` and ``postgres`` refuse to
    run as root, so as root the server runs as the ``postgres`` system user
    (through ``runuser``), owning the temporary directory -- which must
    therefore be inside a directory every user can enter, as ``/tmp`` is
    (``TMPDIR`` chooses another).  The cluster trusts local connections
    and does not fsync: it is for tests only.

    `PostgreSQLLayer` is a zope.testrunner layer holding one such server
    for all the tests that use it::

        from zc.queue.testing import PostgreSQLLayer

        class MyTests(unittest.TestCase):
            layer = PostgreSQLLayer

            def test_something(self):
                db = PostgreSQLLayer.server.relstorage_db()
                ...

    ``relstorage_db()`` creates a new, empty database on the server each
    time it is called, so tests do not see each other's data.

ZEO
    `ZEOServer` runs ``python -m ZEO.runzeo`` with a FileStorage in a
    directory, on a free port of 127.0.0.1, in its own process: the server
    imports the application's classes to merge, like a production server.

Every server is stopped by ``stop()``, by leaving its ``with`` block, by
the layer's tear-down, or at the latest when the Python process exits
(normally, by an uncaught exception or by ``sys.exit``), including after
a failed start.  Only a process killed outright (SIGKILL) leaves its
servers running; a PostgreSQL server's files are then in a ``pg-*``
directory of the temporary directory.

Processes that open the same database get a picklable *opener*:
`ZEOOpener` and `RelStorageOpener` are callables returning a new
``ZODB.DB``, to hand to ``multiprocessing`` workers.
"""
from __future__ import annotations

import atexit
import glob
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import time

__all__ = [
    'PostgreSQLServer', 'PostgreSQLLayer', 'RelStorageOpener',
    'ZEOServer', 'ZEOOpener', 'free_port', 'ServerError',
]

#: How long a server may take to start or stop, in seconds.
TIMEOUT = 60


class ServerError(RuntimeError):
    """A test server is missing, failed to start or is not running; the
    message says which, and where its log is."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def _wait_for_port(port, process, deadline, log):
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise ServerError(
                f'server exited with status {process.returncode}'
                f' before listening on 127.0.0.1:{port}; log: {log}')
        try:
            socket.create_connection(('127.0.0.1', port), 1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise ServerError(
        f'nothing listens on 127.0.0.1:{port} after {TIMEOUT} s; log: {log}')


def _postgres_bindir(bindir=None):
    """The directory of initdb and pg_ctl: ``bindir`` if given, else the
    newest Debian cluster version, else the one pg_config names, else the
    PATH."""
    if bindir is not None:
        if not os.path.exists(os.path.join(bindir, 'initdb')):
            raise ServerError(f'no PostgreSQL initdb in {bindir}')
        return bindir
    candidates = sorted(
        glob.glob('/usr/lib/postgresql/*/bin/initdb'),
        key=lambda path: [int(part) if part.isdigit() else 0
                          for part in path.split('/')[4].split('.')])
    if candidates:
        return os.path.dirname(candidates[-1])
    try:
        bindir = subprocess.run(
            ['pg_config', '--bindir'], capture_output=True, text=True,
            check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        bindir = ''
    if bindir and os.path.exists(os.path.join(bindir, 'initdb')):
        return bindir
    initdb = shutil.which('initdb')
    if initdb:
        return os.path.dirname(initdb)
    raise ServerError(
        'PostgreSQL server programs (initdb, pg_ctl) not found: install'
        " Debian's postgresql package (make test does)")


class PostgreSQLServer:
    """A throwaway PostgreSQL cluster on 127.0.0.1; see the module's doc.

    ``user`` is the system user the server runs as when this process is
    root (default ``postgres``); otherwise it runs as the current user.
    ``bindir`` is the directory of the server programs (``initdb``,
    ``pg_ctl``), by default found as the module's doc says.
    """

    def __init__(self, user: str = 'postgres',
                 bindir: str | None = None) -> None:
        self.user = user
        self.bindir = bindir
        self.port: int | None = None
        self.directory: str | None = None
        self._names = itertools.count(1)

    @property
    def host(self) -> str:
        return '127.0.0.1'

    def _command(self, *argv):
        if os.geteuid() == 0:
            return ['runuser', '-u', self.user, '--'] + list(argv)
        return list(argv)

    def _run(self, *argv):
        result = subprocess.run(
            self._command(*argv), cwd=self.directory, capture_output=True,
            text=True, timeout=TIMEOUT)
        if result.returncode:
            raise ServerError(
                f'{os.path.basename(argv[0])} failed with status'
                f' {result.returncode}: {result.stderr.strip()}'
                f' {result.stdout.strip()}')
        return result

    def start(self) -> PostgreSQLServer:
        """Create the cluster and start the server; returns self."""
        if self.directory is not None:
            raise ServerError('this PostgreSQL server is already started')
        bindir = _postgres_bindir(self.bindir)
        self.directory = tempfile.mkdtemp(prefix='pg-')
        atexit.register(self.stop)
        try:
            if os.geteuid() == 0:
                try:
                    entry = pwd.getpwnam(self.user)
                except KeyError:
                    raise ServerError(
                        f'no system user {self.user!r} to run PostgreSQL'
                        ' as (initdb refuses root); Debian\'s postgresql'
                        ' package creates "postgres"') from None
                os.chown(self.directory, entry.pw_uid, entry.pw_gid)
                if subprocess.run(self._command('test', '-w', self.directory),
                                  timeout=TIMEOUT).returncode:
                    raise ServerError(
                        f'user {self.user!r} cannot reach {self.directory}:'
                        ' set TMPDIR to a directory every user can enter')
            self._run(os.path.join(bindir, 'initdb'), '-D', self.data,
                      '-A', 'trust', '-U', 'postgres', '-E', 'UTF8',
                      '--no-sync', '--no-instructions')
            # A port found free can be taken before the server binds it.
            for attempt in range(3):
                self.port = free_port()
                try:
                    self._run(
                        os.path.join(bindir, 'pg_ctl'), 'start', '-w',
                        '-t', str(TIMEOUT), '-D', self.data, '-l', self.log,
                        '-o', f'-h 127.0.0.1 -p {self.port}'
                              f' -k {self.directory} -F'
                              ' -c full_page_writes=off'
                              ' -c max_connections=200')
                    break
                except ServerError:
                    if attempt == 2:
                        raise
        except BaseException:
            self.stop()
            raise
        return self

    @property
    def data(self) -> str:
        return os.path.join(self.directory, 'data')

    @property
    def log(self) -> str:
        return os.path.join(self.directory, 'server.log')

    def stop(self) -> None:
        """Stop the server (if running) and remove its directory."""
        directory, self.directory = self.directory, None
        atexit.unregister(self.stop)
        if directory is None:
            return
        pidfile = os.path.join(directory, 'data', 'postmaster.pid')
        try:
            if os.path.exists(pidfile):
                pg_ctl = os.path.join(_postgres_bindir(self.bindir),
                                      'pg_ctl')
                for mode in ('fast', 'immediate'):
                    result = subprocess.run(
                        self._command(pg_ctl, 'stop', '-w', '-t',
                                      str(TIMEOUT), '-m', mode,
                                      '-D', os.path.join(directory, 'data')),
                        cwd=directory, capture_output=True,
                        timeout=TIMEOUT + 10)
                    if result.returncode == 0:
                        break
        finally:
            shutil.rmtree(directory, ignore_errors=True)

    def __enter__(self) -> PostgreSQLServer:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    def dsn(self, dbname: str = 'postgres') -> str:
        """A libpq connection string for database ``dbname``."""
        if self.directory is None:
            raise ServerError('the PostgreSQL server is not running')
        return (f'host=127.0.0.1 port={self.port} user=postgres'
                f' dbname={dbname}')

    def _admin(self, statement):
        import psycopg2
        connection = psycopg2.connect(self.dsn())
        try:
            connection.autocommit = True
            with connection.cursor() as cursor:
                cursor.execute(statement)
        finally:
            connection.close()

    def create_database(self, name: str | None = None) -> str:
        """Create an empty database; returns its name (a new one if None)."""
        if name is None:
            name = f'test_{os.getpid()}_{next(self._names)}'
        if not name.replace('_', '').isalnum():
            raise ValueError(
                f'database name must be letters, digits and _, not {name!r}')
        self._admin(f'CREATE DATABASE {name}')
        return name

    def drop_database(self, name: str) -> None:
        """Drop database ``name``, closing its clients' sessions."""
        if not name.replace('_', '').isalnum():
            raise ValueError(
                f'database name must be letters, digits and _, not {name!r}')
        self._admin(f'DROP DATABASE IF EXISTS {name} WITH (FORCE)')

    def relstorage_opener(self, keep_history: bool = True,
                          **options) -> RelStorageOpener:
        """An opener of a RelStorage database in a new PostgreSQL database.

        ``keep_history`` False makes the storage history-free.  Other
        keyword arguments are RelStorage options.
        """
        return RelStorageOpener(
            self.dsn(self.create_database()), keep_history, **options)

    def relstorage_db(self, keep_history: bool = True, **options):
        """A ``ZODB.DB`` on RelStorage in a new PostgreSQL database."""
        return self.relstorage_opener(keep_history, **options)()


class RelStorageOpener:
    """Picklable: calling it opens a ``ZODB.DB`` on RelStorage at ``dsn``.

    ``db_options`` (such as ``cache_size``) go to ``ZODB.DB``; other
    keyword arguments are RelStorage options.
    """

    def __init__(self, dsn: str, keep_history: bool = True,
                 db_options: dict | None = None, **options) -> None:
        self.dsn = dsn
        self.keep_history = keep_history
        self.db_options = dict(db_options or {})
        self.options = options

    def storage(self):
        from relstorage.adapters.postgresql import PostgreSQLAdapter
        from relstorage.options import Options
        from relstorage.storage import RelStorage
        options = Options(keep_history=self.keep_history, **self.options)
        adapter = PostgreSQLAdapter(dsn=self.dsn, options=options)
        return RelStorage(adapter, options=options)

    def __call__(self):
        import ZODB
        return ZODB.DB(self.storage(), **self.db_options)

    def __repr__(self):
        kind = 'history-preserving' if self.keep_history else 'history-free'
        return f'RelStorageOpener({self.dsn!r}, {kind})'


class PostgreSQLLayer:
    """zope.testrunner layer: one `PostgreSQLServer` for its tests, as
    ``PostgreSQLLayer.server``."""

    server: PostgreSQLServer | None = None

    @classmethod
    def setUp(cls):
        cls.server = PostgreSQLServer().start()

    @classmethod
    def tearDown(cls):
        server, cls.server = cls.server, None
        if server is not None:
            server.stop()


class ZEOServer:
    """A ZEO server process on 127.0.0.1 serving a FileStorage.

    ``directory`` holds ``Data.fs`` and the server's log; the caller owns
    it.  The server process imports what this process can (its
    ``sys.path``), so it can merge the application's objects.
    """

    def __init__(self, directory: str) -> None:
        self.directory = directory
        self.address: tuple[str, int] | None = None
        self.process: subprocess.Popen | None = None

    @property
    def log(self) -> str:
        return os.path.join(self.directory, 'zeo.log')

    def start(self) -> ZEOServer:
        if self.process is not None:
            raise ServerError('this ZEO server is already started')
        self.address = ('127.0.0.1', free_port())
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
        with open(self.log, 'ab') as log:
            self.process = subprocess.Popen(
                [sys.executable, '-m', 'ZEO.runzeo',
                 '-a', '%s:%s' % self.address,
                 '-f', os.path.join(self.directory, 'Data.fs')],
                stdout=log, stderr=subprocess.STDOUT, env=env)
        atexit.register(self.stop)
        try:
            _wait_for_port(self.address[1], self.process,
                           time.monotonic() + TIMEOUT, self.log)
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        process, self.process = self.process, None
        atexit.unregister(self.stop)
        if process is None:
            return
        process.terminate()
        try:
            process.wait(TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(TIMEOUT)

    def __enter__(self) -> ZEOServer:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    def opener(self, **client_options) -> ZEOOpener:
        """An opener of this server's database; see `ZEOOpener`."""
        if self.address is None:
            raise ServerError('the ZEO server is not running')
        return ZEOOpener(self.address, **client_options)

    def db(self, **client_options):
        """A ``ZODB.DB`` on this server."""
        return self.opener(**client_options)()


class ZEOOpener:
    """Picklable: calling it opens a ``ZODB.DB`` on the ZEO server at
    ``address``; keyword arguments are ``ZEO.ClientStorage`` options."""

    def __init__(self, address, **client_options) -> None:
        self.address = tuple(address)
        self.client_options = client_options

    def __call__(self):
        import ZEO
        options = dict(wait_timeout=TIMEOUT)
        options.update(self.client_options)
        return ZEO.DB(self.address, **options)

    def __repr__(self):
        return f'ZEOOpener({self.address!r})'
