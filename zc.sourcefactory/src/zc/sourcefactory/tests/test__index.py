import unittest

from zc.sourcefactory._index import TokenIndex


def token_of(value):
    return str(value).lower()


class TokenIndexTests(unittest.TestCase):

    def test_values_keep_their_order_and_duplicates(self):
        index = TokenIndex(['b', 'a', 'b'], token_of)
        self.assertEqual(index.values, ['b', 'a', 'b'])
        self.assertEqual(len(index), 3)

    def test_value_of_a_token(self):
        index = TokenIndex(['a', 'B'], token_of)
        self.assertEqual(index.value_of('b'), 'B')

    def test_unknown_token_is_a_KeyError(self):
        with self.assertRaises(KeyError):
            TokenIndex(['a'], token_of).value_of('z')

    def test_two_different_values_with_one_token_are_refused(self):
        with self.assertRaises(ValueError) as caught:
            TokenIndex(['a', 'A'], token_of)
        self.assertEqual(
            str(caught.exception),
            "'a' and 'A' have the same token 'a';"
            " an indexed source needs one token per value")

    def test_membership_is_equality(self):
        index = TokenIndex([1, 'x'], token_of)
        self.assertIn(1, index)
        self.assertIn(1.0, index)
        self.assertIn(True, index)
        self.assertNotIn('X', index)

    def test_unhashable_values_are_members_too(self):
        index = TokenIndex([[1], [2], 3], token_of)
        self.assertIn([2], index)
        self.assertNotIn([3], index)
        self.assertIn(3, index)

    def test_hashable_probe_finds_an_equal_unhashable_value(self):
        class Loose(list):
            def __eq__(self, other):
                return other == 'loose'

        index = TokenIndex([Loose()], lambda value: 'loose')
        self.assertIn('loose', index)
