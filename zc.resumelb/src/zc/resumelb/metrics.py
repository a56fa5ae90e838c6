"""A load balancer's figures for Prometheus (``resumelb --metrics``).

Served at ``http://HOST:PORT/metrics`` in Prometheus's text exposition
format (version 0.0.4): responses by status, each worker's backlog, how
long requests waited for a worker, how many workers are connected, and
how many requests their worker left unanswered past the response timeout.
"""
import bisect

from zc.resumelb import util

CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8'
#: Upper bounds (seconds) of the queue-wait histogram's buckets.
BUCKETS = (0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 10.0, 30.0)


class Metrics:
    """Counts what ``lb`` and its HTTP server report, renders it."""

    def __init__(self, lb):
        self.lb = lb
        self.responses = {}
        self.waits = [0] * (len(BUCKETS) + 1)
        self.wait_sum = 0.0
        self.response_timeouts = 0

    def response(self, status):
        """A response with ``status`` (an int) was sent."""
        self.responses[status] = self.responses.get(status, 0) + 1

    def response_timeout(self):
        """A worker sent nothing for a request within the timeout."""
        self.response_timeouts += 1

    def queue_wait(self, seconds):
        """A request waited ``seconds`` for a worker."""
        self.waits[bisect.bisect_left(BUCKETS, seconds)] += 1
        self.wait_sum += seconds

    def render(self):
        """The text exposition of every metric."""
        lines = [
            '# HELP resumelb_responses_total HTTP responses sent,'
            ' by status.',
            '# TYPE resumelb_responses_total counter',
        ]
        for status, count in sorted(self.responses.items()):
            lines.append(
                f'resumelb_responses_total{{status="{status}"}} {count}')
        status = self.lb.pool.status()
        lines += [
            '# HELP resumelb_worker_backlog Requests assigned to a worker'
            ' whose response has not started.',
            '# TYPE resumelb_worker_backlog gauge',
        ]
        for name, backlog, *_ in status['workers']:
            lines.append(
                f'resumelb_worker_backlog{{worker="{_label(name)}"}}'
                f' {backlog}')
        lines += [
            '# HELP resumelb_backlog Requests assigned to workers whose'
            ' response has not started.',
            '# TYPE resumelb_backlog gauge',
            f"resumelb_backlog {status['backlog']}",
            '# HELP resumelb_worker_connections Workers connected and'
            ' taking work.',
            '# TYPE resumelb_worker_connections gauge',
            f"resumelb_worker_connections {len(status['workers'])}",
            '# HELP resumelb_requests_in_progress Requests between arrival'
            ' and the end of their response.',
            '# TYPE resumelb_requests_in_progress gauge',
            f'resumelb_requests_in_progress {self.lb.in_progress}',
            '# HELP resumelb_response_timeouts_total Requests cancelled'
            ' because their worker sent nothing within the response'
            ' timeout.',
            '# TYPE resumelb_response_timeouts_total counter',
            f'resumelb_response_timeouts_total {self.response_timeouts}',
            '# HELP resumelb_queue_wait_seconds Time requests waited for'
            ' a worker.',
            '# TYPE resumelb_queue_wait_seconds histogram',
        ]
        total = 0
        for bound, count in zip(BUCKETS + ('+Inf',), self.waits):
            total += count
            lines.append(
                f'resumelb_queue_wait_seconds_bucket{{le="{bound}"}} {total}')
        lines += [f'resumelb_queue_wait_seconds_sum {self.wait_sum}',
                  f'resumelb_queue_wait_seconds_count {total}']
        return '\n'.join(lines) + '\n'

    def application(self, environ, start_response):
        """A WSGI application serving ``/metrics``."""
        if environ.get('PATH_INFO') != '/metrics':
            start_response('404 Not Found', [('Content-Type', 'text/plain'),
                                             ('Content-Length', '10')])
            return [b'not found\n']
        body = self.render().encode('utf-8')
        start_response('200 OK', [('Content-Type', CONTENT_TYPE),
                                  ('Content-Length', str(len(body)))])
        return [body]


def _label(value):
    return (str(value).replace('\\', '\\\\').replace('"', '\\"')
            .replace('\n', '\\n'))


def serve(address, lb):
    """Start serving ``lb``'s metrics on ``address`` (``HOST:PORT``).

    Returns the server; ``lb.metrics`` and the server's counters start
    being kept from now on.
    """
    from zc.resumelb.httpserver import Server
    lb.metrics = metrics = Metrics(lb)
    listener = util.listen(util.parse_addr(address, '127.0.0.1'), 16)
    server = Server(listener, metrics.application, log=None,
                    socket_timeout=10, header_timeout=10)
    server.start()
    return server
