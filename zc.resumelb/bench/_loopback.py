"""What the load-balancer benches share: ports on 127.0.0.1, wrk, nginx."""
import os
import re
import shutil
import socket
import time

HOST = '127.0.0.1'


def free_port():
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def wait_port(port, timeout=20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection((HOST, port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise SystemExit(f'nothing listens on {HOST}:{port}')


def missing_tools():
    """Which of wrk and nginx are not installed."""
    return [cmd for cmd in ('wrk', 'nginx') if not shutil.which(cmd)
            and not os.path.exists('/usr/sbin/' + cmd)]


def nginx_binary():
    return shutil.which('nginx') or '/usr/sbin/nginx'


def wrk_figures(out):
    """(requests per second, p99 in ms) from ``wrk --latency``'s output;
    an error response stops the bench."""
    errors = re.search(r'Non-2xx or 3xx responses: (\d+)', out)
    if errors:
        raise SystemExit(f'wrk saw {errors.group(1)} error responses')
    rate = float(re.search(r'Requests/sec:\s+([\d.]+)', out).group(1))
    value, unit = re.search(r'99%\s+([\d.]+)(us|ms|s)', out).groups()
    return rate, float(value) * {'us': 0.001, 'ms': 1, 's': 1000}[unit]
