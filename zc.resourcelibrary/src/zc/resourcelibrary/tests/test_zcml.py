"""The ``resourceLibrary`` directive, loaded through zope.configuration."""
import os
import unittest

import zope.component
import zope.component.hooks
from zope.configuration.config import ConfigurationConflictError
from zope.configuration.exceptions import ConfigurationError
from zope.configuration.xmlconfig import ZopeXMLConfigurationError
from zope.interface import Interface
from zope.publisher.interfaces.browser import IDefaultBrowserLayer

from zc.resourcelibrary import resourcelibrary
from zc.resourcelibrary.tests import zopeapp

HERE = os.path.dirname(__file__)
calls = []


def recording_factory(source, checker, name):
    """A directory-resource factory that records how it is called."""
    calls.append((source, checker, name))
    return lambda request: None


class RecordingSiteManager:
    """A site manager offering nothing but registerAdapter."""

    def __init__(self):
        self.registrations = []

    def registerAdapter(self, *args):
        self.registrations.append(args)


class DirectiveTests(unittest.TestCase):

    def setUp(self):
        zopeapp.set_up_zope()
        del calls[:]

    def tearDown(self):
        zopeapp.tear_down_zope()

    def configure(self, zcml):
        return zopeapp.configure(zcml)

    def error_of(self, zcml):
        with self.assertRaises(Exception) as caught:
            self.configure(zcml)
        return caught.exception

    def message(self, error):
        # zope.configuration adds where the error happened, or wraps it.
        error = getattr(error, 'evalue', error)
        return str(error).splitlines()[0]

    def test_library_directory_is_registered_as_a_resource(self):
        self.configure('''
            <resourceLibrary name="my-lib">
              <directory source="my-lib" include="included.js"/>
            </resourceLibrary>''')
        info = resourcelibrary.library_info['my-lib']
        self.assertEqual(info.included, ['included.js'])
        self.assertEqual(info.directory, os.path.join(HERE, 'my-lib'))
        self.assertIsNotNone(zope.component.queryAdapter(
            zopeapp_request(), Interface, name='my-lib'))

    def test_missing_directory_is_refused(self):
        error = self.error_of('''
            <resourceLibrary name="lib">
              <directory source="does-not-exist"/>
            </resourceLibrary>''')
        self.assertIsInstance(error, ConfigurationError)
        missing = os.path.join(HERE, 'does-not-exist')
        self.assertEqual(self.message(error),
                         f'Directory {missing!r} does not exist')

    def test_unknown_extension_is_refused(self):
        error = self.error_of('''
            <resourceLibrary name="lib">
              <directory source="my-lib" include="included.js notes.txt"/>
            </resourceLibrary>''')
        self.assertEqual(
            self.message(error),
            'Resource library doesn\'t know how to include this file: '
            '"notes.txt".')

    def test_missing_included_file_is_refused(self):
        error = self.error_of('''
            <resourceLibrary name="lib">
              <directory source="my-lib" include="included.js gone.css"/>
            </resourceLibrary>''')
        self.assertEqual(
            self.message(error), 'Resource library "lib": "gone.css" does '
            f'not exist in {os.path.join(HERE, "my-lib")!r}')

    def test_unsatisfied_dependency_is_refused_when_actions_run(self):
        error = self.error_of('''
                <resourceLibrary name="lib" require="jquery">
                  <directory source="my-lib"/>
                </resourceLibrary>''')
        self.assertIsInstance(error, ConfigurationError)
        self.assertEqual(
            self.message(error),
            'Resource library "lib" has unsatisfied dependency on "jquery".')

    def test_dependency_declared_later_in_the_same_configuration(self):
        self.configure('''
            <resourceLibrary name="lib" require="base">
              <directory source="other-lib" include="other.js"/>
            </resourceLibrary>
            <resourceLibrary name="base">
              <directory source="my-lib" include="included.js"/>
            </resourceLibrary>''')
        self.assertEqual(resourcelibrary.getRequired('lib'), ['base'])

    def test_requirement_only_library_is_not_checked_for_dependencies(self):
        self.configure('<resourceLibrary name="group" require="nowhere"/>')
        self.assertEqual(resourcelibrary.getIncluded('group'), [])
        self.assertEqual(resourcelibrary.getRequired('group'), ['nowhere'])

    def test_dependency_cycle_is_refused_at_configuration_time(self):
        error = self.error_of('''
                <resourceLibrary name="a" require="b">
                  <directory source="my-lib"/>
                </resourceLibrary>
                <resourceLibrary name="b" require="a"/>''')
        self.assertIsInstance(error, ConfigurationError)
        self.assertEqual(self.message(error),
                         'Resource library dependency cycle: '
                         '"a" -> "b" -> "a".')

    def test_different_redeclaration_is_refused_and_the_new_info_stays(self):
        self.configure('<resourceLibrary name="some-library"/>')
        with self.assertRaises(ZopeXMLConfigurationError) as caught:
            self.configure('''
                <resourceLibrary name="some-library">
                  <directory source="my-lib" include="included.js"/>
                </resourceLibrary>''')
        self.assertIsInstance(caught.exception.evalue, NotImplementedError)
        self.assertEqual(
            str(caught.exception.evalue),
            "Can't cope with 2 different registrations of the same library: "
            "some-library ([], []) ([], ['included.js'])")
        self.assertEqual(resourcelibrary.getIncluded('some-library'),
                         ['included.js'])

    def test_identical_redeclaration_is_accepted(self):
        zcml = '''
            <resourceLibrary name="lib" require="">
              <directory source="my-lib" include="included.js"/>
            </resourceLibrary>'''
        self.configure(zcml)
        self.configure(zcml)
        self.assertEqual(resourcelibrary.getIncluded('lib'), ['included.js'])

    def test_two_libraries_of_one_name_in_one_configuration_conflict(self):
        with self.assertRaises(ConfigurationConflictError):
            self.configure('''
                <resourceLibrary name="lib">
                  <directory source="my-lib"/>
                </resourceLibrary>
                <resourceLibrary name="lib">
                  <directory source="my-lib"/>
                </resourceLibrary>''')

    def test_a_second_directory_in_one_library_conflicts(self):
        with self.assertRaises(ConfigurationConflictError):
            self.configure('''
                <resourceLibrary name="lib">
                  <directory source="my-lib"/>
                  <directory source="other-lib"/>
                </resourceLibrary>''')

    def test_custom_factory_is_called_with_source_checker_and_name(self):
        self.configure('''
            <resourceLibrary name="generated">
              <directory source="my-lib" include="made-up.js"
                 factory="zc.resourcelibrary.tests.test_zcml.recording_factory"
                 />
            </resourceLibrary>''')
        [(source, checker, name)] = calls
        self.assertEqual(source, os.path.join(HERE, 'my-lib'))
        self.assertEqual(name, 'generated')
        self.assertIn('GET', checker.get_permissions)

    def test_the_current_local_site_manager_receives_the_registration(self):
        site_manager = RecordingSiteManager()

        class Site:
            def getSiteManager(self):
                return site_manager
        zope.component.hooks.setSite(Site())
        try:
            self.configure('''
                <resourceLibrary name="local" layer="%s">
                  <directory source="my-lib" include="included.js"/>
                </resourceLibrary>''' % (
                'zope.publisher.interfaces.browser.IDefaultBrowserLayer'))
        finally:
            zope.component.hooks.setSite(None)
        [(factory, required, provided, name, info)] = \
            site_manager.registrations
        self.assertEqual(required, (IDefaultBrowserLayer,))
        self.assertIs(provided, Interface)
        self.assertEqual(name, 'local')

    def test_feature_is_provided(self):
        self.assertTrue(self.configure('').hasFeature('zc.resourcelibrary'))

    def test_configure_zcml_registers_the_request_factory(self):
        from zope.app.publication.interfaces import IBrowserRequestFactory

        from zc.resourcelibrary.publication import Request
        self.assertIs(zope.component.getUtility(IBrowserRequestFactory),
                      Request)


class SecurityDeclarationTests(unittest.TestCase):

    def setUp(self):
        zopeapp.set_up_zope()

    def tearDown(self):
        zopeapp.tear_down_zope()

    def test_Request_and_Response_are_protected_like_the_browser_ones(self):
        from zope.publisher.browser import BrowserRequest
        from zope.publisher.browser import BrowserResponse
        from zope.security.checker import getCheckerForInstancesOf

        from zc.resourcelibrary.publication import Request
        from zc.resourcelibrary.publication import Response
        for ours, theirs in ((Request, BrowserRequest),
                             (Response, BrowserResponse)):
            checker = getCheckerForInstancesOf(ours)
            self.assertIsNotNone(checker, ours)
            self.assertEqual(checker.get_permissions,
                             getCheckerForInstancesOf(theirs).get_permissions)


def zopeapp_request():
    import io

    from zope.publisher.skinnable import setDefaultSkin

    from zc.resourcelibrary.publication import Request
    request = Request(io.BytesIO(b''), {})
    setDefaultSkin(request)
    return request
