"""The task board's WSGI application.

Every request gets its own ZODB connection and transaction manager (the
worker serves requests from several threads).  POST requests commit and
then redirect; a conflict with another worker's commit is retried a few
times before the request fails.  URLs of a project start with
``/p/<project>/`` so that the load balancer can use the project as the
request class.
"""
import html
import json
import re

import transaction
import webob
import webob.exc
import ZODB.POSException

import zc.resourcelibrary

from taskboard import resources
from taskboard import sources

ATTEMPTS = 3

_ROUTES = []


def route(method, pattern):
    def register(func):
        _ROUTES.append((method, re.compile(pattern + '$'), func))
        return func
    return register


def esc(value):
    return html.escape(str(value))


class Application:
    """The board as a WSGI application over ``db``.

    ``status`` is a callable returning the status page's HTML fragment
    (the worker passes one that reads the load balancer and the workers);
    ``name`` says which worker served the page.
    """

    def __init__(self, db, status=None, name='in-process'):
        self.db = db
        self.status = status
        self.name = name

    def __call__(self, environ, start_response):
        request = webob.Request(environ)
        try:
            response = self.handle(request)
        except webob.exc.HTTPException as error:
            response = error
        return response(environ, start_response)

    def handle(self, request):
        for method, pattern, func in _ROUTES:
            match = pattern.match(request.path_info)
            if match and method == request.method:
                break
        else:
            if any(p.match(request.path_info) for _, p, _ in _ROUTES):
                raise webob.exc.HTTPMethodNotAllowed()
            raise webob.exc.HTTPNotFound(
                f'There is no page at {request.path_info}.')
        for attempt in range(ATTEMPTS):
            manager = transaction.TransactionManager()
            connection = self.db.open(transaction_manager=manager)
            try:
                manager.begin()
                board = connection.root()['taskboard']
                try:
                    response = func(self, request, board, **match.groupdict())
                except ValueError as error:
                    manager.abort()
                    return self.page('Not done', f'<p>{esc(error)}</p>',
                                     status=400)
                if request.method == 'POST':
                    manager.commit()
                else:
                    manager.abort()
                return response
            except ZODB.POSException.ConflictError:
                manager.abort()
                if attempt == ATTEMPTS - 1:
                    raise
            except BaseException:
                manager.abort()
                raise
            finally:
                connection.close()

    def page(self, title, body, status=200):
        zc.resourcelibrary.need(resources.STYLE)
        text = f'''<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{esc(title)}</title>
</head>
<body><nav><a href="/">Board</a><a href="/status">Status</a></nav>
<h1>{esc(title)}</h1>
{body}
<footer><small>Served by worker {esc(self.name)}</small></footer>
</body></html>'''
        return webob.Response(text, status=status,
                              content_type='text/html', charset='utf-8')


def redirect(location):
    return webob.exc.HTTPSeeOther(location=location)


def select(name, label, binder, board, multiple=False):
    source = binder(board) if board is not None else binder
    options = ''.join(
        f'<option value="{esc(value)}">{esc(title(source, value))}</option>'
        for value in source)
    size = ' multiple size="4"' if multiple else ''
    return (f'<label for="{name}">{label}</label> '
            f'<select id="{name}" name="{name}"{size}>{options}</select>')


def title(source, value):
    context = getattr(source, 'context', None)
    if context is None:
        return source.factory.getTitle(value)
    return source.factory.getTitle(context, value)


def chosen(request, name, binder, board):
    """The submitted value of ``name``, checked against its source."""
    value = request.POST.get(name)
    if value is None:
        raise ValueError(f'missing field {name!r}')
    if value not in binder(board):
        raise ValueError(f'{value!r} is not a valid {name}')
    return value


def task_link(task):
    css = 'done' if task.state == 'done' else ''
    return (f'<a class="{css}" href="/p/{esc(task.project)}/{task.id}">'
            f'#{task.id} {esc(task.title)}</a>')


def new_task_form(board, project=None):
    action = '/tasks' if project is None else f'/p/{esc(project)}/tasks'
    fields = [
        '<label for="title">Title</label> '
        '<input id="title" name="title" required>',
        select('assignee', 'Assignee', sources.people, board),
    ]
    if project is None:
        fields.insert(1, select('project', 'Project', sources.projects, board))
    if len(board.tasks):
        fields.append(select('blocked_by', 'Waits for', sources.tasks, board,
                             multiple=True))
    return (f'<form method="post" action="{action}"><h2>New task</h2>'
            + '<br>'.join(fields)
            + '<br><input type="submit" name="add" value="Add task"></form>')


@route('GET', '/')
def home(app, request, board):
    rows = []
    for project in sources.projects(board):
        stats = board.stats.get(project)
        figures = (', '.join(f'{k}: {v}' for k, v in stats.items())
                   if stats else 'not counted yet')
        rows.append(f'<tr><td><a href="/p/{esc(project)}/">{esc(project)}'
                    f'</a></td><td>{esc(figures)}</td></tr>')
    digests = ''.join(f'<pre>{esc(d)}</pre>' for d in board.digests[:1])
    body = (f'<table><tr><th>Project</th><th>Statistics</th></tr>'
            f'{"".join(rows)}</table>'
            f'<p>Jobs waiting: {len(board.jobs)}; done: {board.jobs_done}</p>'
            '<form method="post" action="/digest">'
            '<input type="submit" value="Send digest"></form>'
            f'<h2>Latest digest</h2>{digests or "<p>None yet.</p>"}'
            + new_task_form(board))
    return app.page('Task board', body)


def create(request, board, project):
    blockers = [chosen_task(request, board, raw)
                for raw in request.POST.getall('blocked_by')]
    task = board.add_task(
        request.POST.get('title', ''), project,
        chosen(request, 'assignee', sources.people, board),
        [b.id for b in blockers])
    return redirect(f'/p/{task.project}/{task.id}')


def chosen_task(request, board, raw):
    try:
        id = int(raw)
    except ValueError:
        raise ValueError(f'invalid task {raw!r}') from None
    if id not in sources.tasks(board):
        raise ValueError(f'no task {raw!r}')
    return board.tasks[id]


@route('POST', '/tasks')
def create_anywhere(app, request, board):
    return create(request, board,
                  chosen(request, 'project', sources.projects, board))


@route('POST', '/p/(?P<project>[^/]+)/tasks')
def create_in_project(app, request, board, project):
    known_project(board, project)
    return create(request, board, project)


def known_project(board, project):
    if project not in sources.projects(board):
        raise webob.exc.HTTPNotFound(f'There is no project {project!r}.')


def project_task(board, project, id):
    known_project(board, project)
    task = board.tasks.get(int(id))
    if task is None or task.project != project:
        raise webob.exc.HTTPNotFound(
            f'There is no task {id} in project {project!r}.')
    return task


@route('GET', '/p/(?P<project>[^/]+)/')
def project_page(app, request, board, project):
    known_project(board, project)
    columns = []
    for state in sources.states:
        items = []
        for task in board.project_tasks(project):
            if task.state != state:
                continue
            note = ''
            if state != 'done' and board.is_blocked(task):
                note = ' <span class="blocked">(blocked)</span>'
            items.append(f'<li>{task_link(task)} '
                         f'&mdash; {esc(task.assignee)}{note}</li>')
        heading = esc(sources.STATE_TITLES[state])
        columns.append(f'<td valign="top"><h2>{heading}</h2>'
                       f'<ul>{"".join(items)}</ul></td>')
    body = (f'<table><tr>{"".join(columns)}</tr></table>'
            + graph(board, project) + new_task_form(board, project))
    return app.page(f'Project {project}', body)


def graph(board, project):
    """The project's dependency graph, drawn by the graph library.

    Blockers from other projects are drawn too: they hold the project up.
    """
    tasks = {t.id: t for t in board.project_tasks(project)}
    for task in list(tasks.values()):
        for blocker in board.blockers(task):
            tasks.setdefault(blocker.id, blocker)
    if not tasks:
        return ''
    zc.resourcelibrary.need(resources.GRAPH)
    nodes = [dict(id=t.id, title=t.title,
                  url=f'/p/{t.project}/{t.id}',
                  css='done' if t.state == 'done' else
                  'blocked' if board.is_blocked(t) else '')
             for t in sorted(tasks.values(), key=lambda t: t.id)]
    edges = [[b, t.id] for t in tasks.values() for b in t.blocked_by
             if b in tasks]
    data = json.dumps(dict(nodes=nodes, edges=edges))
    return (f'<h2>Dependencies</h2>'
            f'<div id="task-graph" data-graph="{esc(data)}"></div>')


def task_list(tasks, empty):
    if not tasks:
        return f'<p>{empty}</p>'
    items = ''.join(f'<li>{task_link(t)}</li>' for t in tasks)
    return f'<ul>{items}</ul>'


@route('GET', r'/p/(?P<project>[^/]+)/(?P<id>\d+)')
def task_page(app, request, board, project, id):
    task = project_task(board, project, id)
    base = f'/p/{esc(project)}/{task.id}'
    state_form = (
        f'<form method="post" action="{base}/state">'
        + select('state', 'State', sources.states, None)
        + '<input type="submit" value="Change state"></form>')
    blocker_form = ''
    if len(board.tasks) > 1:
        blocker_form = (
            f'<form method="post" action="{base}/blocker">'
            + select('blocker', 'Also waits for', sources.tasks, board)
            + '<input type="submit" value="Add dependency"></form>')
    body = f'''
<p>Assigned to {esc(task.assignee)};
state: {esc(sources.STATE_TITLES[task.state])}.</p>
<h2>Waiting for</h2>
{task_list(board.waiting_for(task), 'Nothing: it can start.')}
<h2>Everything it depends on</h2>
{task_list(board.blockers(task), 'Nothing.')}
<h2>Finishing it unblocks</h2>{task_list(board.unblocks(task), 'Nothing.')}
<h2>Everything that depends on it</h2>
{task_list(board.downstream(task), 'Nothing.')}
{state_form}{blocker_form}'''
    return app.page(f'#{task.id} {task.title}', body)


@route('POST', r'/p/(?P<project>[^/]+)/(?P<id>\d+)/state')
def change_state(app, request, board, project, id):
    task = project_task(board, project, id)
    board.set_state(task, chosen(request, 'state', lambda b: sources.states,
                                 board))
    return redirect(f'/p/{project}/{task.id}')


@route('POST', r'/p/(?P<project>[^/]+)/(?P<id>\d+)/blocker')
def add_blocker(app, request, board, project, id):
    task = project_task(board, project, id)
    raw = request.POST.get('blocker')
    if raw is None:
        raise ValueError("missing field 'blocker'")
    board.add_blocker(task, chosen_task(request, board, raw))
    return redirect(f'/p/{project}/{task.id}')


@route('POST', '/digest')
def digest(app, request, board):
    board.jobs.put(('digest', None))
    return redirect('/')


@route('GET', '/status')
def status(app, request, board):
    failed = ''.join(f'<li>{esc(f)}</li>' for f in board.failed_jobs)
    body = (f'<p>Jobs waiting: {len(board.jobs)}; '
            f'done: {board.jobs_done}; failed: {len(board.failed_jobs)}'
            f'</p><ul>{failed}</ul>')
    if app.status is not None:
        body += app.status()
    return app.page('Status', body)
