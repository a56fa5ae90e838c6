"""Tasks, the board that holds them, and their dependency catalog.

Dependencies are indexed with zc.relation: every task is a relation whose
``blockers`` value index holds the ids of the tasks it waits for.  One
transposing transitive query factory answers both directions -- from a task
up to everything it waits for, and from a task down to everything waiting
for it -- so the board never walks the graph by hand.
"""
import persistent
import zope.interface
from BTrees.IOBTree import IOBTree
from BTrees.OOBTree import OOBTree

import zc.queue
import zc.relation
from zc.relation.catalog import Catalog
from zc.relation.queryfactory import TransposingTransitive

from taskboard.interfaces import IBoard
from taskboard.interfaces import ITask

STATES = ('todo', 'doing', 'done')
PROJECTS = ('website', 'backend', 'docs')
PEOPLE = ('ada', 'ben', 'cleo')
DIGESTS_KEPT = 10


@zope.interface.implementer(ITask)
class Task(persistent.Persistent):

    def __init__(self, id, title, project, assignee):
        self.id = id
        self.title = title
        self.project = project
        self.assignee = assignee
        self.state = 'todo'
        self.blocked_by = ()

    def __repr__(self):
        return f'<Task {self.id} {self.title!r}>'


# The catalog's token functions are module globals so that the catalog
# (which stores them) pickles.  Tokens are task ids.
def dump_task(task, catalog, cache):
    return task.id


def load_task(token, catalog, cache):
    return catalog.board.tasks[token]


def task_blockers(task, catalog):
    return task.blocked_by


_walk = TransposingTransitive(zc.relation.RELATION, 'blockers')


@zope.interface.implementer(IBoard)
class Board(persistent.Persistent):

    def __init__(self, projects=PROJECTS, people=PEOPLE):
        self.projects = tuple(projects)
        self.people = tuple(people)
        self.tasks = IOBTree()
        self.next_id = 1
        self.catalog = Catalog(dump_task, load_task)
        self.catalog.board = self
        self.catalog.addValueIndex(task_blockers, multiple=True,
                                   name='blockers')
        self.jobs = zc.queue.CompositeQueue()
        self.stats = OOBTree()
        self.digests = ()
        self.jobs_done = 0
        self.failed_jobs = ()

    # Changes

    def add_task(self, title, project, assignee, blocked_by=()):
        title = title.strip()
        if not title:
            raise ValueError('a task needs a title')
        if project not in self.projects:
            raise ValueError(f'unknown project {project!r}')
        if assignee not in self.people:
            raise ValueError(f'unknown person {assignee!r}')
        blockers = [self.get(id) for id in blocked_by]
        task = Task(self.next_id, title, project, assignee)
        self.next_id += 1
        task.blocked_by = tuple(sorted({b.id for b in blockers}))
        self.tasks[task.id] = task
        self.catalog.index(task)
        self.jobs.put(('stats', project))
        return task

    def get(self, id):
        try:
            return self.tasks[int(id)]
        except (KeyError, ValueError, TypeError):
            raise ValueError(f'no task {id!r}') from None

    def add_blocker(self, task, blocker):
        if blocker.id == task.id:
            raise ValueError(f'task {task.id} cannot wait for itself')
        if task.id in set(self._blocker_ids(blocker)):
            raise ValueError(
                f'task {task.id} cannot wait for task {blocker.id}:'
                f' task {blocker.id} already waits for task {task.id}')
        if blocker.id in task.blocked_by:
            return
        task.blocked_by = tuple(sorted(task.blocked_by + (blocker.id,)))
        self.catalog.index(task)

    def set_state(self, task, state):
        if state not in STATES:
            raise ValueError(f'unknown state {state!r}')
        task.state = state
        self.jobs.put(('stats', task.project))

    # Questions

    def _blocker_ids(self, task):
        return self.catalog.findValueTokens(
            'blockers', {zc.relation.RELATION: task.id}, queryFactory=_walk)

    def blockers(self, task):
        return [self.tasks[id] for id in self._blocker_ids(task)]

    def waiting_for(self, task):
        return [self.tasks[id] for id in task.blocked_by
                if self.tasks[id].state != 'done']

    def is_blocked(self, task):
        return bool(self.waiting_for(task))

    def _dependent_ids(self, task, **kw):
        return self.catalog.findRelationTokens({'blockers': task.id}, **kw)

    def unblocks(self, task):
        found = []
        for id in self._dependent_ids(task, maxDepth=1):
            dependent = self.tasks[id]
            if dependent.state == 'done':
                continue
            rest = [b for b in self.waiting_for(dependent) if b.id != task.id]
            if not rest:
                found.append(dependent)
        return found

    def downstream(self, task):
        return [self.tasks[id]
                for id in self._dependent_ids(task, queryFactory=_walk)]

    def project_tasks(self, project):
        return [t for t in self.tasks.values() if t.project == project]
