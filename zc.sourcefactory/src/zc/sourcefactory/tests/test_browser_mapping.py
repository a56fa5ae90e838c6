import zope.component
import zope.interface
import zope.proxy
import zope.schema.interfaces
from zope.browser.interfaces import ITerms

from zc.sourcefactory.browser.mapping import MappedTermProxy
from zc.sourcefactory.browser.mapping import MappedTerms
from zc.sourcefactory.browser.source import FactoredTerm
from zc.sourcefactory.mapping import ValueMappingSource
from zc.sourcefactory.tests._fixtures import ConfiguredTestCase
from zc.sourcefactory.tests._fixtures import values_factory


class MappedTermsTests(ConfiguredTestCase):

    def setUp(self):
        super().setUp()
        self.base = values_factory([1, 2, 3])()
        self.source = ValueMappingSource(self.base, lambda n: n * 10)
        self.terms = zope.component.getMultiAdapter(
            (self.source, self.request), ITerms)

    def test_mapping_sources_get_MappedTerms_over_the_base_terms(self):
        self.assertIsInstance(self.terms, MappedTerms)
        self.assertIs(self.terms.source, self.source)
        self.assertIs(self.terms.request, self.request)
        base_terms = zope.component.getMultiAdapter(
            (self.base, self.request), ITerms)
        self.assertIs(type(self.terms.base), type(base_terms))

    def test_terms_show_the_mapped_value_with_the_base_token(self):
        term = self.terms.getTerm(20)
        self.assertEqual((term.value, term.title, term.token),
                         (20, '2', '2'))

    def test_token_round_trip_gives_the_mapped_value(self):
        self.assertEqual(self.terms.getValue(self.terms.getTerm(30).token),
                         30)

    def test_unknown_mapped_value_is_a_KeyError(self):
        with self.assertRaises(KeyError):
            self.terms.getTerm(40)


class MappedTermProxyTests(ConfiguredTestCase):

    def test_proxy_has_its_own_value_and_the_base_terms_rest(self):
        base = FactoredTerm(1, 'One', 'one')
        term = MappedTermProxy('uno', base)
        self.assertEqual(term.value, 'uno')
        self.assertEqual((term.title, term.token), ('One', 'one'))
        self.assertEqual(base.value, 1)
        self.assertIs(zope.proxy.getProxiedObject(term), base)

    def test_proxy_provides_what_the_base_term_provides(self):
        class IMarked(zope.interface.Interface):
            pass

        base = FactoredTerm(1, 'One', 'one')
        zope.interface.alsoProvides(base, IMarked)
        term = MappedTermProxy('uno', base)
        self.assertTrue(IMarked.providedBy(term))
        self.assertTrue(
            zope.schema.interfaces.ITitledTokenizedTerm.providedBy(term))
