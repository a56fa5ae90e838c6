import unittest

import transaction
import ZODB
import zope.component
import zope.component.testing
import zope.interface
import zope.intid
from zope.dublincore.interfaces import IDCDescriptiveProperties
from persistent.mapping import PersistentMapping
from zope.intid.interfaces import IIntIds
from zope.intid.interfaces import ObjectMissingError

from zc.sourcefactory import factories
from zc.sourcefactory import interfaces
from zc.sourcefactory import policies
from zc.sourcefactory.browser.source import FactoredTerm
from zc.sourcefactory.source import FactoredContextualSource
from zc.sourcefactory.tests._fixtures import ConfiguredTestCase


class Described:
    def __init__(self, title):
        self.title = title


@zope.component.adapter(Described)
@zope.interface.implementer(IDCDescriptiveProperties)
class DescribedDC:
    def __init__(self, context):
        self.title = context.title
        self.description = ''


class FalsyDC(DescribedDC):
    def __bool__(self):
        return False


class TitleRuleTests(unittest.TestCase):

    def setUp(self):
        zope.component.testing.setUp()

    def tearDown(self):
        zope.component.testing.tearDown()

    def test_title_comes_from_a_dublin_core_adapter(self):
        zope.component.provideAdapter(DescribedDC)
        title = policies.BasicTermPolicy().getTitle(Described('Minutes'))
        self.assertEqual(title, 'Minutes')

    def test_a_falsy_dublin_core_adapter_is_ignored(self):
        zope.component.provideAdapter(FalsyDC)
        value = Described('Minutes')
        self.assertEqual(policies.BasicTermPolicy().getTitle(value),
                         str(value))

    def test_bytes_are_decoded_as_utf8(self):
        self.assertEqual(
            policies.BasicTermPolicy().getTitle('Ó'.encode()), 'Ó')

    def test_anything_else_is_str_of_it(self):
        self.assertEqual(policies.BasicTermPolicy().getTitle(12), '12')

    def test_contextual_title_ignores_the_context(self):
        policy = policies.BasicContextualTermPolicy()
        self.assertEqual(policy.getTitle(object(), b'a'), 'a')

    def test_createTerm_makes_a_FactoredTerm(self):
        term = policies.BasicTermPolicy().createTerm(
            None, 'v', 'Title', 'tok', None)
        self.assertIsInstance(term, FactoredTerm)
        self.assertEqual((term.value, term.title, term.token),
                         ('v', 'Title', 'tok'))
        term = policies.BasicContextualTermPolicy().createTerm(
            'ctx', None, 'v', 'Title', 'tok', None)
        self.assertEqual((term.value, term.title, term.token),
                         ('v', 'Title', 'tok'))

    def test_matchesQuery_wants_every_word_ignoring_case(self):
        policy = policies.BasicTermPolicy()
        self.assertTrue(policy.matchesQuery('New York', 'york NEW'))
        self.assertFalse(policy.matchesQuery('New York', 'new jersey'))
        self.assertTrue(
            policies.BasicContextualTermPolicy().matchesQuery(
                None, b'Boston', 'bos'))


class TokenPolicyTests(ConfiguredTestCase):

    def test_getToken_adapts_to_IToken(self):
        self.assertEqual(policies.BasicTokenPolicy().getToken(7), '7')
        self.assertEqual(
            policies.BasicContextualTokenPolicy().getToken(None, 7), '7')

    def test_a_value_without_token_adapter_is_a_TypeError(self):
        with self.assertRaisesRegex(TypeError, 'Could not adapt'):
            policies.BasicTokenPolicy().getToken(1.5)


class Zips(policies.BasicContextualSourcePolicy):
    """A contextual factory whose tokens depend on the context."""

    def getValues(self, context):
        return ['06112', '10115']

    def getToken(self, context, value):
        return f'{context}-{value}'


class PlainSource:
    """A custom source class without ``getValueByToken``."""

    def __init__(self, factory, context=None):
        self.factory = factory
        self.context = context

    def __iter__(self):
        if self.context is None:
            return iter(self.factory.getValues())
        return iter(self.factory.getValues(self.context))


class TokenToValueTests(ConfiguredTestCase):

    def test_contextual_tokens_are_computed_for_the_context_given(self):
        factory = Zips()
        source = FactoredContextualSource(factory, 'de')
        self.assertEqual(factory.getValue('de', source, 'de-10115'), '10115')
        self.assertEqual(factory.getValue('at', source, 'at-10115'), '10115')
        with self.assertRaisesRegex(KeyError,
                                    "No value with token 'de-10115'"):
            factory.getValue('at', source, 'de-10115')

    def test_a_source_class_without_getValueByToken_is_scanned(self):
        factory = policies.BasicSourcePolicy()
        factory.getValues = lambda: [1, 2, 3]
        source = PlainSource(factory)
        self.assertEqual(factory.getValue(source, '2'), 2)
        with self.assertRaises(KeyError) as caught:
            factory.getValue(source, '4')
        self.assertEqual(caught.exception.args, ("No value with token '4'",))

    def test_a_contextual_source_without_getValueByToken_is_scanned(self):
        factory = Zips()
        source = PlainSource(factory, 'de')
        self.assertEqual(factory.getValue('de', source, 'de-06112'), '06112')
        with self.assertRaisesRegex(KeyError, "No value with token 'x'"):
            factory.getValue('de', source, 'x')


class IntIdTokenPolicyTests(ConfiguredTestCase):
    """With a real IntIds utility over objects in a (memory) ZODB."""

    def setUp(self):
        super().setUp()
        self.db = ZODB.DB(None)
        self.connection = self.db.open()
        root = self.connection.root()
        root['inside'] = self.inside = PersistentMapping(name='in')
        root['outside'] = self.outside = PersistentMapping(name='out')
        transaction.commit()
        self.intids = zope.intid.IntIds()
        zope.component.provideUtility(self.intids, IIntIds)
        self.inside_id = self.intids.register(self.inside)
        self.outside_id = self.intids.register(self.outside)
        inside = self.inside

        class Things(factories.BasicSourceFactory,
                     policies.IntIdSourcePolicy):
            def getValues(self):
                return [inside]

        self.source = Things()

    def tearDown(self):
        transaction.abort()
        self.connection.close()
        self.db.close()
        super().tearDown()

    def test_token_is_the_intid(self):
        self.assertEqual(self.source.factory.getToken(self.inside),
                         str(self.inside_id))

    def test_getValue_checks_the_source_it_is_given(self):
        factory = self.source.factory
        self.assertIs(factory.getValue(self.source, str(self.inside_id)),
                      self.inside)

    def test_value_outside_the_source_is_a_LookupError_naming_the_token(
            self):
        with self.assertRaises(LookupError) as caught:
            self.source.factory.getValue(self.source, str(self.outside_id))
        self.assertEqual(str(caught.exception),
                         f"no value matching token: '{self.outside_id}'")

    def test_unregistered_and_malformed_tokens_are_LookupErrors(self):
        for token in ('1', 'x', None):
            with self.assertRaisesRegex(
                    LookupError, f'no value matching token: {token!r}'):
                self.source.factory.getValue(self.source, token)

    def test_unregistered_intid_is_zope_intids_ObjectMissingError(self):
        unused = max(self.inside_id, self.outside_id) + 1
        with self.assertRaises(ObjectMissingError) as caught:
            self.source.factory.getValue(self.source, str(unused))
        self.assertIsInstance(caught.exception, KeyError)
        self.assertEqual(caught.exception.args,
                         (f"no value matching token: '{unused}'",))

    def test_intid_too_large_for_the_btree_is_ObjectMissingError(self):
        with self.assertRaisesRegex(ObjectMissingError, '9' * 30):
            self.source.factory.getValue(self.source, '9' * 30)

    def test_malformed_token_is_InvalidTokenError_also_a_ValueError(self):
        for token in ('x', '', '1.5', None):
            with self.assertRaises(interfaces.InvalidTokenError) as caught:
                self.source.factory.getValue(self.source, token)
            self.assertIsInstance(caught.exception, ValueError)
            self.assertEqual(str(caught.exception),
                             f'no value matching token: {token!r}')

    def test_intids_utility_is_looked_up_on_every_access(self):
        factory = self.source.factory
        other = zope.intid.IntIds()
        zope.component.provideUtility(other, IIntIds)
        self.assertIs(factory.intids, other)
        with self.assertRaises(KeyError):
            factory.getToken(self.inside)


class DeclarationTests(unittest.TestCase):

    def test_source_policies_combine_in_this_order(self):
        self.assertEqual(
            policies.BasicSourcePolicy.__bases__,
            (policies.BasicValuePolicy, policies.BasicTokenPolicy,
             policies.BasicTermPolicy))
        self.assertEqual(
            policies.BasicContextualSourcePolicy.__bases__,
            (policies.BasicContextualValuePolicy,
             policies.BasicContextualTokenPolicy,
             policies.BasicContextualTermPolicy))
        self.assertEqual(
            policies.IntIdSourcePolicy.__bases__,
            (policies.BasicValuePolicy, policies.IntIdTokenPolicy,
             policies.BasicTermPolicy))

    def test_contextual_term_policy_declares_the_plain_interface(self):
        declared = list(zope.interface.implementedBy(
            policies.BasicContextualTermPolicy))
        self.assertEqual(declared, [interfaces.ITermPolicy])

    def test_contextual_source_policy_extends_the_plain_token_policy(self):
        self.assertTrue(interfaces.IContextualSourcePolicy.extends(
            interfaces.ITokenPolicy))

    def test_value_policies_hide_nothing(self):
        self.assertIs(policies.BasicValuePolicy().filterValue(None), True)
        self.assertIs(
            policies.BasicContextualValuePolicy().filterValue(None, None),
            True)
