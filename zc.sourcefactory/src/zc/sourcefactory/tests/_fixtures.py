"""What several test modules share: the package's ZCML, loaded for real."""
import unittest

import zope.component.testing
import zope.configuration.xmlconfig
import zope.publisher.browser

import zc.sourcefactory


class ConfiguredTestCase(unittest.TestCase):
    """Loads ftesting.zcml into the global registry; cleans up after."""

    def setUp(self):
        zope.component.testing.setUp()
        zope.configuration.xmlconfig.file('ftesting.zcml', zc.sourcefactory)
        self.request = zope.publisher.browser.TestRequest()

    def tearDown(self):
        zope.component.testing.tearDown()


def values_factory(values):
    """A basic factory class whose source lists `values`."""
    from zc.sourcefactory.basic import BasicSourceFactory

    class Factory(BasicSourceFactory):
        def getValues(self):
            return values

    return Factory
