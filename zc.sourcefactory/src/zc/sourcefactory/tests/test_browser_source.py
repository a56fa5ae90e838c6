import zope.component
import zope.interface.verify
import zope.publisher.browser
import zope.schema.interfaces
from zope.browser.interfaces import ITerms

from zc.sourcefactory.basic import BasicSourceFactory
from zc.sourcefactory.browser.source import FactoredContextualTerms
from zc.sourcefactory.browser.source import FactoredTerm
from zc.sourcefactory.browser.source import FactoredTerms
from zc.sourcefactory.contextual import BasicContextualSourceFactory
from zc.sourcefactory.tests._fixtures import ConfiguredTestCase
from zc.sourcefactory.tests._fixtures import values_factory


class Recording(BasicSourceFactory):
    calls = []

    def getValues(self):
        return ['x']

    def getTitle(self, value):
        self.calls.append('getTitle')
        return value

    def getToken(self, value):
        self.calls.append('getToken')
        return value


class Zips(BasicContextualSourceFactory):
    def getValues(self, context):
        return sorted(context)

    def getTitle(self, context, value):
        return context[value]

    def getToken(self, context, value):
        return f'token-{value}'

    def createTerm(self, context, source, value, title, token, request):
        term = super().createTerm(
            context, source, value, title, token, request)
        term.context = context
        return term


class FactoredTermTests(ConfiguredTestCase):

    def test_term_is_a_titled_tokenized_term(self):
        term = FactoredTerm('v', 'Title', 'tok')
        self.assertTrue(zope.interface.verify.verifyObject(
            zope.schema.interfaces.ITitledTokenizedTerm, term))
        self.assertEqual((term.value, term.title, term.token),
                         ('v', 'Title', 'tok'))


class FactoredTermsTests(ConfiguredTestCase):

    def terms(self, source):
        return zope.component.getMultiAdapter((source, self.request), ITerms)

    def test_basic_sources_get_FactoredTerms_from_the_zcml(self):
        terms = self.terms(values_factory([1])())
        self.assertIs(type(terms), FactoredTerms)

    def test_contextual_sources_get_FactoredContextualTerms(self):
        terms = self.terms(Zips()({}))
        self.assertIs(type(terms), FactoredContextualTerms)

    def test_getTerm_asks_for_the_title_then_the_token(self):
        Recording.calls = []
        term = self.terms(Recording()).getTerm('x')
        self.assertEqual(Recording.calls, ['getTitle', 'getToken'])
        self.assertEqual((term.title, term.token), ('x', 'x'))

    def test_getTerm_does_not_check_membership(self):
        term = self.terms(values_factory([1])()).getTerm(99)
        self.assertEqual((term.value, term.token), (99, '99'))

    def test_getValue_round_trips_the_token(self):
        terms = self.terms(values_factory(['a', 'b'])())
        self.assertEqual(terms.getValue(terms.getTerm('b').token), 'b')

    def test_contextual_terms_hand_the_context_to_the_factory(self):
        context = {'10115': 'Berlin'}
        terms = self.terms(Zips()(context))
        term = terms.getTerm('10115')
        self.assertEqual((term.title, term.token), ('Berlin', 'token-10115'))
        self.assertIs(term.context, context)
        self.assertEqual(terms.getValue('token-10115'), '10115')

    def test_contextual_unknown_token_is_a_KeyError_naming_it(self):
        with self.assertRaises(KeyError) as caught:
            self.terms(Zips()({})).getValue('token-1')
        self.assertEqual(caught.exception.args,
                         ("No value with token 'token-1'",))


class FormlibWidgetTests(ConfiguredTestCase):
    """zope.formlib's source widgets use these terms as they are."""

    def widget(self, form=None):
        from zope.formlib.source import SourceDropdownWidget

        class Country(dict):
            zip = None

        country = Country({'06112': 'Halle', '10115': 'Berlin'})
        field = zope.schema.Choice(
            __name__='zip', title='Zip', source=Zips()).bind(country)
        request = zope.publisher.browser.TestRequest(form=form or {})
        return SourceDropdownWidget(field, field.source, request)

    def test_contextual_terms_render_as_options(self):
        html = self.widget()()
        self.assertIn('<option value="token-06112">Halle</option>', html)
        self.assertIn('<option value="token-10115">Berlin</option>', html)

    def test_a_submitted_token_becomes_the_value(self):
        widget = self.widget({'field.zip': 'token-10115',
                              'field.zip-empty-marker': '1'})
        self.assertEqual(widget.getInputValue(), '10115')

    def test_an_unknown_submitted_token_is_a_conversion_error(self):
        import zope.formlib.interfaces
        widget = self.widget({'field.zip': 'token-99999',
                              'field.zip-empty-marker': '1'})
        with self.assertRaises(zope.formlib.interfaces.ConversionError):
            widget.getInputValue()
