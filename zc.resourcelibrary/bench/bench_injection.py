"""Cost of the middleware per response on a 100 KB HTML page.

One server process serves the same WSGI application (a 100 KB UTF-8 page
needing three libraries of six files in all) three times, on three ports
of 127.0.0.1: bare, behind ResourceLibraryMiddleware with default options,
and behind it with every option (html5, integrity, versioned, csp_nonce,
preload).  This process is the client: it sends the requests (a new
connection each, as wsgiref speaks HTTP/1.0) and measures what the server
process spends on them, side by side in the same run:

- instructions, counted by valgrind's callgrind in a second run of the
  server process: the same on an idle and on a loaded machine.  Only the
  process's own instructions: the kernel's work for each response
  (accepting the connection, sending 100 KB) is not counted, so the ratio
  overstates the middleware's share of the real cost;
- CPU time of the server process (user + system, kernel's socket work
  included), in alternating rounds; the ratio is the median of the
  per-round ratios.  Less disturbed by other processes than the wall
  clock, but still by a busy machine's shared caches.

The wall clock is not measured: on a machine shared by several users it
says more about the neighbours than about the middleware.  Prints one line
per setup.
"""
import http.client
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import wsgiref.simple_server

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'src'))

ROUNDS = 15
REQUESTS = 40        # per round and app, CPU time
WARM_UP = 5          # per app, before anything is measured
COUNTED = 20         # per app, under callgrind
SETUPS = ('default', 'all options')

# UTF-8 text with a few non-ASCII characters, as real pages have.
PARAGRAPH = ('<p>Lorem ipsum dolor sit amet, “consectetur” adipiscing '
             'café.</p>\n')
PAGE = ('<!DOCTYPE html>\n<html><head><title>Report</title></head><body>\n'
        + PARAGRAPH * (100_000 // len(PARAGRAPH.encode()))
        + '</body></html>\n').encode()


# The server process

def make_libraries(directory):
    import zc.resourcelibrary
    for name in ('base.js', 'widgets.js', 'widgets.css', 'charts.js',
                 'charts.css', 'theme.css'):
        with open(os.path.join(directory, name), 'w') as f:
            f.write('/* %s */\n' % name * 200)
    zc.resourcelibrary.register('base', directory, ['base.js', 'theme.css'])
    zc.resourcelibrary.register('widgets', directory,
                                ['widgets.js', 'widgets.css'], ['base'])
    zc.resourcelibrary.register('charts', directory,
                                ['charts.js', 'charts.css'], ['base'])


def app(environ, start_response):
    import zc.resourcelibrary
    zc.resourcelibrary.need('widgets')
    zc.resourcelibrary.need('charts')
    start_response('200 OK', [('Content-Type', 'text/html; charset=utf-8'),
                              ('Content-Length', str(len(PAGE)))])
    return [PAGE]


class _QuietHandler(wsgiref.simple_server.WSGIRequestHandler):

    def log_message(self, format, *args):
        pass


def serve():
    """Serve the three apps; answer ``cpu`` on stdin until ``quit``."""
    from zc.resourcelibrary.wsgi import ResourceLibraryMiddleware
    directory = tempfile.mkdtemp()
    try:
        make_libraries(directory)
        apps = [app, ResourceLibraryMiddleware(app),
                ResourceLibraryMiddleware(
                    app, html5=True, integrity=True, versioned=True,
                    csp_nonce=True, preload=True)]
        ports = []
        for wsgi_app in apps:
            server = wsgiref.simple_server.make_server(
                '127.0.0.1', 0, wsgi_app, handler_class=_QuietHandler)
            ports.append(server.server_port)
            # A long poll interval: waking up to poll would cost
            # instructions in proportion to the wall clock.
            threading.Thread(target=server.serve_forever, args=(3600,),
                             daemon=True).start()
        print(*ports, flush=True)
        for line in sys.stdin:
            if line.strip() != 'cpu':
                break
            print(time.process_time(), flush=True)
    finally:
        shutil.rmtree(directory)


# The client

class Server:
    """The server process, natively or under callgrind."""

    def __init__(self, valgrind=None):
        command = [sys.executable, os.path.abspath(__file__), 'serve']
        self.out = None
        if valgrind is not None:
            self.out = tempfile.mkdtemp()
            command = [valgrind, '--tool=callgrind',
                       f'--callgrind-out-file={self.out}/callgrind.out',
                       *command]
        environment = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path),
                           PYTHONHASHSEED='0')
        if valgrind is not None:
            # glibc copies large blocks with one ``rep movsb`` instruction,
            # which callgrind counts once per byte: 100,000 for a copy of
            # the page that the processor does in a few thousand cycles.
            # Its vector loop is counted as the processor runs it.
            environment['GLIBC_TUNABLES'] = (
                'glibc.cpu.x86_rep_movsb_threshold=4294967295')
        self.process = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE if valgrind else None, text=True,
            env=environment)
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError('The benchmark server did not start: '
                               + (self.process.stderr.read()
                                  if valgrind else ''))
        self.ports = [int(port) for port in line.split()]

    def cpu(self):
        self.process.stdin.write('cpu\n')
        self.process.stdin.flush()
        return float(self.process.stdout.readline())

    def control(self, option):
        subprocess.run(['callgrind_control', option,
                        str(self.process.pid)],
                       check=True, capture_output=True, timeout=300)

    def stop(self):
        try:
            self.process.stdin.write('quit\n')
            self.process.stdin.close()
            self.process.wait(timeout=300)
        finally:
            if self.process.poll() is None:
                self.process.kill()
                self.process.wait()
            if self.out is not None:
                shutil.rmtree(self.out)


def get(port, requests):
    for _ in range(requests):
        connection = http.client.HTTPConnection('127.0.0.1', port,
                                                timeout=300)
        connection.request('GET', '/')
        body = connection.getresponse().read()
        connection.close()
        if len(body) < len(PAGE):
            raise RuntimeError(f'Short page from port {port}')


def cpu_seconds():
    """[bare, default, all options] CPU s per request; ratios to bare."""
    server = Server()
    try:
        for port in server.ports:
            get(port, WARM_UP)
        rounds = []
        for _ in range(ROUNDS):
            figures = []
            for port in server.ports:
                before = server.cpu()
                get(port, REQUESTS)
                figures.append((server.cpu() - before) / REQUESTS)
            rounds.append(figures)
    finally:
        server.stop()
    medians = [statistics.median(r[i] for r in rounds) for i in range(3)]
    ratios = [statistics.median(r[i] / r[0] for r in rounds)
              for i in range(3)]
    return medians, ratios


_SUMMARY = re.compile(r'^summary:\s*(\d+)', re.MULTILINE)


def instructions(valgrind):
    """[bare, default, all options] instructions per request."""
    server = Server(valgrind)
    try:
        for port in server.ports:
            get(port, WARM_UP)
        counts = []
        for port in server.ports:
            server.control('--zero')
            get(port, COUNTED)
            # The handler closes the connection after the client has read
            # the response: give it the time to finish before counting.
            time.sleep(1)
            server.control('--dump')
            dumps = sorted(
                (name for name in os.listdir(server.out)
                 if name.startswith('callgrind.out.')),
                key=lambda name: int(name.rsplit('.', 1)[1]))
            with open(os.path.join(server.out, dumps[-1])) as f:
                counts.append(int(_SUMMARY.search(f.read()).group(1))
                              / COUNTED)
    finally:
        server.stop()
    return counts


def main():
    (bare_cpu, *cpu), (_, *cpu_ratios) = cpu_seconds()
    valgrind = shutil.which('valgrind')
    if valgrind:
        bare_ir, *irs = instructions(valgrind)
    for i, setup in enumerate(SETUPS):
        if valgrind:
            counted = (f'{irs[i] / 1e6:.3f} M vs bare {bare_ir / 1e6:.3f} M '
                       f'instructions per response, ratio '
                       f'{irs[i] / bare_ir:.3f} (callgrind, {COUNTED} '
                       'requests)')
        else:
            counted = 'instructions not counted: valgrind is not installed'
        print(f'bench_injection {setup} (100 KB page, 6 files, wsgiref '
              f'server over HTTP on 127.0.0.1): {counted}; '
              f'CPU {cpu[i] * 1e6:.0f} us vs bare {bare_cpu * 1e6:.0f} us '
              f'per response, ratio {cpu_ratios[i]:.3f} (median of '
              f'{ROUNDS} alternating rounds of {REQUESTS}; shared machine)',
              flush=True)


if __name__ == '__main__':
    if sys.argv[1:] == ['serve']:
        serve()
    else:
        main()
