import hashlib
import unittest
import unittest.mock

import transaction
import ZODB
import zope.interface
import zope.security.checker
from persistent.mapping import PersistentMapping
from ZODB.utils import p64

from zc.sourcefactory.browser import token
from zc.sourcefactory.interfaces import IToken
from zc.sourcefactory.tests._fixtures import ConfiguredTestCase


class IExample(zope.interface.Interface):
    pass


class StringTokenTests(unittest.TestCase):

    def test_tokens_match_the_published_vectors(self):
        self.assertEqual(token.fromString('somestring'),
                         '1f129c42de5e4f043cbd88ff6360486f')
        self.assertEqual(token.fromString(b'somestring'),
                         '1f129c42de5e4f043cbd88ff6360486f')
        self.assertEqual(
            token.fromUnicode('somestring with umlauts \u00f6\u00e4\u00fc'),
            '45dadc304e0d6ae7f4864368bad74951')

    def test_md5_is_asked_for_as_not_for_security(self):
        calls = []
        real_md5 = hashlib.md5

        def md5(data, **kw):
            calls.append(kw)
            return real_md5(data, **kw)

        with unittest.mock.patch.object(token.hashlib, 'md5', md5):
            token.fromString(b'x')
            token.fromUnicode('x')
        self.assertEqual(calls, [{'usedforsecurity': False}] * 2)

    def test_tokens_are_32_lowercase_hex_digits(self):
        self.assertRegex(token.fromUnicode('\u2603'), r'^[0-9a-f]{32}$')


class SimpleTokenTests(unittest.TestCase):

    def test_integers_are_their_decimal_form(self):
        self.assertEqual(token.fromInteger(12), '12')
        self.assertEqual(token.fromInteger(True), 'True')

    def test_interfaces_are_their_dotted_name(self):
        self.assertEqual(token.fromInterface(IExample),
                         'zc.sourcefactory.tests.test_browser_token.IExample')


class OidRenderingTests(unittest.TestCase):

    def token_of_oid(self, oid):
        obj = PersistentMapping()
        obj._p_oid = oid
        return token.fromPersistent(obj)

    def test_eight_byte_oids_print_as_hex_without_leading_zeros(self):
        self.assertEqual(self.token_of_oid(p64(0)), '0x00')
        self.assertEqual(self.token_of_oid(p64(1)), '0x01')
        self.assertEqual(self.token_of_oid(p64(2)), '0x02')
        self.assertEqual(self.token_of_oid(p64(256)), '0x0100')

    def test_other_oids_print_as_their_repr(self):
        self.assertEqual(self.token_of_oid(1234), '1234')

    def test_a_class_attribute_oid_is_used(self):
        class Fixed:
            _p_oid = 12

        self.assertEqual(token.fromPersistent(Fixed()), '12')

    def test_an_existing_oid_never_looks_for_a_connection(self):
        obj = PersistentMapping()
        obj._p_oid = p64(5)
        obj.__parent__ = object()  # adapting it to IConnection would fail
        self.assertEqual(token.fromPersistent(obj), '0x05')

    def test_security_proxies_are_looked_behind(self):
        obj = PersistentMapping()
        obj._p_oid = p64(7)
        proxied = zope.security.checker.ProxyFactory(
            obj, zope.security.checker.NamesChecker(()))
        self.assertEqual(token.fromPersistent(proxied), '0x07')


class NewObjectTests(ConfiguredTestCase):
    """New objects get an oid from their stored parent's connection."""

    def setUp(self):
        super().setUp()
        self.db = ZODB.DB(None)
        self.connection = self.db.open()
        self.parent = self.connection.root()['parent'] = PersistentMapping()
        transaction.commit()

    def tearDown(self):
        transaction.abort()
        self.connection.close()
        self.db.close()
        super().tearDown()

    def test_new_object_is_added_to_its_parents_connection_once(self):
        child = PersistentMapping()
        child.__parent__ = self.parent
        first = IToken(child)
        self.assertIs(child._p_jar, self.connection)
        self.assertEqual(IToken(child), first)
        self.assertEqual(first, '0x02')

    def test_abort_takes_the_new_object_back(self):
        child = PersistentMapping()
        child.__parent__ = self.parent
        IToken(child)
        transaction.abort()
        self.assertIsNone(child._p_oid)

    def test_object_without_parent_is_a_ValueError_naming_it(self):
        with self.assertRaises(ValueError) as caught:
            IToken(PersistentMapping(name='lost'))
        self.assertEqual(str(caught.exception),
                         "Can not determine OID for {'name': 'lost'}")

    def test_parent_None_is_a_ValueError_not_a_TypeError(self):
        child = PersistentMapping()
        child.__parent__ = None
        with self.assertRaisesRegex(ValueError, 'Can not determine OID'):
            IToken(child)

    def test_parent_outside_any_database_changes_nothing(self):
        child = PersistentMapping()
        child.__parent__ = PersistentMapping()
        with self.assertRaisesRegex(ValueError, 'Can not determine OID'):
            IToken(child)
        self.assertIsNone(child._p_jar)
        self.assertIsNone(child._p_oid)
