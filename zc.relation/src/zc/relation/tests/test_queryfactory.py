"""TransposingTransitive."""
import unittest

import zope.interface
import zope.interface.verify

from zc.relation import interfaces
from zc.relation.catalog import Catalog
from zc.relation.catalog import any as any_of
from zc.relation.queryfactory import TransposingTransitive
from zc.relation.tests.support import dump
from zc.relation.tests.support import load


class TransposingTransitiveTests(unittest.TestCase):
    """Equality, registry and when a factory applies."""

    def test_factories_compare_by_names_and_static_values(self):
        a = TransposingTransitive('x', 'y', {'k': 1})
        self.assertEqual(a, TransposingTransitive('y', 'x', [('k', 1)]))
        self.assertNotEqual(a, TransposingTransitive('x', 'y'))
        self.assertEqual(a.static, (('k', 1),))
        catalog = Catalog(dump, load)
        catalog.addDefaultQueryFactory(a)
        with self.assertRaises(ValueError) as e:
            catalog.addDefaultQueryFactory(TransposingTransitive('y', 'x',
                                                                 {'k': 1}))
        self.assertEqual(e.exception.args, ('factory already registered',))
        for missing in (None, TransposingTransitive('x', 'z')):
            with self.assertRaises(LookupError) as e:
                catalog.removeDefaultQueryFactory(missing)
            self.assertEqual(e.exception.args, ('factory not found',
                                                missing))
        catalog.removeDefaultQueryFactory(TransposingTransitive('y', 'x',
                                                                {'k': 1}))
        self.assertEqual(list(catalog.iterDefaultQueryFactories()), [])

    def test_a_factory_applies_to_one_of_its_names_with_its_statics(self):
        f = TransposingTransitive('x', 'y', {'k': any_of(1, 2)})
        self.assertIsNone(f({'x': 1}, None))
        self.assertIsNone(f({'x': 1, 'y': 2, 'k': 1}, None))
        self.assertIsNotNone(f({'x': 1, 'k': 2}, None))
        self.assertIsNotNone(f({'x': 1, 'k': any_of(2)}, None))
        self.assertIsNone(f({'x': 1, 'k': any_of(2, 3)}, None))
        self.assertTrue(zope.interface.verify.verifyObject(
            interfaces.IQueryFactory, f))
