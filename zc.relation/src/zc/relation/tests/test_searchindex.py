"""The search indexes' public module."""
import pickle
import unittest

from zc.relation import RELATION
from zc.relation.searchindex import Intransitive
from zc.relation.searchindex import TransposingTransitiveMembership


class PublicModuleTests(unittest.TestCase):
    """Both indexes live in private modules and are known by this one."""

    def test_search_indexes_pickle_under_zc_relation_searchindex(self):
        for index in (TransposingTransitiveMembership('parent', RELATION),
                      Intransitive(('parent',))):
            data = pickle.dumps(index)
            self.assertIn(b'zc.relation.searchindex', data)
            self.assertNotIn(b'zc.relation._', data)
            self.assertIs(type(pickle.loads(data)), type(index))
