import unittest

import zope.component
import zope.component.testing
import zope.interface
from zope.schema.interfaces import ISourceQueriables

from zc.sourcefactory.adapters import getSourceQueriables
from zc.sourcefactory.source import FactoredSource
from zc.sourcefactory.tests._fixtures import values_factory

Mine = values_factory([1])
Other = values_factory([2])


@zope.component.adapter(FactoredSource, Mine)
@zope.interface.implementer(ISourceQueriables)
class MyQueriables:
    def __init__(self, source, factory):
        self.source, self.factory = source, factory


class GetSourceQueriablesTests(unittest.TestCase):

    def setUp(self):
        zope.component.testing.setUp()
        zope.component.provideAdapter(getSourceQueriables)

    def tearDown(self):
        zope.component.testing.tearDown()

    def test_queriables_are_looked_up_per_factory_class(self):
        zope.component.provideAdapter(MyQueriables)
        source = Mine()
        queriables = ISourceQueriables(source)
        self.assertIsInstance(queriables, MyQueriables)
        self.assertIs(queriables.source, source)
        self.assertIs(queriables.factory, source.factory)

    def test_other_factories_have_no_queriables(self):
        zope.component.provideAdapter(MyQueriables)
        with self.assertRaisesRegex(TypeError, 'Could not adapt'):
            ISourceQueriables(Other())

    def test_adapter_function_returns_None_without_registration(self):
        self.assertIsNone(getSourceQueriables(Mine()))

    def test_unregistering_the_queriables_works(self):
        zope.component.provideAdapter(MyQueriables)
        gsm = zope.component.getGlobalSiteManager()
        self.assertTrue(gsm.unregisterAdapter(MyQueriables))
        with self.assertRaises(TypeError):
            ISourceQueriables(Mine())
