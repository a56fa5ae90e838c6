"""Requests/s and p99 latency through resumelb, nginx and one HTTP server.

wrk (Debian package ``wrk``) drives each setup on 127.0.0.1 with 100-byte
responses and 32 connections:

- resumelb in front of 3 workers (app code in the event loop), as one
  process and as two (``-w 2``, sharing the listening socket);
- nginx (Debian package ``nginx``) in front of 3 gevent pywsgi servers of
  the same app, with upstream keep-alive: the issue's baseline;
- nginx in front of 3 servers of the same app on the LB's own lean HTTP
  server (``zc.resumelb.httpserver``), about twice as fast as pywsgi: a
  stricter baseline;
- one pywsgi server and one lean server reached directly.

Every front end keeps connections alive to the client (wrk) and to its
backends, and writes an access-log line per request to /dev/null.

Prints one line: the figures, the CPU time the (single) LB process spent
per request, and resumelb's ratios to both nginx setups.

With ``BENCH_LB_BASELINE=DIR``, where DIR holds another version's
``zc/resumelb`` package (for instance ``git archive main
zc.resumelb/src | tar -x -C /tmp/base --strip-components=2``), a second
line compares the LB CPU per request of this code and of DIR's, as two
single LB processes in front of the same workers, measured in turns
(three rounds each) so that both meet the same load from elsewhere.
Needs ``apt-get install -y wrk nginx``; without them it says so and
exits 1.
"""
import os
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

DURATION = os.environ.get('BENCH_DURATION', '5')
CONNECTIONS = '32'
NGINX_CONF = """
worker_processes 1;
error_log {dir}/error.log;
pid {dir}/nginx.pid;
events {{ worker_connections 1024; }}
http {{
    access_log /dev/null;
    client_body_temp_path {dir}/body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    upstream app {{ {servers} keepalive 32; }}
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


def wrk(port):
    out = subprocess.run(
        ['wrk', '-t2', '-c' + CONNECTIONS, '-d' + DURATION + 's',
         '--latency', f'http://{HOST}:{port}/tiny'],
        capture_output=True, text=True, check=True).stdout
    rate, p99 = wrk_figures(out)
    requests = int(re.search(r'(\d+) requests in', out).group(1))
    return rate, p99, requests


def cpu_seconds(pid):
    """User plus system CPU time used by process ``pid`` so far (Linux)."""
    with open(f'/proc/{pid}/stat') as f:
        fields = f.read().rsplit(')', 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf('SC_CLK_TCK')


def main():
    missing = missing_tools()
    if missing:
        print('bench_lb: needs ' + ' and '.join(missing)
              + ': apt-get install -y wrk nginx')
        return 1
    nginx = nginx_binary()
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    tmp = tempfile.mkdtemp(prefix='zc.resumelb-bench-')
    procs = []

    def spawn(*args):
        proc = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        procs.append(proc)
        return proc

    baseline = os.environ.get('BENCH_LB_BASELINE')
    if baseline and not os.path.isfile(
            os.path.join(baseline, 'zc', 'resumelb', 'lb.py')):
        print(f'bench_lb: BENCH_LB_BASELINE={baseline} holds no'
              ' zc/resumelb/lb.py')
        return 1
    compared = None
    try:
        worker_ports = [free_port() for _ in range(3)]
        pywsgi_ports = [free_port() for _ in range(3)]
        lean_ports = [free_port() for _ in range(3)]
        for port in worker_ports:
            spawn(sys.executable, '-m', 'zc.resumelb.tests.procs',
                  f'{HOST}:{port}', 'threads=0')
        for flag, ports in (('--http', pywsgi_ports),
                            ('--lean-http', lean_ports)):
            for port in ports:
                spawn(sys.executable, '-m', 'zc.resumelb.tests.procs',
                      flag, f'{HOST}:{port}')
        lb_port, lb2_port = free_port(), free_port()
        nginx_ports = {'pywsgi': free_port(), 'lean': free_port()}
        for port in worker_ports + pywsgi_ports + lean_ports:
            wait_port(port)
        for port, processes in ((lb_port, 1), (lb2_port, 2)):
            lb = spawn(sys.executable, '-c', 'import sys; from zc.resumelb.lb'
                  ' import main; sys.exit(main())', '-a', f'{HOST}:{port}',
                  '-l', os.devnull, '-w', str(processes),
                  *[f'{HOST}:{p}' for p in worker_ports])
            if processes == 1:
                lb_pid = lb.pid
        for name, ports in (('pywsgi', pywsgi_ports), ('lean', lean_ports)):
            conf_dir = os.path.join(tmp, name)
            os.mkdir(conf_dir)
            with open(os.path.join(conf_dir, 'nginx.conf'), 'w') as f:
                f.write(NGINX_CONF.format(
                    dir=conf_dir, host=HOST, port=nginx_ports[name],
                    servers=' '.join(f'server {HOST}:{p};' for p in ports)))
            spawn(nginx, '-c', os.path.join(conf_dir, 'nginx.conf'),
                  '-p', conf_dir, '-g', 'daemon off;')
        for port in (lb_port, lb2_port, *nginx_ports.values()):
            wait_port(port)
        time.sleep(1)  # the LB connects to its workers
        lb_cpu = cpu_seconds(lb_pid)
        figures = {'resumelb': wrk(lb_port)}
        lb_cpu = cpu_seconds(lb_pid) - lb_cpu
        figures.update({
            'resumelb -w2': wrk(lb2_port),
            'nginx 3 pywsgi': wrk(nginx_ports['pywsgi']),
            'nginx 3 lean': wrk(nginx_ports['lean']),
            'one pywsgi': wrk(pywsgi_ports[0]),
            'one lean': wrk(lean_ports[0]),
        })
        if baseline:
            compared = compare_cpu(env, baseline, worker_ports)
    finally:
        for proc in procs:
            proc.send_signal(signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        shutil.rmtree(tmp, ignore_errors=True)
    print('; '.join(f'{name}: {rate:.0f} req/s p99 {p99:.1f} ms'
                    for name, (rate, p99, _) in figures.items()), end='; ')
    print(f'resumelb LB CPU {lb_cpu / figures["resumelb"][2] * 1e6:.0f}'
          ' us/request', end='; ')
    ratios = []
    for lb in ('resumelb', 'resumelb -w2'):
        for baseline in ('nginx 3 pywsgi', 'nginx 3 lean'):
            ratios.append(f'{lb}/{baseline}'
                          f' {figures[lb][0] / figures[baseline][0]:.2f}x')
    print(', '.join(ratios))
    if compared is not None:
        this, base = compared
        print(f'LB CPU per request, interleaved: this code {this:.1f} us,'
              f' baseline {base:.1f} us, ratio {this / base:.3f}')
    return 0


def compare_cpu(env, baseline, worker_ports, rounds=3):
    """CPU microseconds per request of this LB and of the baseline's."""
    lbs = {}
    for name, path in (('this', None), ('baseline', baseline)):
        lb_env = dict(env)
        if path:
            lb_env['PYTHONPATH'] = os.pathsep.join((path, env['PYTHONPATH']))
        port = free_port()
        proc = subprocess.Popen(
            [sys.executable, '-c', 'import sys; from zc.resumelb.lb import'
             ' main; sys.exit(main())', '-a', f'{HOST}:{port}',
             '-l', os.devnull, *[f'{HOST}:{p}' for p in worker_ports]],
            env=lb_env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        lbs[name] = (proc, port)
    try:
        for proc, port in lbs.values():
            wait_port(port)
        time.sleep(1)  # the LBs connect to their workers
        totals = {name: [0.0, 0] for name in lbs}
        for _ in range(rounds):
            for name, (proc, port) in lbs.items():
                before = cpu_seconds(proc.pid)
                requests = wrk(port)[2]
                totals[name][0] += cpu_seconds(proc.pid) - before
                totals[name][1] += requests
    finally:
        for proc, _ in lbs.values():
            proc.send_signal(signal.SIGTERM)
        for proc, _ in lbs.values():
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
    return tuple(cpu / count * 1e6 for cpu, count in
                 (totals['this'], totals['baseline']))


if __name__ == '__main__':
    sys.exit(main())
