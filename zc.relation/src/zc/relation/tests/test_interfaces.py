"""The classes provide the interfaces they declare."""
import unittest

import zope.interface
import zope.interface.verify

from zc.relation import RELATION
from zc.relation import interfaces
from zc.relation.queryfactory import TransposingTransitive
from zc.relation.searchindex import Intransitive
from zc.relation.searchindex import TransposingTransitiveMembership
from zc.relation.tests.support import make_tree


class InterfaceTests(unittest.TestCase):
    """verifyObject on each implementation."""

    def test_catalog_and_search_indexes_provide_their_interfaces(self):
        catalog = make_tree()
        self.assertTrue(zope.interface.verify.verifyObject(
            interfaces.ICatalog, catalog))
        for ix in (TransposingTransitiveMembership('parent', RELATION),
                   Intransitive(('parent',))):
            self.assertTrue(zope.interface.verify.verifyObject(
                interfaces.ISearchIndex, ix))

    def test_membership_index_answers_canFind_by_itself(self):
        self.assertTrue(zope.interface.verify.verifyObject(
            interfaces.IReachingSearchIndex,
            TransposingTransitiveMembership('parent', RELATION)))
        self.assertFalse(interfaces.IReachingSearchIndex.providedBy(
            Intransitive(('parent',))))

    def test_transposing_transitive_tells_its_orientation(self):
        self.assertTrue(zope.interface.verify.verifyObject(
            interfaces.ITransposingQueryFactory,
            TransposingTransitive('parent', RELATION)))
