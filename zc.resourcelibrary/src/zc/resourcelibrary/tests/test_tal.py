"""The ``resource_library:`` TALES expression."""
import io
import unittest

import zope.security.management
from zope.tales.engine import Engine

from zc.resourcelibrary.publication import Request
from zc.resourcelibrary.tal import ResourceLibraryExpression


class ExpressionTests(unittest.TestCase):

    def setUp(self):
        self.request = Request(io.BytesIO(b''), {})
        zope.security.management.newInteraction(self.request)

    def tearDown(self):
        zope.security.management.endInteraction()

    def test_evaluating_needs_the_library_and_gives_an_empty_string(self):
        expression = ResourceLibraryExpression(
            'resource_library', 'my-lib', Engine)
        self.assertEqual(expression(Engine.getContext()), '')
        self.assertEqual(self.request.resource_libraries, ['my-lib'])

    def test_surrounding_whitespace_is_not_part_of_the_name(self):
        expression = ResourceLibraryExpression(
            'resource_library', '  my-lib ', Engine)
        expression(Engine.getContext())
        self.assertEqual(self.request.resource_libraries, ['my-lib'])
