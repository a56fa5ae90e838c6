"""ZooKeeper deployments: workers register, load balancers follow them.

Node data is a JSON object of *properties*; a property ``"NAME ->"`` makes
``NODE/NAME`` a link to the path it names (the zc.zk conventions).  kazoo
(``pip install zc.resumelb[zk]``) talks to ZooKeeper; its watch callbacks
run on kazoo's threads, so they only hand values to the gevent hub.
"""
import argparse
import json
import logging
import os
import posixpath
import signal
import socket
import sys
import time

import gevent
import gevent.event
import gevent.pool
import gevent.socket

from zc.resumelb import util
from zc.resumelb.status import read_status

logger = logging.getLogger(__name__)


def connect(hosts):
    """A started kazoo client for ``hosts``; tests replace this."""
    try:
        import kazoo.client
    except ImportError:
        raise SystemExit(
            'Error: ZooKeeper support needs kazoo:'
            ' pip install "zc.resumelb[zk]"') from None
    client = kazoo.client.KazooClient(hosts, timeout=10)
    client.start()
    return client


def properties(client, path):
    """The properties (a dict) stored at ``path``."""
    return parse_properties(client.get(path)[0])


def parse_properties(data):
    """Node data (bytes) as properties: JSON object, else string_value."""
    if not data:
        return {}
    text = data.decode('utf-8')
    try:
        value = json.loads(text)
    except ValueError:
        return {'string_value': text}
    return value if isinstance(value, dict) else {'string_value': text}


def resolve(client, path, _seen=()):
    """The real path of ``path``, following ``"NAME ->"`` links."""
    path = posixpath.normpath(path)
    if path in _seen:
        raise ValueError(f'link loop resolving {path!r}')
    if client.exists(path):
        return path
    parent, name = posixpath.split(path)
    if parent == path or not name:
        raise ValueError(f'no such node {path!r}')
    real_parent = resolve(client, parent, _seen)
    candidate = posixpath.join(real_parent, name)
    if client.exists(candidate):
        return candidate
    target = properties(client, real_parent).get(name + ' ->')
    if target is None:
        raise ValueError(f'no such node {path!r}')
    target = posixpath.join(real_parent, target)
    return resolve(client, target, _seen + (path,))


class _ToHub:
    """Carries the latest value from any thread to ``callback`` in the hub.

    Bursts coalesce: only the newest value is delivered.
    """

    def __init__(self, callback):
        self.callback = callback
        self.value = None
        self.watcher = gevent.get_hub().loop.async_()
        self.watcher.start(self._deliver)

    def send(self, value):
        self.value = value
        self.watcher.send()

    def _deliver(self):
        self.callback(self.value)

    def close(self):
        self.watcher.close()


def _local_addresses():
    try:
        infos = socket.getaddrinfo(socket.gethostname(), None,
                                   socket.AF_INET)
        found = sorted({info[4][0] for info in infos})
    except OSError:
        found = []
    others = [a for a in found if not a.startswith('127.')]
    return others or found or ['127.0.0.1']


class Registration:
    """Ephemeral ``host:port`` nodes under ``providers``, kept alive.

    Re-created when a lost session is re-established.
    """

    def __init__(self, client, providers, addr, **extra):
        self.client = client
        host, port = addr[:2]
        hosts = ([host] if host not in ('', '0.0.0.0')
                 else _local_addresses())
        self.paths = [f'{providers}/{h}:{port}' for h in hosts]
        data = dict(pid=os.getpid())
        data.update({k: v for k, v in extra.items() if v is not None})
        self.data = json.dumps(data).encode('utf-8')
        self._lost = False
        self._recreate = _ToHub(lambda _: self.create())
        client.add_listener(self._state)
        self.create()

    def create(self):
        for path in self.paths:
            if not self.client.exists(path):
                self.client.create(path, self.data, ephemeral=True)

    def _state(self, state):
        if state == 'LOST':
            self._lost = True
        elif state == 'CONNECTED' and self._lost:
            self._lost = False
            self._recreate.send(None)


def _configure_loggers(loggers):
    if loggers is None:
        return
    text = str(loggers).strip()
    if text.isdigit() or text in ('CRITICAL', 'ERROR', 'WARNING', 'INFO',
                                  'DEBUG'):
        util.configure_logging(text)
        return
    try:
        import ZConfig
    except ImportError:
        raise SystemExit('Error: a ZConfig logging configuration needs the'
                         ' ZConfig package') from None
    ZConfig.configureLoggers(text)


def worker(app, global_conf, zookeeper, path, loggers=None, address=':0',
           threads=None, backdoor=False, description=None, version=None,
           run=True, **kw):
    """PasteDeploy ``zk`` server runner: a worker registered in ZooKeeper.

    Settings (``history``, ``max_skill_age``) come from the properties of
    ``path`` and follow their changes.  With ``run`` false, returns the
    worker instead of serving until SIGTERM.  ``backdoor`` is accepted for
    configuration compatibility; no backdoor server is started.
    """
    from zc.resumelb.worker import Worker
    _configure_loggers(loggers)
    client = connect(zookeeper)
    path = resolve(client, path)
    the_worker = Worker(app, util.parse_addr(address, '127.0.0.1'),
                        threads=threads, **kw)
    the_worker.update_settings(properties(client, path))
    settings = _ToHub(the_worker.update_settings)
    client.DataWatch(path, lambda data, stat: settings.send(
        parse_properties(data)) if stat is not None else None)
    the_worker.zookeeper = client
    the_worker.registration = Registration(
        client, path + '/providers', the_worker.addr,
        description=description, version=version)
    if not run:
        return the_worker
    done = gevent.event.Event()

    def terminate():
        client.stop()
        client.close()
        the_worker.shutdown()
        done.set()

    handler = gevent.signal_handler(
        signal.SIGTERM, lambda: gevent.spawn(terminate))
    try:
        done.wait()
    finally:
        handler.cancel()


def _lb_parser():
    parser = argparse.ArgumentParser(
        prog='zkresumelb',
        description='Résumé-based load balancer configured by ZooKeeper.')
    parser.add_argument('zookeeper', metavar='ZK_CONNECTION')
    parser.add_argument('path', metavar='PATH')
    parser.add_argument('-a', '--address', default=':0')
    parser.add_argument('-b', '--backlog', type=int)
    parser.add_argument('-e', '--disconnect-message')
    parser.add_argument('-L', '--logger-configuration')
    parser.add_argument('-l', '--access-logger')
    parser.add_argument('-m', '--max-connections', type=int)
    parser.add_argument('-r', '--request-classifier',
                        default='zc.resumelb.lb:host_classifier')
    parser.add_argument('-p', '--pool-factory',
                        default='zc.resumelb.lb:Pool')
    parser.add_argument('-s', '--status-server')
    parser.add_argument('-t', '--socket-timeout', type=float, default=99.0)
    parser.add_argument('-v', '--single-version', action='store_true')
    parser.add_argument('-k', '--secret-file')
    return parser


def lbmain(args=None, run=True):
    """``zkresumelb [options] ZK_CONNECTION PATH``.

    String ``args`` are split and mean test mode: returns ``(lb, server)``
    instead of serving until SIGTERM.
    """
    from zc.resumelb import lb as lbmodule
    if isinstance(args, str):
        args = args.split()
        run = False
    options = _lb_parser().parse_args(args)
    util.configure_logging(options.logger_configuration)
    client = connect(options.zookeeper)
    providers = resolve(client, options.path + '/workers/providers')
    classifier = lbmodule._load(options.request_classifier)
    factory = lbmodule._load(options.pool_factory)
    disconnect_message = lbmodule.DEFAULT
    if options.disconnect_message:
        with open(options.disconnect_message, 'rb') as f:
            disconnect_message = f.read()
    secret = (util.read_secret(options.secret_file)
              if options.secret_file else None)
    lb = lbmodule.LB([], classifier, disconnect_message,
                     pool_factory=factory, secret=secret,
                     single_version=options.single_version)
    want_versions = options.single_version or factory is not lbmodule.Pool

    def set_workers(children):
        addrs = {}
        for child in children:
            try:
                addr = util.parse_addr(child)
            except ValueError:
                logger.warning('ignoring provider %r', child)
                continue
            version = None
            if want_versions:
                try:
                    version = properties(
                        client, f'{providers}/{child}').get('version')
                except Exception:
                    logger.exception('reading provider %r', child)
            addrs[addr] = version
        lb.set_worker_addrs(addrs if want_versions else list(addrs))

    set_workers(client.get_children(providers))
    workers_to_hub = _ToHub(set_workers)
    client.ChildrenWatch(providers, workers_to_hub.send)
    lb_path = resolve(client, options.path)
    lb.update_settings(properties(client, lb_path))
    settings = _ToHub(lb.update_settings)
    client.DataWatch(lb_path, lambda data, stat: settings.send(
        parse_properties(data)) if stat is not None else None)

    listen = util.parse_addr(options.address)
    listener = util.listen(listen, options.backlog or 1024)
    access = (logging.getLogger(options.access_logger)
              if options.access_logger else None)
    spawn = gevent.pool.Pool(options.max_connections)
    server = lbmodule.Server(listener, lb.handle_wsgi, log=access,
                             spawn=spawn,
                             socket_timeout=options.socket_timeout,
                             error_log=logging.getLogger(
                                 'zc.resumelb.lb.http'))
    server.start()
    host, port = listener.getsockname()[:2]
    logger.info('serving on %s:%s', host, port)
    status = (lbmodule._status_server(options.status_server, lb.pool)
              if options.status_server else None)
    lb.registration = Registration(
        client, lb_path + '/providers',
        (options.address.rsplit(':', 1)[0], port))
    lb.zookeeper = client
    if not run:
        return lb, server
    done = gevent.event.Event()

    def terminate():
        client.stop()
        client.close()
        server.close()
        if status is not None:
            status.close()
        lb.shutdown()
        deadline = time.monotonic() + 5
        while len(spawn) and time.monotonic() < deadline:
            gevent.sleep(0.01)
        done.set()

    handler = gevent.signal_handler(
        signal.SIGTERM, lambda: gevent.spawn(terminate))
    try:
        done.wait()
    finally:
        handler.cancel()
    return 0


def get_lb_status(args=None):
    """``get-lb-status SOCKET ...``: print load balancers' backlogs."""
    parser = argparse.ArgumentParser(
        prog='get-lb-status',
        description='Print the status of load balancers (resumelb -s).')
    parser.add_argument('sockets', nargs='+', metavar='SOCKET')
    options = parser.parse_args(args)
    for path in options.sockets:
        print(f'status for {path}')
        status = read_status(path)
        workers = status['workers']
        if not workers:
            print('This load-balancer has no workers!')
            continue
        mean = status['mean_backlog'] or 0
        print(f"  backlog: {status['backlog']}, mean backlog: {mean:.1f}")
        print(f'  workers: {len(workers)},'
              f' mean backlog per worker: {mean / len(workers):.1f}')
        print()
        print('%30s%8s%8s%8s' % ('worker', 'backlog', 'mean bl', 'age'))
        now = time.time()
        for name, backlog, mbacklog, oldest in sorted(workers):
            age = '-' if oldest is None else f'{now - oldest:.1f}'
            print('%30s%8s%8s%8s' % (name, backlog, f'{mbacklog:.1f}', age))


if __name__ == '__main__':
    sys.exit(lbmain())
