"""The job runner's drain, through zc.twist, on a real FileStorage."""
import os
import tempfile
import unittest

import ZODB
import ZODB.FileStorage

from taskboard.jobs import run_next_job
from taskboard.launcher import ensure_board
from taskboard.runner import drain


class DrainTests(unittest.TestCase):

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.db = ZODB.DB(ZODB.FileStorage.FileStorage(
            os.path.join(self.tmp.name, 'Data.fs')))
        ensure_board(self.db)
        with self.db.transaction() as connection:
            board = connection.root()['taskboard']
            board.add_task('Design', 'website', 'ada')
            board.add_task('Docs', 'docs', 'ben')
            board.jobs.put(('digest', None))
        self.connection = self.db.open()
        self.board = self.connection.root()['taskboard']

    def tearDown(self):
        self.connection.close()
        self.db.close()
        self.tmp.cleanup()

    def committed_board(self):
        self.connection.sync()
        return self.board

    def test_drain_runs_every_job_each_in_a_committed_transaction(self):
        outcome = []
        drain(self.board).addBoth(outcome.append)
        self.assertEqual(outcome, [None])  # fired: nothing left to do
        board = self.committed_board()
        self.assertEqual(len(board.jobs), 0)
        self.assertEqual(board.jobs_done, 3)
        self.assertEqual(board.stats['docs']['todo'], 1)
        self.assertIn('ben: 1 open (Docs)', board.digests[0])

    def test_a_failing_job_is_noted_and_dropped_and_the_rest_run(self):
        with self.db.transaction() as connection:
            board = connection.root()['taskboard']
            board.people = None  # the digest job fails on this
            board.jobs.put(('stats', 'docs'))
        outcome = []
        with self.assertLogs('taskboard.jobs', 'ERROR'):
            drain(self.board).addBoth(outcome.append)
        self.assertEqual(outcome, [None])
        board = self.committed_board()
        self.assertEqual(board.jobs_done, 3)
        self.assertEqual(len(board.jobs), 0)
        self.assertEqual(len(board.failed_jobs), 1)
        self.assertIn("digest None: 'NoneType' object is not iterable",
                      board.failed_jobs[0])
        self.assertEqual(board.digests, ())

    def test_an_unknown_kind_of_job_is_dropped_with_its_name(self):
        with self.db.transaction() as connection:
            board = connection.root()['taskboard']
            for _ in range(len(board.jobs)):
                board.jobs.pull()
            board.jobs.put(('teleport', 'x'))
            with self.assertLogs('taskboard.jobs', 'ERROR'):
                self.assertEqual(run_next_job(board), ('teleport', 'x'))
            self.assertEqual(len(board.jobs), 0)
            self.assertEqual(board.jobs_done, 0)
            self.assertEqual(board.failed_jobs,
                             ("teleport 'x': unknown kind of job 'teleport'",))
