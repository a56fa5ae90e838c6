"""Cost of the middleware per response on a 100 KB HTML page.

Three WSGI applications produce a 100 KB UTF-8 page needing three
libraries of six files in all: one returns a constant page (it costs
nothing, the hardest comparison for the middleware), one renders its
page, a table of 1,190 rows, with f-strings on every request (the
cheapest way a real application makes a page), and one renders the same
table from a zope.pagetemplate template, as a Zope application would.  One server process serves each of them
four times, on ports of 127.0.0.1: bare, behind ResourceLibraryMiddleware
with default options, with check_encoding=False (the page is not checked
to be valid UTF-8), and with every option (html5, integrity, versioned,
csp_nonce, preload).  This process is the client: it sends the
requests (a new connection each, as wsgiref speaks HTTP/1.0) and measures
what the server process spends on them, side by side in the same run:

- instructions, counted by valgrind's callgrind in a second run of the
  server process: the same on an idle and on a loaded machine.  Only the
  process's own instructions: the kernel's work for each response
  (accepting the connection, sending 100 KB) is not counted, so the ratio
  overstates the middleware's share of the real cost;
- CPU time of the server process (user + system, kernel's socket work
  included), in rounds that go through every server in turn; the ratio
  is the median of the per-round ratios.  Less disturbed by other
  processes than the wall clock, but still by a busy machine's shared
  caches.

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
SETUPS = ('default', 'default, check_encoding=False', 'all options')

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


ROWS = [(n, f'Article {n}', n * 37 % 1000 / 10, 'café “au lait”')
        for n in range(1190)]


def rendering_app(environ, start_response):
    import zc.resourcelibrary
    zc.resourcelibrary.need('widgets')
    zc.resourcelibrary.need('charts')
    rows = ''.join(f'<tr><td>{n}</td><td>{name}</td><td>{price:.2f}</td>'
                   f'<td>{note}</td></tr>\n'
                   for n, name, price, note in ROWS)
    page = ('<!DOCTYPE html>\n<html><head><title>Report</title></head>'
            f'<body><table>\n{rows}</table></body></html>\n').encode()
    start_response('200 OK', [('Content-Type', 'text/html; charset=utf-8'),
                              ('Content-Length', str(len(page)))])
    return [page]


TEMPLATE = '''<!DOCTYPE html>
<html><head><title>Report</title></head><body><table>
<tr tal:repeat="row options/rows"><td tal:content="python: row[0]"/><td
 tal:content="python: row[1]"/><td tal:content="python: '%.2f' % row[2]"/><td
 tal:content="python: row[3]"/></tr>
</table></body></html>
'''
_template = []


def template_app(environ, start_response):
    import zc.resourcelibrary
    if not _template:
        from zope.pagetemplate.pagetemplate import PageTemplate
        template = PageTemplate()
        template.pt_edit(TEMPLATE, 'text/html')
        _template.append(template)
    zc.resourcelibrary.need('widgets')
    zc.resourcelibrary.need('charts')
    page = _template[0](rows=ROWS).encode()
    start_response('200 OK', [('Content-Type', 'text/html; charset=utf-8'),
                              ('Content-Length', str(len(page)))])
    return [page]


APPS = (('constant page', app), ('rendered page', rendering_app),
        ('template page', template_app))


class _QuietHandler(wsgiref.simple_server.WSGIRequestHandler):

    def log_message(self, format, *args):
        pass


def serve():
    """Serve the apps, bare and wrapped; answer ``cpu`` until ``quit``."""
    from zc.resourcelibrary.wsgi import ResourceLibraryMiddleware
    directory = tempfile.mkdtemp()
    try:
        make_libraries(directory)
        apps = []
        for _, bare in APPS:
            apps.extend([bare, ResourceLibraryMiddleware(bare),
                         ResourceLibraryMiddleware(bare,
                                                   check_encoding=False),
                         ResourceLibraryMiddleware(
                             bare, html5=True, integrity=True,
                             versioned=True, csp_nonce=True, preload=True)])
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
    """CPU s per request for each port, and ratios to the bare app's."""
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
    ports = range(len(server.ports))
    medians = [statistics.median(r[i] for r in rounds) for i in ports]
    # Every app is followed by its wrapped versions.
    ratios = [statistics.median(r[i] / r[i - i % (len(SETUPS) + 1)]
                                for r in rounds)
              for i in ports]
    return medians, ratios


_SUMMARY = re.compile(r'^summary:\s*(\d+)', re.MULTILINE)


def instructions(valgrind):
    """Instructions per request for each port."""
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
    cpu, cpu_ratios = cpu_seconds()
    valgrind = shutil.which('valgrind')
    irs = instructions(valgrind) if valgrind else None
    for i, (page, _) in enumerate(APPS):
        bare = (len(SETUPS) + 1) * i
        for j, setup in enumerate(SETUPS, bare + 1):
            if irs:
                counted = (f'{irs[j] / 1e6:.3f} M vs bare '
                           f'{irs[bare] / 1e6:.3f} M instructions per '
                           f'response, ratio {irs[j] / irs[bare]:.3f} '
                           f'(callgrind, {COUNTED} requests)')
            else:
                counted = ('instructions not counted: valgrind is not '
                           'installed')
            print(f'bench_injection {page}, {setup} (100 KB, 6 files, '
                  f'wsgiref server over HTTP on 127.0.0.1): {counted}; '
                  f'CPU {cpu[j] * 1e6:.0f} us vs bare '
                  f'{cpu[bare] * 1e6:.0f} us per response, ratio '
                  f'{cpu_ratios[j]:.3f} (median of {ROUNDS} alternating '
                  f'rounds of {REQUESTS}; shared machine)', flush=True)


if __name__ == '__main__':
    if sys.argv[1:] == ['serve']:
        serve()
    else:
        main()
