"""The board's pages and forms, through zc.testbrowser's WSGI browser."""
import base64
import hashlib
import html
import json
import re
import unittest

import ZODB
import zc.testbrowser
from zc.testbrowser.wsgi import Browser

from taskboard.jobs import run_next_job
from taskboard.launcher import ensure_board
from taskboard.resources import with_resources
from taskboard.web import Application


class BrowserTestCase(unittest.TestCase):
    """A board in a memory database, a WSGI browser in front of it."""

    def setUp(self):
        self.db = ZODB.DB(None)
        ensure_board(self.db)
        self.browser = Browser(wsgi_app=with_resources(Application(self.db)))

    def tearDown(self):
        self.db.close()

    def add(self, title, project='website', assignee='ada', waits_for=()):
        browser = self.browser
        browser.open('http://localhost/')
        browser.getControl('Title').value = title
        browser.getControl('Project').value = [project]
        browser.getControl('Assignee').value = [assignee]
        if waits_for:
            browser.getControl('Waits for').value = [
                str(id) for id in waits_for]
        browser.getControl('Add task').click()
        return int(browser.url.rsplit('/', 1)[1])

    def run_jobs(self):
        with self.db.transaction() as connection:
            board = connection.root()['taskboard']
            # Running a job queues none, so the queue's length bounds it.
            for _ in range(len(board.jobs)):
                self.assertIsNotNone(run_next_job(board))
            self.assertEqual(len(board.jobs), 0)



class WebTests(BrowserTestCase):

    def test_a_new_task_shows_on_its_project_board(self):
        id = self.add('Write the landing page', assignee='ben')
        self.assertEqual(self.browser.url, f'http://localhost/p/website/{id}')
        self.assertIn('Nothing: it can start.', self.browser.contents)
        self.browser.open('http://localhost/p/website/')
        self.assertIn('Write the landing page</a> &mdash; ben',
                      self.browser.contents)

    def test_the_project_board_adds_tasks_to_its_own_project(self):
        self.browser.open('http://localhost/p/docs/')
        self.browser.getControl('Title').value = 'Tutorial'
        self.browser.getControl('Add task').click()
        self.assertRegex(self.browser.url, r'/p/docs/\d+$')

    def test_a_task_page_shows_what_blocks_it_transitively(self):
        design = self.add('Design')
        build = self.add('Build', waits_for=[design])
        ship = self.add('Ship', project='backend', waits_for=[build])
        contents = self.browser.contents
        waiting, rest = contents.split('<h2>Everything it depends on</h2>')
        self.assertIn(f'#{build} Build', waiting)
        self.assertNotIn(f'#{design} Design', waiting)
        everything = rest.split('<h2>')[0]
        self.assertIn(f'#{build} Build', everything)
        self.assertIn(f'#{design} Design', everything)
        self.browser.open(f'http://localhost/p/website/{design}')
        unblocks = self.browser.contents.split(
            '<h2>Finishing it unblocks</h2>')[1].split('<h2>')[0]
        self.assertIn(f'#{build} Build', unblocks)
        self.assertNotIn(f'#{ship} Ship', unblocks)
        downstream = self.browser.contents.split(
            '<h2>Everything that depends on it</h2>')[1]
        self.assertIn(f'#{ship} Ship', downstream)

    def test_finishing_a_task_unblocks_the_one_waiting_for_it(self):
        design = self.add('Design')
        build = self.add('Build', waits_for=[design])
        self.browser.open('http://localhost/p/website/')
        self.assertIn('Build</a> &mdash; ada <span class="blocked">',
                      self.browser.contents)
        self.browser.open(f'http://localhost/p/website/{design}')
        self.browser.getControl('State').value = ['done']
        self.browser.getControl('Change state').click()
        self.browser.open(f'http://localhost/p/website/{build}')
        self.assertIn('Nothing: it can start.', self.browser.contents)

    def test_a_dependency_loop_is_refused_with_a_message(self):
        first = self.add('First')
        second = self.add('Second', waits_for=[first])
        self.browser.open(f'http://localhost/p/website/{first}')
        self.browser.getControl('Also waits for').value = [str(second)]
        with self.assertRaises(zc.testbrowser.HTTPError):
            self.browser.getControl('Add dependency').click()
        self.assertIn(f'task {first} cannot wait for task {second}:'
                      f' task {second} already waits for task {first}',
                      self.browser.contents)

    def test_a_choice_not_in_its_source_is_refused(self):
        self.browser.raiseHttpErrors = False
        self.browser.post('http://localhost/tasks',
                          'title=Sneak&project=website&assignee=mallory')
        self.assertTrue(self.browser.headers['status'].startswith('400'))
        self.assertIn('&#x27;mallory&#x27; is not a valid assignee',
                      self.browser.contents)

    def test_a_missing_field_or_unknown_blocker_is_named(self):
        self.browser.raiseHttpErrors = False
        self.browser.post('http://localhost/tasks', 'title=Sneak')
        self.assertIn('missing field &#x27;project&#x27;',
                      self.browser.contents)
        self.browser.post('http://localhost/p/docs/tasks',
                          'title=Sneak&assignee=ada&blocked_by=x')
        self.assertIn('invalid task &#x27;x&#x27;', self.browser.contents)
        self.browser.post('http://localhost/p/docs/tasks',
                          'title=Sneak&assignee=ada&blocked_by=7')
        self.assertIn('no task &#x27;7&#x27;', self.browser.contents)
        self.assertTrue(self.browser.headers['status'].startswith('400'))

    def test_statistics_appear_once_the_queued_job_ran(self):
        self.add('Design')
        self.browser.open('http://localhost/')
        self.assertIn('not counted yet', self.browser.contents)
        self.assertIn('Jobs waiting: 1; done: 0', self.browser.contents)
        self.run_jobs()
        self.browser.open('http://localhost/')
        self.assertIn('todo: 1, doing: 0, done: 0, blocked: 0',
                      self.browser.contents)

    def test_a_digest_lists_open_tasks_by_person(self):
        self.add('Design', assignee='cleo')
        self.browser.open('http://localhost/')
        self.browser.getControl('Send digest').click()
        self.run_jobs()
        self.browser.open('http://localhost/')
        self.assertIn('cleo: 1 open (Design)', self.browser.contents)

    def test_an_unknown_project_or_task_is_not_found(self):
        self.browser.raiseHttpErrors = False
        self.browser.open('http://localhost/p/nowhere/')
        self.assertTrue(self.browser.headers['status'].startswith('404'))
        self.browser.open('http://localhost/p/website/99')
        self.assertTrue(self.browser.headers['status'].startswith('404'))


class GraphViewTests(BrowserTestCase):
    """The project page's graph: zc.resourcelibrary's tags, SRI and CSP."""

    def test_the_project_page_pulls_the_graph_script_with_sri_and_nonce(self):
        design = self.add('Design')
        self.add('Build', waits_for=[design])
        self.browser.open('http://localhost/p/website/')
        policy = self.browser.headers['Content-Security-Policy']
        nonce = re.search(r"'nonce-([^']+)'", policy).group(1)
        self.assertIn(f"script-src 'self' 'nonce-{nonce}'", policy)
        script = re.search(r'<script src="([^"]+)"[^>]*>',
                           self.browser.contents)
        self.assertRegex(script.group(0),
                         r'taskgraph\.js\?v=[\w-]+" defer'
                         r' integrity="sha384-[^"]+"'
                         f' crossorigin="anonymous" nonce="{nonce}"')
        self.assertIn('board.css?v=', self.browser.contents)
        self.assertNotIn('<style', self.browser.contents)
        integrity = re.search(r'integrity="sha384-([^"]+)"',
                              script.group(0)).group(1)
        self.browser.open(script.group(1))
        self.assertIn('function draw(container)', self.browser.contents)
        digest = base64.b64encode(hashlib.sha384(
            self.browser.contents.encode('utf-8')).digest()).decode()
        self.assertEqual(digest, integrity)

    def test_the_graph_data_holds_the_tasks_and_their_dependencies(self):
        design = self.add('Design')
        build = self.add('Build', waits_for=[design])
        other = self.add('Other project', project='docs')
        self.browser.open('http://localhost/p/website/')
        self.browser.getLink('Build')  # the page still lists the tasks
        data = re.search(r'data-graph="([^"]+)"', self.browser.contents)
        graph = json.loads(html.unescape(data.group(1)))
        self.assertEqual([n['id'] for n in graph['nodes']], [design, build])
        self.assertEqual(graph['edges'], [[design, build]])
        self.assertEqual(graph['nodes'][1]['css'], 'blocked')
        self.assertNotIn(other, [n['id'] for n in graph['nodes']])

    def test_pages_without_a_graph_do_not_pull_the_script(self):
        self.browser.open('http://localhost/p/docs/')
        self.assertNotIn('taskgraph.js', self.browser.contents)
        self.assertIn('board.css', self.browser.contents)
