"""The choices of the board's forms, as zc.sourcefactory sources.

Forms render their options from these sources and check what comes back
against them (``value in source``), so a forged or stale choice is refused
with the same rule that produced the options.
"""
from zc.sourcefactory.basic import BasicSourceFactory
from zc.sourcefactory.contextual import BasicContextualSourceFactory

from taskboard.model import STATES

STATE_TITLES = {'todo': 'To do', 'doing': 'In progress', 'done': 'Done'}


class States(BasicSourceFactory):

    def getValues(self):
        return STATES

    def getTitle(self, value):
        return STATE_TITLES[value]


class Projects(BasicContextualSourceFactory):
    """The board's projects (the board is the context)."""

    def getValues(self, board):
        return board.projects


class People(BasicContextualSourceFactory):
    """Who can be assigned on the board."""

    def getValues(self, board):
        return board.people


class Tasks(BasicContextualSourceFactory):
    """Task ids of the board, for choosing what a task waits for."""

    def getValues(self, board):
        return list(board.tasks.keys())

    def getTitle(self, board, value):
        task = board.tasks[value]
        return f'#{task.id} {task.title} ({task.project})'


states = States()
projects = Projects()
people = People()
tasks = Tasks()
