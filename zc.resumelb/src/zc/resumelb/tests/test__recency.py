"""Stack distances: how many distinct classes came after a class."""
import random
import unittest

from zc.resumelb._recency import Recency


class RecencyTests(unittest.TestCase):

    def test_the_class_given_last_has_no_other_class_since(self):
        recency = Recency(limit=100)
        recency.give('a')
        self.assertEqual(recency.since('a'), 0)

    def test_it_counts_distinct_classes_not_requests(self):
        recency = Recency(limit=100)
        recency.give('a')
        for _ in range(50):
            recency.give('hot')
        recency.give('b')
        self.assertEqual(recency.since('a'), 2)
        self.assertEqual(recency.since('hot'), 1)

    def test_a_class_given_again_moves_to_the_end(self):
        recency = Recency(limit=100)
        for rclass in 'abc':
            recency.give(rclass)
        recency.give('a')
        self.assertEqual([recency.since(c) for c in 'abc'], [0, 2, 1])

    def test_a_class_never_given_or_forgotten_has_no_count(self):
        recency = Recency(limit=100)
        recency.give('a')
        recency.give('b')
        recency.forget('a')
        self.assertIsNone(recency.since('a'))
        self.assertIsNone(recency.since('never'))
        self.assertEqual(recency.since('b'), 0)
        self.assertNotIn('a', recency)
        self.assertEqual(len(recency), 1)

    def test_counts_match_a_plain_list_across_renumbering(self):
        rng = random.Random(0)
        recency = Recency(limit=10**6, size=8)
        order = []
        for _ in range(5000):
            rclass = f'c{int(rng.paretovariate(1.0)) % 200}'
            if order and rng.random() < 0.02:
                gone = rng.choice(order)
                recency.forget(gone)
                order.remove(gone)
            asked = f'c{rng.randrange(200)}'
            expected = (len(order) - 1 - order.index(asked)
                        if asked in order else None)
            self.assertEqual(recency.since(asked), expected)
            recency.give(rclass)
            if rclass in order:
                order.remove(rclass)
            order.append(rclass)

    def test_renumbering_keeps_only_the_last_limit_classes(self):
        recency = Recency(limit=3, size=4)
        for rclass in 'abcd':
            recency.give(rclass)
        # The tree is full: the next class renumbers, keeping b, c and d.
        recency.give('e')
        self.assertIsNone(recency.since('a'))
        self.assertEqual([recency.since(c) for c in 'bcde'], [3, 2, 1, 0])

    def test_a_stream_of_classes_seen_once_keeps_memory_bounded(self):
        recency = Recency(limit=10, size=4)
        for i in range(10000):
            recency.give(f'once{i}')
        # Renumbering keeps ten, in a tree with room for as many again:
        # never more than a tree of 1024 positions.
        self.assertLessEqual(len(recency), 1024)
        self.assertLessEqual(len(recency._tree), 1025)
        self.assertEqual(recency.since('once9999'), 0)
        self.assertIsNone(recency.since('once0'))
