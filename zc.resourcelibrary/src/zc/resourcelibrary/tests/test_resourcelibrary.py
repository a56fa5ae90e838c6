"""The registry, ``need()`` and ``getRequest()``."""
import io
import unittest

import zope.security.management
import zope.testing.cleanup

from zc.resourcelibrary import resourcelibrary
from zc.resourcelibrary.publication import Request
from zc.resourcelibrary.resourcelibrary import LibraryInfo


class NeedTests(unittest.TestCase):

    def tearDown(self):
        zope.security.management.endInteraction()

    def test_need_outside_any_request_does_nothing_and_returns_None(self):
        self.assertIsNone(resourcelibrary.need('anything'))

    def test_need_in_an_interaction_without_request_does_nothing(self):
        zope.security.management.newInteraction()
        self.assertIsNone(resourcelibrary.getRequest())
        self.assertIsNone(resourcelibrary.need('anything'))

    def test_need_appends_to_the_requests_list_once_in_order(self):
        request = Request(io.BytesIO(b''), {})
        zope.security.management.newInteraction(request)
        self.assertIs(resourcelibrary.getRequest(), request)
        for name in ('b', 'a', 'b', 'c', 'a'):
            resourcelibrary.need(name)
        self.assertEqual(request.resource_libraries, ['b', 'a', 'c'])

    def test_a_request_without_resource_libraries_is_ignored(self):
        from zope.publisher.browser import TestRequest
        request = TestRequest()
        zope.security.management.newInteraction(request)
        resourcelibrary.need('a')
        self.assertFalse(hasattr(request, 'resource_libraries'))

    def test_the_context_collector_wins_over_the_interaction(self):
        request = Request(io.BytesIO(b''), {})
        zope.security.management.newInteraction(request)
        collected = []
        token = resourcelibrary.needed.set(collected)
        try:
            resourcelibrary.need('a')
        finally:
            resourcelibrary.needed.reset(token)
        self.assertEqual(collected, ['a'])
        self.assertEqual(request.resource_libraries, [])


class RegistryTests(unittest.TestCase):

    def tearDown(self):
        resourcelibrary.library_info.pop('lib', None)

    def test_LibraryInfo_starts_empty(self):
        info = LibraryInfo()
        self.assertEqual((info.included, info.required), ([], []))

    def test_getIncluded_and_getRequired_return_the_lists_themselves(self):
        info = resourcelibrary.library_info['lib'] = LibraryInfo()
        self.assertIs(resourcelibrary.getIncluded('lib'), info.included)
        self.assertIs(resourcelibrary.getRequired('lib'), info.required)

    def test_unknown_names_raise_KeyError(self):
        with self.assertRaises(KeyError):
            resourcelibrary.getIncluded('nope')
        with self.assertRaises(KeyError):
            resourcelibrary.getRequired('nope')

    def test_a_rebound_registry_is_honoured(self):
        saved = resourcelibrary.library_info
        other = resourcelibrary.library_info = {'x': LibraryInfo()}
        try:
            self.assertIs(resourcelibrary.getIncluded('x'),
                          other['x'].included)
        finally:
            resourcelibrary.library_info = saved

    def test_zope_testing_cleanup_clears_the_registry(self):
        saved = dict(resourcelibrary.library_info)
        resourcelibrary.library_info['lib'] = LibraryInfo()
        try:
            zope.testing.cleanup.cleanUp()
            self.assertEqual(resourcelibrary.library_info, {})
        finally:
            resourcelibrary.library_info.update(saved)
