"""The task board's contracts: a board of tasks with dependencies."""
import zope.interface


class ITask(zope.interface.Interface):
    """One piece of work in one project."""

    id = zope.interface.Attribute('Unique integer, given by the board')
    title = zope.interface.Attribute('What is to be done')
    project = zope.interface.Attribute('The project it belongs to')
    assignee = zope.interface.Attribute('Who does it')
    state = zope.interface.Attribute("'todo', 'doing' or 'done'")
    blocked_by = zope.interface.Attribute(
        'Ids of the tasks that must be done first (a tuple)')


class IBoard(zope.interface.Interface):
    """All tasks, their dependency catalog and the job queue."""

    tasks = zope.interface.Attribute('BTree: task id -> task')
    projects = zope.interface.Attribute('The projects, a tuple of names')
    people = zope.interface.Attribute('Who can be assigned, a tuple')
    jobs = zope.interface.Attribute(
        'zc.queue queue of (kind, argument) jobs for the job runner')
    stats = zope.interface.Attribute(
        'BTree: project -> {state: count, "blocked": count}, written by jobs')
    digests = zope.interface.Attribute('The latest digests, newest first')
    jobs_done = zope.interface.Attribute('How many jobs ran')
    failed_jobs = zope.interface.Attribute(
        'The latest failed jobs and their errors, newest first')

    def add_task(title, project, assignee, blocked_by=()):
        """Create, index and return a task; queue its project's statistics.

        Raises ValueError naming the problem for an unknown project,
        person or blocker.
        """

    def add_blocker(task, blocker):
        """Make ``task`` wait for ``blocker``.

        Raises ValueError when that would make a task wait for itself,
        directly or through other tasks.
        """

    def set_state(task, state):
        """Change a task's state and queue its project's statistics."""

    def blockers(task):
        """Every task ``task`` waits for, directly or transitively."""

    def waiting_for(task):
        """The direct blockers of ``task`` that are not done yet."""

    def unblocks(task):
        """The tasks that can start once ``task`` is done."""

    def downstream(task):
        """Every task that waits for ``task``, directly or transitively."""
