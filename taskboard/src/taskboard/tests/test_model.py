"""The board: tasks, dependencies through zc.relation, refusals."""
import os
import tempfile
import unittest

import ZODB
import ZODB.FileStorage

from taskboard.model import Board


class BoardTests(unittest.TestCase):

    def setUp(self):
        self.board = Board()
        add = self.board.add_task
        self.design = add('Design', 'website', 'ada')
        self.build = add('Build', 'website', 'ben', [self.design.id])
        self.docs = add('Docs', 'docs', 'cleo', [self.design.id])
        self.ship = add('Ship', 'backend', 'cleo',
                        [self.build.id, self.docs.id])

    def test_blockers_are_found_transitively(self):
        self.assertEqual(sorted(t.title for t in
                                self.board.blockers(self.ship)),
                         ['Build', 'Design', 'Docs'])

    def test_downstream_holds_everything_that_waits(self):
        self.assertEqual(sorted(t.title for t in
                                self.board.downstream(self.design)),
                         ['Build', 'Docs', 'Ship'])

    def test_finishing_unblocks_only_tasks_with_no_other_open_blocker(self):
        self.assertEqual(self.board.unblocks(self.build), [])
        self.board.set_state(self.docs, 'done')
        self.assertEqual(self.board.unblocks(self.build), [self.ship])

    def test_done_tasks_are_not_unblocked_again(self):
        self.board.set_state(self.build, 'done')
        self.assertEqual(self.board.unblocks(self.design), [self.docs])

    def test_a_task_cannot_wait_for_itself(self):
        with self.assertRaisesRegex(ValueError, 'cannot wait for itself'):
            self.board.add_blocker(self.design, self.design)

    def test_a_loop_through_other_tasks_is_refused(self):
        with self.assertRaisesRegex(
                ValueError, 'task 1 cannot wait for task 4: task 4 already'
                ' waits for task 1'):
            self.board.add_blocker(self.design, self.ship)
        self.assertEqual(self.design.blocked_by, ())

    def test_adding_a_dependency_twice_keeps_one(self):
        self.board.add_blocker(self.ship, self.design)
        self.board.add_blocker(self.ship, self.design)
        self.assertEqual(self.ship.blocked_by, (1, 2, 3))
        self.assertEqual(self.board.downstream(self.design).count(self.ship),
                         1)

    def test_unknown_project_person_blocker_or_state_is_named(self):
        add = self.board.add_task
        with self.assertRaisesRegex(ValueError, "unknown project 'moon'"):
            add('x', 'moon', 'ada')
        with self.assertRaisesRegex(ValueError, "unknown person 'zed'"):
            add('x', 'docs', 'zed')
        with self.assertRaisesRegex(ValueError, "no task 99"):
            add('x', 'docs', 'ada', [99])
        with self.assertRaisesRegex(ValueError, 'a task needs a title'):
            add('  ', 'docs', 'ada')
        with self.assertRaisesRegex(ValueError, "unknown state 'later'"):
            self.board.set_state(self.docs, 'later')

    def test_every_change_queues_its_projects_statistics(self):
        jobs = [self.board.jobs.pull() for _ in range(len(self.board.jobs))]
        self.assertEqual(jobs, [('stats', 'website'), ('stats', 'website'),
                                ('stats', 'docs'), ('stats', 'backend')])

    def test_the_board_and_its_catalog_live_in_a_filestorage(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, 'Data.fs')
            db = ZODB.DB(ZODB.FileStorage.FileStorage(path))
            with db.transaction() as connection:
                connection.root()['taskboard'] = self.board
            db.close()
            db = ZODB.DB(ZODB.FileStorage.FileStorage(path))
            try:
                with db.transaction() as connection:
                    board = connection.root()['taskboard']
                    ship = board.tasks[self.ship.id]
                    self.assertEqual(
                        sorted(t.title for t in board.blockers(ship)),
                        ['Build', 'Design', 'Docs'])
            finally:
                db.close()
