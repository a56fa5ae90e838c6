import ast
import inspect
import unittest

import zope.component
import zope.component.testing
import zope.interface.interfaces
import zope.schema.interfaces

import zc.sourcefactory.named
from zc.sourcefactory.basic import BasicSourceFactory
from zc.sourcefactory.contextual import BasicContextualSourceFactory
from zc.sourcefactory.interfaces import INamedSource
from zc.sourcefactory.named import NamedSource
from zc.sourcefactory.source import FactoredContextualSource
from zc.sourcefactory.source import FactoredSource


class Colors(BasicSourceFactory):
    def getValues(self):
        return ['red', 'green']


class Own(BasicContextualSourceFactory):
    def getValues(self, context):
        return context


class NamedSourceTests(unittest.TestCase):

    def setUp(self):
        zope.component.testing.setUp()

    def tearDown(self):
        zope.component.testing.tearDown()

    def test_named_source_is_a_context_source_binder(self):
        named = NamedSource('colors')
        self.assertEqual(named.name, 'colors')
        self.assertTrue(
            zope.schema.interfaces.IContextSourceBinder.providedBy(named))

    def test_binds_a_basic_factory_registered_under_the_name(self):
        zope.component.provideUtility(Colors, INamedSource, name='colors')
        source = NamedSource('colors')(object())
        self.assertIsInstance(source, FactoredSource)
        self.assertEqual(list(source), ['red', 'green'])

    def test_binds_a_contextual_factory_to_the_context(self):
        zope.component.provideUtility(Own, INamedSource, name='own')
        source = NamedSource('own')([1, 2])
        self.assertIsInstance(source, FactoredContextualSource)
        self.assertEqual(list(source), [1, 2])

    def test_a_registered_source_is_used_as_it_is(self):
        colors = Colors()
        zope.component.provideUtility(colors, INamedSource, name='colors')
        self.assertIs(NamedSource('colors')(object()), colors)

    def test_a_registered_binder_is_bound_to_the_context(self):
        zope.component.provideUtility(Own(), INamedSource, name='own')
        source = NamedSource('own')([3])
        self.assertIsInstance(source, FactoredContextualSource)
        self.assertEqual(list(source), [3])

    def test_missing_name_is_a_ComponentLookupError(self):
        with self.assertRaises(
                zope.interface.interfaces.ComponentLookupError) as caught:
            NamedSource('nothing')(None)
        self.assertIn('nothing', str(caught.exception))

    def test_named_module_imports_zope_component_itself(self):
        # The original used zope.component without importing it, and
        # worked only when another module had imported it first.
        tree = ast.parse(inspect.getsource(zc.sourcefactory.named))
        imported = {alias.name for node in ast.walk(tree)
                    if isinstance(node, ast.Import) for alias in node.names}
        self.assertIn('zope.component', imported)
