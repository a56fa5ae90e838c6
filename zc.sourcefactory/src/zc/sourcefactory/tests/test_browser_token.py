import hashlib
import os
import shutil
import tempfile
import unittest
import unittest.mock

import transaction
import ZODB
import ZODB.FileStorage
import ZODB.interfaces
import ZODB.utils
import zope.component
import zope.interface
import zope.security.checker
from persistent.mapping import PersistentMapping
from ZODB.utils import p64

from zc.sourcefactory.browser import token
from zc.sourcefactory.interfaces import IToken
from zc.sourcefactory.tests._fixtures import ConfiguredTestCase


class IExample(zope.interface.Interface):
    pass


class Folder:
    pass


def _records(db):
    storage = db.storage
    for transaction_record in storage.iterator():
        for record in transaction_record:
            yield record.oid, record.data


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
    """New objects get the oid the next commit would give them, if any."""

    def setUp(self):
        super().setUp()
        self.directory = tempfile.mkdtemp()
        self.db = ZODB.DB(ZODB.FileStorage.FileStorage(
            os.path.join(self.directory, 'Data.fs')))
        self.connection = self.db.open()
        self.parent = self.connection.root()['parent'] = PersistentMapping()
        transaction.commit()

    def tearDown(self):
        transaction.abort()
        self.connection.close()
        self.db.close()
        shutil.rmtree(self.directory)
        super().tearDown()

    def stored_oids(self):
        return {oid for oid, _ in _records(self.db)}

    def test_object_in_its_stored_container_gets_the_oid_it_is_stored_as(
            self):
        child = PersistentMapping()
        child.__parent__ = self.parent
        self.parent['child'] = child
        first = IToken(child)
        self.assertEqual(first, '0x02')
        self.assertEqual(IToken(child), first)
        transaction.commit()
        self.assertEqual(
            ZODB.utils.oid_repr(self.parent['child']._p_oid), first)

    def test_object_only_pointing_at_its_parent_is_not_added(self):
        child = PersistentMapping(name='stray')
        child.__parent__ = self.parent
        before = self.stored_oids()
        with self.assertRaises(ValueError) as caught:
            IToken(child)
        self.assertEqual(str(caught.exception),
                         "Can not determine OID for {'name': 'stray'}")
        self.assertIsNone(child._p_jar)
        self.assertIsNone(child._p_oid)
        self.connection.root()['touched'] = 1
        transaction.commit()
        self.assertIsNone(child._p_jar)
        self.assertEqual(len(self.stored_oids() - before), 0)

    def test_security_proxied_new_object_gets_its_oid_too(self):
        child = PersistentMapping(name='cellar')
        child.__parent__ = self.parent
        self.parent['cellar'] = child
        proxied = zope.security.checker.ProxyFactory(
            child, zope.security.checker.NamesChecker(['__parent__']))
        self.assertEqual(IToken(proxied), '0x02')
        del child.__parent__
        self.assertEqual(IToken(proxied), '0x02')

    def test_abort_takes_the_new_objects_oid_back(self):
        child = PersistentMapping()
        child.__parent__ = self.parent
        self.parent['child'] = child
        IToken(child)
        transaction.abort()
        self.assertIsNone(child._p_oid)

    def test_a_parent_connection_without_a_transaction_manager_is_not_used(
            self):
        added = []

        class Connection:
            def add(self, obj):
                added.append(obj)

        @zope.component.adapter(Folder)
        @zope.interface.implementer(ZODB.interfaces.IConnection)
        def connection_of(folder):
            return Connection()

        zope.component.provideAdapter(connection_of)
        child = PersistentMapping()
        child.__parent__ = Folder()
        with self.assertRaisesRegex(ValueError, 'Can not determine OID'):
            IToken(child)
        self.assertEqual(added, [])

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
