"""``make run``: start the whole task board, stop it all on Ctrl-C.

The launcher starts, in order, a ZEO server over ``var/Data.fs`` (unless
``--postgresql`` puts the board in PostgreSQL through RelStorage), the
worker processes, the zc.resumelb load balancer in front of them on
``127.0.0.1:<port>`` and the Twisted job runner.  Each one must answer
before the next starts (every wait has a deadline).  Ctrl-C or SIGTERM
stops them in the reverse order with SIGTERM, each given a bounded time
to finish what it was doing, then SIGKILL: committed transactions are in
``Data.fs`` by then, because the ZEO server is the last to go.

Children run in sessions of their own so that Ctrl-C at the terminal
reaches only the launcher, which stops them in order; their output is
copied to ours, each line prefixed with the child's name, by zc.thread
helper threads.
"""
import argparse
import ctypes
import os
import signal
import socket
import subprocess
import sys
import threading
import time

import zc.thread
from zc.resumelb.worker import get_resume

from taskboard.model import Board
from taskboard.processes import READY
from taskboard.storage import open_db

START_TIMEOUT = 60
PR_SET_PDEATHSIG = 1
STOP_TIMEOUT = 15
KILL_TIMEOUT = 5


# The ZEO server logs to var/zeo.log; the terminal gets its warnings.
ZEO_CONFIG = """\
<zeo>
  address 127.0.0.1:{port}
</zeo>
<filestorage>
  path {var}/Data.fs
</filestorage>
<eventlog>
  <logfile>
    path {var}/zeo.log
    level INFO
  </logfile>
  <logfile>
    path STDERR
    level WARNING
  </logfile>
</eventlog>
"""


class LaunchError(Exception):
    """A process did not come up in time, or died."""


class Child:
    """A process of ours with its output copied to stdout, prefixed."""

    def __init__(self, name, argv, env, ready_line=None):
        self.name = name
        self.ready_line = ready_line
        self.ready = threading.Event()
        self.process = subprocess.Popen(
            [sys.executable] + argv, env=env, stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            start_new_session=True, preexec_fn=_die_with_parent)
        self.pump = zc.thread.Thread(self._copy_output,
                                     name=f'output of {name}')

    def _copy_output(self):
        with self.process.stdout as output:
            for line in output:
                text = line.decode('utf-8', 'replace')
                if self.ready_line and self.ready_line in text:
                    self.ready.set()
                sys.stdout.write(f'[{self.name}] ' + text)
                sys.stdout.flush()

    def exited(self):
        return self.process.poll() is not None

    def stop(self):
        """SIGTERM, a bounded wait, then SIGKILL; returns the exit status."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                print(f'{self.name} did not stop in {STOP_TIMEOUT}s:'
                      ' killing it', flush=True)
                self.process.kill()
                try:
                    self.process.wait(KILL_TIMEOUT)
                except subprocess.TimeoutExpired:
                    # Stuck in the kernel (a dead disk, say): go on
                    # stopping the others rather than wait without end.
                    print(f'{self.name} still running after SIGKILL',
                          flush=True)
        self.pump.join(KILL_TIMEOUT)
        return self.process.returncode


def _die_with_parent():
    """In the child: SIGTERM when the launcher dies, even by SIGKILL.

    Children run in sessions of their own, so without this a launcher
    killed outright would leave them running.  Linux only (prctl).
    """
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):
        pass


def free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def wait_until(check, what, child, stopping):
    """Call ``check`` until it is true; bounded, and aborted by a signal."""
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if stopping.is_set():
            raise KeyboardInterrupt
        if child.exited():
            raise LaunchError(
                f'{child.name} exited with status {child.process.returncode}'
                f' while waiting for {what}')
        try:
            if check():
                return
        except OSError:
            pass
        stopping.wait(0.2)
    raise LaunchError(f'{what}: no answer within {START_TIMEOUT} seconds')


def accepts(port):
    with socket.create_connection(('127.0.0.1', port), timeout=1):
        return True


def zeo_greets(port):
    """True once the ZEO server at ``port`` greets a new client.

    The server speaks first; closing with its greeting unread would reset
    the connection, which the server logs as an ERROR on the terminal.
    """
    with socket.create_connection(('127.0.0.1', port), timeout=1) as sock:
        return bool(sock.recv(64))


def ensure_board(db):
    """Create the board in a new database."""
    with db.transaction() as connection:
        root = connection.root()
        if 'taskboard' not in root:
            root['taskboard'] = Board()


def main(args=None):
    parser = argparse.ArgumentParser(
        prog='taskboard-run',
        description='Run the task board: ZEO, workers, load balancer, jobs.')
    parser.add_argument('--var', default='var',
                        help='folder for the database, logs and sockets')
    parser.add_argument('--port', type=int, default=8080,
                        help='HTTP port on 127.0.0.1 (default 8080)')
    parser.add_argument('--workers', type=int, default=2)
    parser.add_argument('--jobs', action=argparse.BooleanOptionalAction,
                        default=True,
                        help='start the job runner (--no-jobs: another'
                        ' host runs it)')
    parser.add_argument('--postgresql', metavar='DSN',
                        help='keep the board in PostgreSQL through'
                        ' RelStorage (a libpq connection string) instead'
                        ' of a ZEO server over var/Data.fs')
    options = parser.parse_args(args)
    if options.workers < 1:
        parser.error('--workers must be at least 1')
    var = os.path.abspath(options.var)
    os.makedirs(var, exist_ok=True)

    stopping = threading.Event()

    def on_signal(signum, frame):
        stopping.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    # Children import what we import: hand them our path.
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path),
               PYTHONUNBUFFERED='1')
    children = []
    try:
        try:
            run(options, var, env, children, stopping)
        except KeyboardInterrupt:
            pass
        except LaunchError as error:
            print(f'taskboard-run: {error}', file=sys.stderr, flush=True)
            return 1
        finally:
            print('Stopping...', flush=True)
            for child in reversed(children):
                status = child.stop()
                print(f'{child.name} stopped (exit status {status})',
                      flush=True)
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.SIG_DFL)
    return 0


def check_port_free(port):
    """Refuse a taken port before starting anything.

    Otherwise the load balancer would fail to listen while whatever holds
    the port answers, looking like the board.
    """
    with socket.socket() as sock:
        # As the load balancer does: connections of an earlier run still
        # in TIME_WAIT do not make the port taken.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(('127.0.0.1', port))
        except OSError as error:
            raise LaunchError(
                f'cannot listen on 127.0.0.1:{port} ({error.strerror}):'
                ' choose another --port') from None


def run(options, var, env, children, stopping):
    check_port_free(options.port)
    if options.postgresql:
        spec = f'postgresql:{options.postgresql}'
    else:
        zeo_port = free_port()
        config = os.path.join(var, 'zeo.conf')
        with open(config, 'w') as f:
            f.write(ZEO_CONFIG.format(port=zeo_port, var=var))
        zeo = Child('zeo', ['-m', 'ZEO.runzeo', '-C', config], env)
        children.append(zeo)
        wait_until(lambda: zeo_greets(zeo_port), 'the ZEO server', zeo,
                   stopping)
        spec = f'zeo:127.0.0.1:{zeo_port}'
    # Before any worker starts: RelStorage creates its tables on first use.
    try:
        db = open_db(spec)
        try:
            ensure_board(db)
        finally:
            db.close()
    except Exception as error:
        raise LaunchError(f'cannot open the database {spec}: {error}')

    worker_addrs = [f'127.0.0.1:{free_port()}' for _ in range(options.workers)]
    lb_socket = os.path.join(var, 'lb.sock')
    peers = [arg for addr in worker_addrs for arg in ('--peer', addr)]
    workers = []
    for n, addr in enumerate(worker_addrs, 1):
        worker = Child(f'worker{n}', [
            '-m', 'taskboard.worker', '--db', spec,
            '--address', addr, '--lb-status', lb_socket,
            '--resume-file', os.path.join(var, f'worker{n}.resume'),
            ] + peers, env)
        children.append(worker)
        workers.append((worker, addr))
    for worker, addr in workers:
        host, port = addr.split(':')
        wait_until(lambda: get_resume((host, int(port))) is not None,
                   f'{worker.name} at {addr}', worker, stopping)

    lb = Child('lb', [
        '-c', 'import sys, zc.resumelb.lb; sys.exit(zc.resumelb.lb.main())',
        '-a', f'127.0.0.1:{options.port}',
        '-l', os.path.join(var, 'access.log'),
        '-s', lb_socket,
        '-r', 'taskboard.routing:project_classifier',
        ] + worker_addrs, env)
    children.append(lb)
    wait_until(lambda: accepts(options.port), 'the load balancer', lb,
               stopping)

    if options.jobs:
        jobs = Child('jobs', ['-m', 'taskboard.runner', '--db', spec], env,
                     ready_line=READY)
        children.append(jobs)
        wait_until(jobs.ready.is_set, 'the job runner', jobs, stopping)

    print(f'Task board running at http://127.0.0.1:{options.port}/'
          ' -- press Ctrl-C to stop it.', flush=True)
    while not stopping.wait(0.5):
        for child in children:
            if child.exited():
                raise LaunchError(
                    f'{child.name} exited with status'
                    f' {child.process.returncode}: stopping the rest')
