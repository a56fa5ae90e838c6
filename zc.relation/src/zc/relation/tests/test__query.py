"""What queries are made of."""
import pickle
import unittest

from zc.relation.catalog import Any
from zc.relation.catalog import any as any_of


class AnyTests(unittest.TestCase):
    """Any: a query value matching one of several tokens."""

    def test_Any_is_a_hashable_set_of_tokens_with_a_stable_repr(self):
        value = any_of('foo', 'bar', 'baz')
        self.assertEqual(
            repr(value), "<zc.relation.catalog.Any instance "
                         "('bar', 'baz', 'foo')>")
        self.assertEqual(value, Any(['baz', 'foo', 'bar']))
        self.assertFalse(value != Any(['baz', 'foo', 'bar']))
        self.assertIn('foo', value)
        self.assertEqual(len(value), 3)
        self.assertEqual(len({value, Any(['foo', 'bar', 'baz'])}), 1)
        self.assertIn('instance', repr(any_of(1, 'x')))

    def test_Any_pickles_under_its_historical_module(self):
        data = pickle.dumps(any_of(1, 2))
        self.assertIn(b'zc.relation.catalog', data)
        self.assertNotIn(b'zc.relation._query', data)
        self.assertEqual(pickle.loads(data), any_of(1, 2))
