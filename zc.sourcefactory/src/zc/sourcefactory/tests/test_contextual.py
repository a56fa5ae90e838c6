import unittest

from zc.sourcefactory import factories
from zc.sourcefactory import policies
from zc.sourcefactory.contextual import BasicContextualSourceFactory
from zc.sourcefactory.tests.test_basic import imported_after


class ContextualTests(unittest.TestCase):

    def test_contextual_factory_has_the_contextual_policies(self):
        self.assertEqual(
            BasicContextualSourceFactory.__bases__,
            (factories.ContextualSourceFactory,
             policies.BasicContextualSourcePolicy))

    def test_importing_contextual_imports_the_source_module(self):
        self.assertIn("'zc.sourcefactory.source'",
                      imported_after('zc.sourcefactory.contextual'))
