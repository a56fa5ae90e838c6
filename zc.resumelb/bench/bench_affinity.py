"""Cache affinity for real: resumelb's pools against nginx, same workers.

A working-set-bound application: every request class (the URL path
``/c/N``) has data that must be loaded into a per-process LRU cache before
it is served; a load costs ``MISS_MS`` of blocking work (a sleep, so that
the figures do not depend on how busy the shared CPUs are), a hit nothing.
Each of ``WORKERS`` single-threaded processes caches ``CACHE`` classes out
of ``CLASSES``; the clients ask for classes of Zipf(``ZIPF``) popularity,
from a list of URLs that a wrk Lua script walks through, counting the
responses that came from a warm cache (the ``X-Cache`` header).

``BENCH_WORKERS`` sets the number of workers (4), with eight connections
per worker.

Six setups, each on fresh (cold) workers, warmed up for ``WARMUP``
seconds, then measured for ``BENCH_DURATION`` seconds, one after another in
the same run, ``BENCH_ROUNDS`` times (each round in the reverse order of
the last, so that a neighbour's burst on a shared machine does not always
hit the same setup); the figures are the medians over the rounds:

- resumelb with ``Pool`` (the ``resumelb`` script's defaults);
- resumelb with ``BoundedPool`` (``-p zc.resumelb.lb:BoundedPool``), with
  its defaults, with ``patience=0`` (a request past the bound stays home
  only where it is expected to be done sooner anyway) and with
  ``balance=3`` (homes may carry three times the mean before classes move);
- nginx round-robin over the same application served over HTTP (the LB's
  own lean HTTP server), with upstream keep-alive;
- nginx ``hash $request_uri consistent`` over the same.

Prints the requests per second, the p99 latency and the hit rate of each,
and the ratios of each resumelb setup to both nginx setups.  Needs wrk and
nginx (``make bench`` installs them); without them it says so and exits 1.
"""
import collections
import os
import statistics
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

# The benches' shared helpers lie beside them; the development buildout's
# interpreter runs a script without putting its folder on the path.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _loopback import HOST  # noqa: E402
from _loopback import free_port  # noqa: E402
from _loopback import missing_tools  # noqa: E402
from _loopback import nginx_binary  # noqa: E402
from _loopback import wait_port  # noqa: E402
from _loopback import wrk_figures  # noqa: E402

WORKERS = int(os.environ.get('BENCH_WORKERS', '4'))
CLASSES = 2000
CACHE = 200
ZIPF = 1.0
MISS_MS = 10.0
CONNECTIONS = 8 * WORKERS
DURATION = os.environ.get('BENCH_DURATION', '6')
WARMUP = os.environ.get('BENCH_WARMUP', '3')
ROUNDS = int(os.environ.get('BENCH_ROUNDS', '3'))

NGINX_CONF = """
worker_processes 1;
error_log {dir}/error.log;
pid {dir}/nginx.pid;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {dir}/body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    upstream app {{ {balance} {servers} keepalive 32; }}
    server {{
        listen {host}:{port};
        location / {{
            proxy_pass http://app;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
        }}
    }}
}}
"""

WRK_SCRIPT = r"""
local counter = 0
local threads = {}

function setup(thread)
    thread:set("id", counter)
    counter = counter + 1
    table.insert(threads, thread)
end

function init(args)
    paths = {}
    for line in io.lines(args[1]) do
        paths[#paths + 1] = line
    end
    position = (id * 7919) % #paths
    hits = 0
    misses = 0
end

function request()
    position = position % #paths + 1
    return wrk.format("GET", paths[position])
end

function response(status, headers, body)
    if headers["X-Cache"] == "hit" then
        hits = hits + 1
    else
        misses = misses + 1
    end
end

function done(summary, latency, requests)
    local h, m = 0, 0
    for _, thread in ipairs(threads) do
        h = h + thread:get("hits")
        m = m + thread:get("misses")
    end
    io.write(string.format("CACHE %d %d\n", h, m))
end
"""

CLASSIFIER = ('zc.resumelb.lb:'
              're_classifier("PATH_INFO", r"^/c/(?P<class>\\d+)")')


def make_app(cache_size, miss_seconds):
    """The working-set-bound application."""
    cache = collections.OrderedDict()
    body = b'x' * 100

    def app(environ, start_response):
        key = environ['PATH_INFO']
        if key in cache:
            cache.move_to_end(key)
            state = 'hit'
        else:
            time.sleep(miss_seconds)
            cache[key] = True
            if len(cache) > cache_size:
                cache.popitem(last=False)
            state = 'miss'
        start_response('200 OK', [('Content-Type', 'text/plain'),
                                  ('Content-Length', str(len(body))),
                                  ('X-Cache', state)])
        return [body]

    return app


def serve(kind, address):
    """Run one worker process: ``resumelb`` or ``http``."""
    import gevent.event

    from zc.resumelb.util import parse_addr
    app = make_app(CACHE, MISS_MS / 1000)
    addr = parse_addr(address, HOST)
    if kind == 'resumelb':
        from zc.resumelb.worker import Worker
        worker = Worker(app, addr, history=500)
        print('%s:%s' % worker.addr, flush=True)
    else:
        from zc.resumelb.httpserver import Server
        server = Server(addr, app, log=None)
        server.start()
        print('%s:%s' % server.address[:2], flush=True)
    gevent.event.Event().wait()


def zipf_paths(count, seed=0):
    rng = random.Random(seed)
    weights = [1 / rank ** ZIPF for rank in range(1, CLASSES + 1)]
    ranks = list(range(CLASSES))
    rng.shuffle(ranks)
    return [f'/c/{ranks[i]}' for i in rng.choices(
        range(CLASSES), weights=weights, k=count)]


def wrk(port, script, paths, seconds):
    out = subprocess.run(
        ['wrk', '-t2', f'-c{CONNECTIONS}', f'-d{seconds}s', '--latency',
         '-s', script, f'http://{HOST}:{port}/', '--', paths],
        capture_output=True, text=True, check=True).stdout
    rate, p99 = wrk_figures(out)
    hits, misses = map(int, re.search(r'CACHE (\d+) (\d+)', out).groups())
    return rate, p99, hits / max(hits + misses, 1)


class Setup:
    """Processes of one setup, stopped together."""

    def __init__(self, tmp):
        self.tmp = tmp
        self.procs = []
        self.env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))

    def spawn(self, *args, stdout=subprocess.DEVNULL):
        proc = subprocess.Popen(args, env=self.env, stdout=stdout,
                                stderr=subprocess.DEVNULL)
        self.procs.append(proc)
        return proc

    def workers(self, kind):
        procs = [self.spawn(sys.executable, __file__, '--serve', kind,
                            f'{HOST}:0', stdout=subprocess.PIPE)
                 for _ in range(WORKERS)]
        return [proc.stdout.readline().decode().strip() for proc in procs]

    def resumelb(self, pool):
        port = free_port()
        self.spawn(sys.executable, '-c', 'import sys; from zc.resumelb.lb'
                   ' import main; sys.exit(main())', '-a', f'{HOST}:{port}',
                   '-l', os.devnull, '-r', CLASSIFIER,
                   '-p', f'zc.resumelb.lb:{pool}', *self.workers('resumelb'))
        wait_port(port)
        time.sleep(1)  # the LB connects to its workers
        return port

    def nginx(self, balance):
        port = free_port()
        servers = ' '.join(f'server {a};' for a in self.workers('http'))
        conf_dir = tempfile.mkdtemp(dir=self.tmp)
        conf = os.path.join(conf_dir, 'nginx.conf')
        with open(conf, 'w') as f:
            f.write(NGINX_CONF.format(dir=conf_dir, host=HOST, port=port,
                                      balance=balance, servers=servers))
        nginx = nginx_binary()
        self.spawn(nginx, '-c', conf, '-p', conf_dir, '-g', 'daemon off;')
        wait_port(port)
        return port

    def stop(self):
        for proc in self.procs:
            proc.send_signal(signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            if proc.stdout:
                proc.stdout.close()


SETUPS = {
    'resumelb Pool': lambda s: s.resumelb('Pool'),
    'resumelb BoundedPool': lambda s: s.resumelb('BoundedPool'),
    'resumelb BoundedPool patience 0': lambda s: s.resumelb(
        'lambda **kw: BoundedPool(patience=0, **kw)'),
    'resumelb BoundedPool balance 3': lambda s: s.resumelb(
        'lambda **kw: BoundedPool(balance=3, **kw)'),
    'nginx round-robin': lambda s: s.nginx(''),
    'nginx hash consistent': lambda s: s.nginx(
        'hash $request_uri consistent;'),
}


def main():
    missing = missing_tools()
    if missing:
        print('bench_affinity: needs ' + ' and '.join(missing)
              + ': apt-get install -y wrk nginx')
        return 1
    tmp = tempfile.mkdtemp(prefix='zc.resumelb-affinity-')
    runs = collections.defaultdict(list)
    try:
        script = os.path.join(tmp, 'zipf.lua')
        with open(script, 'w') as f:
            f.write(WRK_SCRIPT)
        paths = os.path.join(tmp, 'paths')
        with open(paths, 'w') as f:
            f.write('\n'.join(zipf_paths(100000)) + '\n')
        order = list(SETUPS)
        for _ in range(ROUNDS):
            for name in order:
                setup = Setup(tmp)
                try:
                    port = SETUPS[name](setup)
                    wrk(port, script, paths, WARMUP)
                    runs[name].append(wrk(port, script, paths, DURATION))
                finally:
                    setup.stop()
            order.reverse()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    figures = {name: tuple(map(statistics.median, zip(*runs[name])))
               for name in SETUPS}
    print(f'{WORKERS} workers caching {CACHE} of {CLASSES} classes, Zipf'
          f' {ZIPF}, {MISS_MS} ms per miss, {CONNECTIONS} connections,'
          f' medians of {ROUNDS} rounds: '
          + '; '.join(f'{name}: {rate:.0f} req/s p99 {p99:.1f} ms'
                      f' hits {hit:.1%}'
                      for name, (rate, p99, hit) in figures.items()))
    for ours in (name for name in SETUPS if name.startswith('resumelb')):
        rate, p99, _ = figures[ours]
        print(f'{ours}: ' + ', '.join(
            f'{rate / other[0]:.2f}x the req/s and {p99 / other[1]:.2f}x'
            f' the p99 of {name}' for name, other in figures.items()
            if name.startswith('nginx')))
    return 0


if __name__ == '__main__':
    if sys.argv[1:2] == ['--serve']:
        serve(sys.argv[2], sys.argv[3])
    else:
        sys.exit(main())
