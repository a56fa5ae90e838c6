"""Set helpers over BTrees modules."""
import unittest

from zc.relation.catalog import multiunion
from zc.relation.tests.support import make_tree


class MultiunionTests(unittest.TestCase):
    """multiunion with and without the module's own."""

    def test_multiunion_drops_empty_sets_and_needs_no_C_multiunion(self):
        tools = make_tree().getRelationModuleTools()
        self.assertEqual(sorted(tools), [
            'BTree', 'Bucket', 'Set', 'TreeSet', 'difference', 'dump',
            'intersection', 'load', 'multiunion', 'union'])
        one = tools['TreeSet']([1])
        self.assertIs(multiunion([one, None], tools), one)
        self.assertEqual(repr(multiunion([], tools)), 'IFSet([])')
        oo = make_tree().getValueModuleTools('tags')
        self.assertIsNone(oo['multiunion'])
        self.assertEqual(list(multiunion(
            [oo['Set'](['a']), oo['Set'](['b'])], oo)), ['a', 'b'])
