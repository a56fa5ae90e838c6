"""ZooKeeper deployments: workers register, load balancers follow them.

Node data is a JSON object of *properties*; a property ``"NAME ->"`` makes
``NODE/NAME`` a link to the path it names (the zc.zk conventions).  kazoo
(``pip install zc.resumelb[zk]``) talks to ZooKeeper; its watch callbacks
run on kazoo's threads, so they only hand values to the gevent hub.
A watched node that is deleted makes the runner resolve its configured
path again, so re-pointed links and re-created nodes are followed.
"""
import argparse
import json
import logging
import os
import posixpath
import socket
import sys
import time

import gevent
import gevent.event
import gevent.pool
import gevent.socket
import gevent.threadpool

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


def _local_addresses():
    try:
        infos = socket.getaddrinfo(socket.gethostname(), None,
                                   socket.AF_INET)
        found = sorted({info[4][0] for info in infos})
    except OSError:
        found = []
    others = [a for a in found if not a.startswith('127.')]
    return others or found or ['127.0.0.1']


_calls = None


def _blocking(func, *args):
    """``func(*args)`` on the runners' ZooKeeper thread.

    kazoo's calls wait on native locks; made from a greenlet they would
    stall the hub (every request of the LB or worker) for as long as
    ZooKeeper takes to answer, or to come back.  One thread is enough
    for these rare calls, and it lives as long as the process.
    """
    global _calls
    if _calls is None:
        _calls = gevent.threadpool.ThreadPool(1)
    # Raised in the pool, an exception would also be reported there as
    # an error; it is the caller's to handle.
    ok, value = _calls.apply(_outcome, (func, args))
    if not ok:
        raise value
    return value


def _outcome(func, args):
    try:
        return True, func(*args)
    except Exception as exc:
        return False, exc


def _backoff():
    """Retry delays: 0.1 s doubling to at most 5 s."""
    delay = 0.1
    while True:
        yield delay
        delay = min(delay * 2, 5.0)


class Registration:
    """Ephemeral ``host:port`` nodes under ``providers``, kept alive.

    Re-created when a lost session is re-established, retrying with
    backoff until the nodes exist (the connection may drop again during
    an attempt) or ``close()`` is called.
    """

    def __init__(self, client, providers, addr, **extra):
        self.client = client
        host, port = addr[:2]
        self.hosts = ([host] if host not in ('', '0.0.0.0')
                      else _local_addresses())
        self.port = port
        self.paths = self._paths(providers)
        data = dict(pid=os.getpid())
        data.update({k: v for k, v in extra.items() if v is not None})
        self.data = json.dumps(data).encode('utf-8')
        self._lost = False
        self._closed = False
        self._wanted = gevent.event.Event()
        self._recreate = _ToHub(lambda _: self._wanted.set())
        client.add_listener(self._state)
        self.create()
        self._keeper = gevent.spawn(self._keep)

    def _paths(self, providers):
        return [f'{providers}/{h}:{self.port}' for h in self.hosts]

    def create(self):
        """Create the nodes that are missing."""
        for path in self.paths:
            if not self.client.exists(path):
                self.client.create(path, self.data, ephemeral=True)

    def move(self, providers):
        """Register under ``providers`` from now on (a link was followed).

        The old nodes are not deleted: the runners move only when the node
        above the old ``providers`` was deleted, which ZooKeeper allows
        only once its children are gone.
        """
        self.paths = self._paths(providers)
        self._wanted.set()

    def close(self):
        """Stop re-creating the nodes (closing the client removes them)."""
        self._closed = True
        self.client.remove_listener(self._state)
        self._wanted.set()

    def _keep(self):
        # Not killed by close(): a call in flight on the ZooKeeper thread
        # finishes, then the loop sees the flag.
        while True:
            self._wanted.wait()
            self._wanted.clear()
            for delay in _backoff():
                if self._closed:
                    return
                try:
                    _blocking(self.create)
                    break
                except Exception as exc:
                    logger.warning('registering %s failed (%r);'
                                   ' retrying in %.1fs',
                                   ', '.join(self.paths), exc, delay)
                # A move or close() cuts the wait short.
                self._wanted.wait(delay)
                self._wanted.clear()

    def _state(self, state):
        if state == 'LOST':
            self._lost = True
        elif state == 'CONNECTED' and self._lost:
            self._lost = False
            self._recreate.send(None)


class Follower:
    """Watches the node a configured path resolves to, and follows it.

    ``on_data(properties)`` gets the node's properties on every change,
    ``on_children(resolved_path, children)`` its children; both run in
    the hub.  When the node is deleted the configured path is resolved
    again (a link may have been re-pointed, or the node may come back),
    retrying with backoff while it does not resolve, and the node it then
    resolves to is watched; ``on_moved(resolved_path)`` is told.  The
    last settings stay in force meanwhile.
    """

    def __init__(self, client, path, resolved, on_data=None,
                 on_children=None, on_moved=None):
        self.client = client
        self.path = path
        self.on_moved = on_moved
        self.generation = 0
        self._closed = False
        self._stopped = gevent.event.Event()
        self._resolver = None
        # One channel per kind: coalescing keeps the newest value of
        # each, and a deletion is never hidden behind a data change.
        self._data = (_ToHub(lambda value: self._current(value, on_data))
                      if on_data is not None else None)
        self._children = (
            _ToHub(lambda value: self._current(value, on_children))
            if on_children is not None else None)
        self._deleted = _ToHub(self._node_deleted)
        self._watch(resolved, self.generation)

    def _current(self, value, func):
        generation, args = value
        if generation == self.generation and not self._closed:
            func(*args)

    def _watch(self, resolved, generation):
        # kazoo threads run these callbacks: they only hand values on,
        # and return False (kazoo then drops the watch) once stale.
        self.resolved = resolved

        def data_changed(data, stat):
            if generation != self.generation:
                return False
            if stat is None:
                self._deleted.send(generation)
                return False
            if self._data is not None:
                self._data.send((generation, (parse_properties(data),)))

        def children_changed(children):
            if generation != self.generation:
                return False
            self._children.send((generation, (resolved, children)))

        # The data watch reports a deletion that the children watch
        # (kazoo stops it silently) would not.
        self.client.DataWatch(resolved, data_changed)
        if self._children is not None:
            self.client.ChildrenWatch(resolved, children_changed)

    def _node_deleted(self, generation):
        if generation != self.generation or self._closed:
            return
        self.generation += 1
        logger.info('%s deleted; resolving %s again',
                    self.resolved, self.path)
        if self._resolver is None:
            self._resolver = gevent.spawn(self._resolve_again)

    def _resolve_again(self):
        try:
            for delay in _backoff():
                if self._closed:
                    return
                generation = self.generation = self.generation + 1
                try:
                    resolved = _blocking(resolve, self.client, self.path)
                    _blocking(self._watch, resolved, generation)
                except Exception as exc:
                    logger.warning('following %s failed (%r); retrying'
                                   ' in %.1fs', self.path, exc, delay)
                    self._stopped.wait(delay)
                    continue
                if generation != self.generation:
                    # Deleted again while the watches were being set.
                    self._stopped.wait(delay)
                    continue
                logger.info('following %s at %s', self.path, resolved)
                if self.on_moved is not None:
                    self.on_moved(resolved)
                return
        finally:
            self._resolver = None

    def close(self):
        """Stop watching; kazoo drops the watches at their next event."""
        self._closed = True
        self.generation += 1
        self._stopped.set()


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
    ``path`` and follow their changes; when that node is deleted, ``path``
    is resolved again and the worker follows (and registers under) the
    node it then names.  With ``run`` false, returns the
    worker instead of serving until SIGTERM.  ``backdoor`` is accepted for
    configuration compatibility; no backdoor server is started.
    """
    from zc.resumelb.worker import Worker
    _configure_loggers(loggers)
    client = connect(zookeeper)
    resolved = resolve(client, path)
    the_worker = Worker(app, util.parse_addr(address, '127.0.0.1'),
                        threads=threads, **kw)
    the_worker.update_settings(properties(client, resolved))
    the_worker.zookeeper = client
    registration = the_worker.registration = Registration(
        client, resolved + '/providers', the_worker.addr,
        description=description, version=version)
    the_worker.settings_watch = Follower(
        client, path, resolved, on_data=the_worker.update_settings,
        on_moved=lambda real: registration.move(real + '/providers'))
    if not run:
        return the_worker

    def terminate():
        the_worker.settings_watch.close()
        registration.close()
        client.stop()
        client.close()
        the_worker.shutdown()

    util.run_until_sigterm(terminate)


def _lb_parser():
    from zc.resumelb import lb as lbmodule
    parser = argparse.ArgumentParser(
        prog='zkresumelb',
        description='Résumé-based load balancer configured by ZooKeeper.')
    parser.add_argument('zookeeper', metavar='ZK_CONNECTION',
                        help='ZooKeeper connection string, HOST:PORT,...')
    parser.add_argument('path', metavar='PATH',
                        help='the LB node: settings in its properties,'
                        ' workers under PATH/workers/providers')
    parser.add_argument('-a', '--address', default=':0',
                        help='HTTP listen address (default :0)')
    parser.add_argument('-b', '--backlog', type=int,
                        help='listen backlog')
    parser.add_argument('-e', '--disconnect-message',
                        help='file with the body of 502 responses')
    parser.add_argument('-L', '--logger-configuration', default='INFO',
                        help='a level, or a ZConfig logging file'
                        ' (default INFO, which shows the listening address)')
    parser.add_argument('-l', '--access-logger',
                        help='logger name for access lines (default: no'
                        ' access log)')
    parser.add_argument('-m', '--max-connections', type=int,
                        help='maximum simultaneous client connections')
    parser.add_argument('-r', '--request-classifier',
                        default='zc.resumelb.lb:host_classifier',
                        help='module:expression of the classifier')
    parser.add_argument('-p', '--pool-factory',
                        default='zc.resumelb.lb:Pool',
                        help='module:expression of the pool factory')
    parser.add_argument('-s', '--status-server',
                        help='Unix socket path of the status server')
    parser.add_argument('-t', '--socket-timeout', type=float, default=99.0,
                        help='seconds a client connection may make no'
                        ' progress before it is dropped (default 99)')
    parser.add_argument('-v', '--single-version', action='store_true',
                        help='send work only to workers of the version'
                        ' most workers have')
    lbmodule.add_common_options(parser)
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
    workers_path = options.path + '/workers/providers'
    providers = resolve(client, workers_path)
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
                     single_version=options.single_version,
                     queue_timeout=options.queue_timeout,
                     response_timeout=options.response_timeout or None,
                     max_frame_size=options.max_frame_size)
    want_versions = options.single_version or factory is not lbmodule.Pool

    def set_workers(providers, children):
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

    set_workers(providers, client.get_children(providers))
    lb.workers_watch = Follower(client, workers_path, providers,
                                on_children=set_workers)
    lb_path = resolve(client, options.path)
    lb.update_settings(properties(client, lb_path))

    listen = util.parse_addr(options.address)
    listener = util.listen(listen, options.backlog or 1024)
    access = (logging.getLogger(options.access_logger)
              if options.access_logger else None)
    spawn = gevent.pool.Pool(options.max_connections)
    server = lbmodule.Server(listener, lb.handle_wsgi, log=access,
                             spawn=spawn,
                             socket_timeout=options.socket_timeout,
                             header_timeout=options.header_timeout,
                             max_body_size=options.max_body_size,
                             error_log=logging.getLogger(
                                 'zc.resumelb.lb.http'))
    server.start()
    host, port = listener.getsockname()[:2]
    logger.info('serving on %s:%s', host, port)
    status = (lbmodule._status_server(options.status_server, lb.pool)
              if options.status_server else None)
    metrics = (lbmodule.start_metrics(options.metrics, lb, server)
               if options.metrics else None)
    registration = lb.registration = Registration(
        client, lb_path + '/providers',
        (options.address.rsplit(':', 1)[0], port))
    lb.settings_watch = Follower(
        client, options.path, lb_path, on_data=lb.update_settings,
        on_moved=lambda real: registration.move(real + '/providers'))
    lb.zookeeper = client
    if not run:
        return lb, server

    def terminate():
        lb.workers_watch.close()
        lb.settings_watch.close()
        registration.close()
        client.stop()
        client.close()
        lbmodule._drain(server, status, lb, spawn, options.drain_timeout)
        if metrics is not None:
            metrics.stop(timeout=1)

    util.run_until_sigterm(terminate)
    return 0


def get_lb_status(args=None):
    """``get-lb-status SOCKET ...``: print load balancers' backlogs."""
    parser = argparse.ArgumentParser(
        prog='get-lb-status',
        description='Print the status of load balancers (resumelb -s).')
    parser.add_argument('sockets', nargs='+', metavar='SOCKET',
                        help='status socket of a load balancer'
                        ' (its -s option)')
    options = parser.parse_args(args)
    failed = 0
    for path in options.sockets:
        try:
            status = read_status(path)
        except (OSError, ValueError) as error:
            reason = getattr(error, 'strerror', None) or error
            print(f'get-lb-status: cannot read {path}: {reason}',
                  file=sys.stderr)
            failed = 1
            continue
        print(f'status for {path}')
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
        if 'settings' in status:
            # BoundedPool's, after the table every pool prints alike.
            print()
            print('  settings: ' + ', '.join(
                f'{name} {value}'
                for name, value in sorted(status['settings'].items())))
            print(f"  moved classes: {status['moved_classes']}")
    return failed


if __name__ == '__main__':
    sys.exit(lbmain())
