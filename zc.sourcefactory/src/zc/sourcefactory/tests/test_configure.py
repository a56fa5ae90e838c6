"""The ZCML files: what they load with and what they register."""
import pathlib
import unittest
import xml.etree.ElementTree

import zope.component
import zope.component.testing
import zope.interface
import zope.configuration.xmlconfig
import zope.security.checker
import zope.security.interfaces
import zope.security.management
from zope.browser.interfaces import ITerms
from zope.publisher.interfaces.browser import IBrowserRequest

import zc.sourcefactory
from zc.sourcefactory.browser.mapping import MappedTerms
from zc.sourcefactory.browser.source import FactoredContextualTerms
from zc.sourcefactory.browser.source import FactoredTerms
from zc.sourcefactory.interfaces import IToken
from zc.sourcefactory.mapping import ValueMappingSource
from zc.sourcefactory.source import FactoredContextualSource
from zc.sourcefactory.source import FactoredSource
from zc.sourcefactory.tests._fixtures import values_factory

PACKAGE = pathlib.Path(zc.sourcefactory.__file__).parent
ZOPE = '{http://namespaces.zope.org/zope}'


def load(zcml):
    return zope.configuration.xmlconfig.string(
        '<configure xmlns="http://namespaces.zope.org/zope"'
        ' i18n_domain="zc.sourcefactory">'
        '<include package="zope.component" file="meta.zcml" />'
        '<include package="zope.security" file="meta.zcml" />'
        f'{zcml}</configure>')


class ConfigureTests(unittest.TestCase):

    def setUp(self):
        zope.component.testing.setUp()

    def tearDown(self):
        zope.component.testing.tearDown()

    def test_loads_with_only_component_and_security_directives(self):
        load('<include package="zope.security" file="permissions.zcml" />'
             '<include package="zc.sourcefactory" />')
        adapters = zope.component.getGlobalSiteManager().adapters
        for source_class, terms_class in (
                (FactoredSource, FactoredTerms),
                (FactoredContextualSource, FactoredContextualTerms),
                (ValueMappingSource, MappedTerms)):
            self.assertIs(
                adapters.lookup(
                    (zope.interface.implementedBy(source_class),
                     IBrowserRequest), ITerms),
                terms_class)
        self.assertEqual(IToken(3), '3')

    def test_sources_are_guarded_by_zope_View(self):
        load('<include package="zope.security" file="permissions.zcml" />'
             '<include package="zc.sourcefactory" />')
        for cls, names in (
                (FactoredSource, ('__iter__', '__len__', '__contains__',
                                  'factory', 'getValueByToken', 'search')),
                (FactoredContextualSource, ('context', 'factory'))):
            checker = zope.security.checker.getCheckerForInstancesOf(cls)
            for name in names:
                self.assertEqual(checker.permission_id(name), 'zope.View',
                                 name)
            self.assertIsNone(checker.permission_id('refresh'))

    def test_zope2_configuration_uses_the_zope2_View_permission(self):
        load('<permission id="zope2.View" title="View" />'
             '<include package="zc.sourcefactory" file="configure-z2.zcml" />')
        checker = zope.security.checker.getCheckerForInstancesOf(
            FactoredSource)
        self.assertEqual(checker.permission_id('__iter__'), 'zope2.View')

    def test_browser_configuration_registers_only_adapters(self):
        tree = xml.etree.ElementTree.parse(
            PACKAGE / 'browser' / 'configure.zcml')
        factories = [element.get('factory') for element in tree.getroot()]
        self.assertEqual(
            {element.tag for element in tree.getroot()}, {ZOPE + 'adapter'})
        self.assertEqual(factories, [
            '.source.FactoredTerms', '.source.FactoredContextualTerms',
            '.mapping.MappedTerms', '.token.fromString',
            '.token.fromUnicode', '.token.fromInteger',
            '.token.fromPersistent', '.token.fromInterface'])

    def test_a_security_proxied_source_can_be_used_for_viewing(self):
        load('<include package="zope.security" file="permissions.zcml" />'
             '<include package="zc.sourcefactory" />')
        proxied = zope.security.checker.ProxyFactory(
            values_factory(['a', 'b'])())
        # An interaction without participants may do what zope.View allows.
        zope.security.management.newInteraction()
        try:
            self.assertEqual(list(proxied), ['a', 'b'])
            self.assertIn('a', proxied)
            self.assertEqual(len(proxied), 2)
            token = '0cc175b9c0f1b6a831c399e269772661'
            self.assertEqual(proxied.getValueByToken(token), 'a')
            with self.assertRaises(zope.security.interfaces.Forbidden):
                proxied.refresh
        finally:
            zope.security.management.endInteraction()
