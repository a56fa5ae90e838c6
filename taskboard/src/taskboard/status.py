"""The status page's view of the load balancer and its workers.

The load balancer reports its pool (backlogs per worker) on a Unix socket
(``resumelb -s``); each worker hands out its résumé to whoever connects
like a load balancer.  Both are read when the page is shown.
"""
import html

from zc.resumelb.status import read_status
from zc.resumelb.worker import get_resume


class Status:

    def __init__(self, lb_socket, workers, timeout=5):
        self.lb_socket = lb_socket
        self.workers = list(workers)
        self.timeout = timeout

    def __call__(self):
        parts = ['<h2>Load balancer</h2>']
        try:
            pool = read_status(self.lb_socket, timeout=self.timeout)
        except OSError as error:
            parts.append(f'<p>Not reachable: {html.escape(str(error))}</p>')
        else:
            parts.append(
                f'<p id="backlog">Backlog: {pool["backlog"]}; mean backlog:'
                f' {pool["mean_backlog"]:.3f}</p>'
                '<table><tr><th>Worker</th><th>Backlog</th>'
                '<th>Mean backlog</th></tr>')
            for name, backlog, mean, _oldest in pool['workers']:
                parts.append(f'<tr><td>{html.escape(name)}</td>'
                             f'<td>{backlog}</td><td>{mean:.3f}</td></tr>')
            parts.append('</table>')
        parts.append('<h2>Résumés</h2><p>Requests per second of application'
                     ' time, per request class (the project).</p>')
        for host, port in self.workers:
            name = f'{host}:{port}'
            try:
                resume = get_resume((host, port))
            except Exception as error:
                text = f'not reachable: {error}'
            else:
                text = ', '.join(f'{c or "(none)"}: {s:.1f}'
                                 for c, s in sorted(resume.items())
                                 ) or 'nothing learned yet'
            parts.append(f'<p class="resume">{html.escape(name)}: '
                         f'{html.escape(text)}</p>')
        return ''.join(parts)
