"""The load balancer's request class: the project of the URL."""
import unittest

from taskboard.routing import project_classifier


class ProjectClassifierTests(unittest.TestCase):

    def test_project_pages_are_classed_by_their_project(self):
        self.assertEqual(project_classifier({'PATH_INFO': '/p/docs/'}),
                         'docs')
        self.assertEqual(project_classifier({'PATH_INFO': '/p/docs/7/state'}),
                         'docs')

    def test_other_pages_share_the_empty_class(self):
        for path in ('/', '/status', '/tasks', '/p/docs', '/@@/x/y.js'):
            self.assertEqual(project_classifier({'PATH_INFO': path}), '')
