"""The typing.Protocol twins of the interfaces."""
import unittest

from zc.relation import RELATION
from zc.relation.searchindex import Intransitive
from zc.relation.searchindex import TransposingTransitiveMembership
from zc.relation.tests.support import Recorder


class ProtocolTests(unittest.TestCase):
    """Runtime checks of the listener protocols."""

    def test_listeners_and_search_indexes_match_the_protocols(self):
        from zc.relation import protocols
        self.assertIsInstance(Recorder([]), protocols.Listener)
        self.assertIsInstance(Intransitive(('x',)), protocols.Listener)
        self.assertIsInstance(
            TransposingTransitiveMembership('x', RELATION),
            protocols.MessageListener)
        self.assertNotIsInstance(object(), protocols.MessageListener)
