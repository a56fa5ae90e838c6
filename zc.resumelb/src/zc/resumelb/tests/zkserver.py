"""A real standalone ZooKeeper on 127.0.0.1 for the integration tests.

Debian's ``zookeeper`` package supplies the server: its jar's manifest
names every library it needs, so ``java -cp zookeeper.jar`` is enough.
The server listens on loopback only, on a free port, with a throw-away
data directory, and without the admin web server.
"""
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time

JARS = ('/usr/share/java/zookeeper.jar',
        '/usr/share/zookeeper/zookeeper.jar')
MAIN = 'org.apache.zookeeper.server.ZooKeeperServerMain'
INSTALL = ('install the Debian package: tools/apt-ensure zookeeper'
           ' (apt-get install zookeeper)')


class ZooKeeperServer:
    """One ZooKeeper server process; ``hosts`` is its connection string.

    ``session_timeout`` (ms) caps what clients may negotiate, so that a
    client stopped for longer than that loses its session quickly.
    """

    def __init__(self, session_timeout=3000):
        self.session_timeout = session_timeout
        self.proc = None
        self.dir = None
        self.port = None

    @property
    def hosts(self):
        return f'127.0.0.1:{self.port}'

    def _jar(self):
        for jar in JARS:
            if os.path.exists(jar):
                return jar
        raise AssertionError(
            f'ZooKeeper is missing (none of {", ".join(JARS)}): {INSTALL}')

    def start(self, timeout=45):
        """Start the server and wait until it answers ``ruok``."""
        jar = self._jar()
        java = shutil.which('java')
        if java is None:
            raise AssertionError(f'java is missing: {INSTALL}')
        self.dir = tempfile.mkdtemp(prefix='zc.resumelb-zookeeper-')
        with socket.socket() as s:
            s.bind(('127.0.0.1', 0))
            self.port = s.getsockname()[1]
        config = os.path.join(self.dir, 'zoo.cfg')
        with open(config, 'w') as f:
            f.write('\n'.join([
                'tickTime=500',
                f'dataDir={self.dir}/data',
                f'clientPort={self.port}',
                'clientPortAddress=127.0.0.1',
                f'maxSessionTimeout={self.session_timeout}',
                'admin.enableServer=false',
                '4lw.commands.whitelist=ruok',
                '',
            ]))
        self.log_path = os.path.join(self.dir, 'server.log')
        with open(self.log_path, 'wb') as log:
            # Small heap and the client compiler: start-up time matters
            # more than throughput here.
            self.proc = subprocess.Popen(
                [java, '-Xmx128m', '-XX:+UseSerialGC',
                 '-XX:TieredStopAtLevel=1',
                 '-Dzookeeper.admin.enableServer=false',
                 '-cp', jar, MAIN, config],
                stdout=log, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        while not self.answers():
            if self.proc.poll() is not None:
                raise AssertionError(
                    f'ZooKeeper exited with {self.proc.returncode}:'
                    f'\n{self.log()}')
            if time.monotonic() > deadline:
                self.stop()
                raise AssertionError(
                    f'ZooKeeper did not answer within {timeout}s')
            time.sleep(0.1)

    def answers(self):
        """Whether the server answers ``ruok`` with ``imok``."""
        try:
            with socket.create_connection(('127.0.0.1', self.port),
                                          timeout=2) as s:
                s.sendall(b'ruok')
                return s.recv(16) == b'imok'
        except OSError:
            return False

    def log(self):
        with open(self.log_path, encoding='utf-8', errors='replace') as f:
            return f.read()[-4000:]

    def stop(self):
        """Stop the server and remove its files."""
        if self.proc is not None:
            if self.proc.poll() is None:
                self.proc.send_signal(signal.SIGTERM)
                try:
                    self.proc.wait(10)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait(10)
            self.proc = None
        if self.dir is not None:
            shutil.rmtree(self.dir, ignore_errors=True)
            self.dir = None
