"""The board on RelStorage and PostgreSQL, and choosing the database."""
import unittest

import zc.testbrowser.browser
from zc.queue.testing import PostgreSQLLayer
from zc.testbrowser.wsgi import Browser

from taskboard.jobs import run_next_job
from taskboard.launcher import ensure_board
from taskboard.resources import with_resources
from taskboard.runner import drain
from taskboard.storage import open_db
from taskboard.tests.test_launcher import LauncherTestCase
from taskboard.web import Application


class OpenDBTests(unittest.TestCase):

    def test_a_spec_of_unknown_kind_is_refused_with_the_forms_it_takes(self):
        for spec in ('mysql:db', 'zeo:', 'postgresql:', 'Data.fs'):
            with self.assertRaisesRegex(
                    ValueError, f"invalid database '{spec}': expected"
                    " zeo:HOST:PORT or postgresql:DSN"):
                open_db(spec)


class RelStorageTests(unittest.TestCase):

    layer = PostgreSQLLayer

    def setUp(self):
        server = PostgreSQLLayer.server
        self.db = open_db(
            'postgresql:' + server.dsn(server.create_database()))
        self.addCleanup(self.db.close)
        ensure_board(self.db)

    def test_tasks_dependencies_and_jobs_work_on_postgresql(self):
        browser = Browser(wsgi_app=with_resources(Application(self.db)))
        browser.open('http://localhost/p/docs/')
        browser.getControl('Title').value = 'Outline'
        browser.getControl('Add task').click()
        browser.open('http://localhost/p/docs/')
        browser.getControl('Title').value = 'Chapter one'
        browser.getControl('Waits for').value = ['1']
        browser.getControl('Add task').click()
        self.assertIn('#1 Outline', browser.contents.split(
            '<h2>Everything it depends on</h2>')[1])

        connection = self.db.open()
        self.addCleanup(connection.close)
        outcome = []
        drain(connection.root()['taskboard']).addBoth(outcome.append)
        self.assertEqual(outcome, [None])
        browser.open('http://localhost/')
        self.assertIn('todo: 2, doing: 0, done: 0, blocked: 1',
                      browser.contents)
        with self.db.transaction() as conn:
            self.assertIsNone(run_next_job(conn.root()['taskboard']))


class RelStorageLauncherTests(LauncherTestCase):
    """``make run``'s launcher with the board in PostgreSQL: no ZEO."""

    layer = PostgreSQLLayer
    children = ('jobs', 'lb', 'worker2', 'worker1')

    def setUp(self):
        super().setUp()
        server = PostgreSQLLayer.server
        self.options = ('--postgresql', server.dsn(server.create_database()))

    def test_a_task_survives_a_restart_on_postgresql(self):
        launch = self.launch()
        self.assertNotIn('[zeo]', launch.output())
        browser = zc.testbrowser.browser.Browser(launch.url)
        browser.getControl('Title').value = 'Kept in PostgreSQL'
        browser.getControl('Add task').click()
        task_url = browser.url
        self.assert_stopped_cleanly(launch)

        # Again, as a second host would run it: without a job runner.
        self.options += ('--no-jobs',)
        self.children = ('lb', 'worker2', 'worker1')
        launch = self.launch()
        browser = zc.testbrowser.browser.Browser(task_url)
        self.assertIn('Kept in PostgreSQL', browser.title)
        self.assert_stopped_cleanly(launch)
        self.assertNotIn('[jobs]', launch.output())
