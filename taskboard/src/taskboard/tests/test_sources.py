"""The forms' sources: what they offer and what they accept."""
import unittest

from taskboard import sources
from taskboard.model import Board


class SourceTests(unittest.TestCase):

    def setUp(self):
        self.board = Board(projects=('moon',), people=('neil', 'buzz'))
        self.board.add_task('Land', 'moon', 'neil')

    def test_states_have_titles_for_people(self):
        self.assertEqual(list(sources.states), ['todo', 'doing', 'done'])
        self.assertEqual(sources.states.factory.getTitle('doing'),
                         'In progress')

    def test_projects_and_people_come_from_the_board(self):
        self.assertEqual(list(sources.projects(self.board)), ['moon'])
        self.assertIn('buzz', sources.people(self.board))
        self.assertNotIn('ada', sources.people(self.board))

    def test_tasks_are_offered_by_id_with_a_readable_title(self):
        source = sources.tasks(self.board)
        self.assertEqual(list(source), [1])
        self.assertEqual(source.factory.getTitle(self.board, 1),
                         '#1 Land (moon)')
        self.assertNotIn(2, source)

    def test_a_new_task_is_offered_at_once(self):
        source = sources.tasks(self.board)
        self.board.add_task('Walk', 'moon', 'buzz')
        self.assertIn(2, source)
