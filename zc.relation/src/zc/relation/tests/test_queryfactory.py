"""TransposingTransitive."""
import unittest

import zope.interface
import zope.interface.verify

from zc.relation import RELATION
from zc.relation import interfaces
from zc.relation.catalog import Catalog
from zc.relation.catalog import any as any_of
from zc.relation.queryfactory import TransposingTransitive
from zc.relation.tests.support import dump
from zc.relation.tests.support import load
from zc.relation.tests.support import make_tree


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


class CountingFactory:
    """A TransposingTransitive that counts the steps asked of it."""

    def __init__(self):
        self.inner = TransposingTransitive('parent', RELATION)
        self.steps = 0

    def __call__(self, query, catalog):
        getQueries = self.inner(query, catalog)
        if getQueries is None:
            return None

        def counting(relchain):
            if relchain:
                self.steps += 1
            return getQueries(relchain)
        return counting


@zope.interface.implementer(interfaces.ITransposingQueryFactory)
class TellingFactory(CountingFactory):
    """The same, telling the catalog its orientation."""

    def orientation(self, query):
        return self.inner.orientation(query)


class OrientationTests(unittest.TestCase):
    """Factories that tell their orientation get the level-by-level
    closure; others are asked for every step of every chain."""

    def test_transposing_transitive_tells_its_orientation(self):
        factory = TransposingTransitive('parent', RELATION)
        self.assertTrue(
            interfaces.ITransposingQueryFactory.providedBy(factory))
        self.assertEqual(factory.orientation({'parent': 1}),
                         ('parent', RELATION))
        self.assertEqual(factory.orientation({RELATION: 1}),
                         (RELATION, 'parent'))
        self.assertIsNone(factory.orientation({'parent': 1, RELATION: 2}))
        self.assertIsNone(factory.orientation({'tags': 1}))

    def test_a_factory_telling_its_orientation_is_not_asked_for_steps(self):
        catalog = make_tree()
        telling = TellingFactory()
        self.assertEqual(
            list(catalog.findRelationTokens({'parent': 0},
                                            queryFactory=telling)),
            [1, 2, 3, 4, 5])
        self.assertEqual(telling.steps, 0)
        counting = CountingFactory()
        self.assertEqual(
            list(catalog.findRelationTokens({'parent': 0},
                                            queryFactory=counting)),
            [1, 2, 3, 4, 5])
        self.assertEqual(counting.steps, 5)
