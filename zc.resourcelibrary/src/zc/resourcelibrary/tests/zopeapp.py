"""A small Zope application for the tests: a root site, page templates
from ``pages/``, and a real zope.publisher publication that traverses
namespaces (``@@``, ``++skin++``), sets the site and runs an interaction.
"""
import io
import os

import zope.component
import zope.component.hooks
import zope.security.management
import zope.testing.cleanup
from zope.component.interfaces import ISite
from zope.configuration import xmlconfig
from zope.interface import implementer
from zope.location.interfaces import IRoot
from zope.publisher.base import DefaultPublication
from zope.publisher.interfaces import IPublishTraverse
from zope.publisher.interfaces import NotFound
from zope.publisher.interfaces.browser import IBrowserPublisher
from zope.publisher.interfaces.browser import IDefaultBrowserLayer
from zope.publisher.publish import mapply
from zope.publisher.publish import publish as _publish
from zope.publisher.skinnable import setDefaultSkin
from zope.traversing.interfaces import TraversalError
from zope.traversing.namespace import namespaceLookup
from zope.traversing.namespace import nsParse

import zc.resourcelibrary.tests
from zc.resourcelibrary.publication import Request

HERE = os.path.dirname(zc.resourcelibrary.tests.__file__)


class IBasicSkin(IDefaultBrowserLayer):
    """The skin named Basic (``++skin++Basic``)."""


@implementer(ISite, IRoot)
class Root:
    """The application root: a site using the global registry."""

    __name__ = None
    __parent__ = None

    def getSiteManager(self):
        return zope.component.getGlobalSiteManager()


class Publication(DefaultPublication):
    """Traversal the way the Zope application server does it, minus
    security proxies and the database."""

    def beforeTraversal(self, request):
        super().beforeTraversal(request)
        zope.security.management.newInteraction(request)
        zope.component.hooks.setSite(self.app)

    def traverseName(self, request, ob, name):
        if name[:1] in '@+':
            namespace, name = nsParse(name)
            if namespace:
                try:
                    return namespaceLookup(namespace, name, ob, request)
                except TraversalError:
                    raise NotFound(ob, name, request)
        if IPublishTraverse.providedBy(ob):
            return ob.publishTraverse(request, name)
        view = zope.component.queryMultiAdapter((ob, request), name=name)
        if view is None:
            raise NotFound(ob, name, request)
        return view

    def getDefaultTraversal(self, request, ob):
        if IBrowserPublisher.providedBy(ob):
            return ob.browserDefault(request)
        return ob, ()

    def callObject(self, request, ob):
        return mapply(ob, request.getPositionalArguments(), request)

    def endRequest(self, request, ob):
        zope.security.management.endInteraction()
        zope.component.hooks.setSite(None)

    def handleException(self, object, request, exc_info, retry_allowed=1):
        zope.security.management.endInteraction()
        zope.component.hooks.setSite(None)
        super().handleException(object, request, exc_info, retry_allowed)


APP_ZCML = '''
<configure xmlns="http://namespaces.zope.org/zope"
           xmlns:browser="http://namespaces.zope.org/browser">
  <include package="zope.component" file="meta.zcml" />
  <include package="zope.security" />
  <include package="zope.publisher" />
  <include package="zope.traversing" />
  <include package="zope.traversing.browser" />
  <include package="zope.browserresource" />
  <include package="zope.browserpage" file="meta.zcml" />
  <include package="zc.resourcelibrary" file="meta.zcml" />
  <include package="zc.resourcelibrary" />
  <interface
      interface="zc.resourcelibrary.tests.zopeapp.IBasicSkin"
      type="zope.publisher.interfaces.browser.IBrowserSkinType"
      name="Basic" />
</configure>
'''


def set_up_zope():
    """Load the application's configuration (call tear_down_zope after)."""
    zope.component.hooks.setHooks()
    xmlconfig.string(APP_ZCML)


def tear_down_zope():
    zope.security.management.endInteraction()
    zope.component.hooks.setSite(None)
    zope.component.hooks.resetHooks()
    zope.testing.cleanup.cleanUp()


MORE_ZCML = '''
<configure xmlns="http://namespaces.zope.org/zope"
           xmlns:browser="http://namespaces.zope.org/browser"
           package="zc.resourcelibrary.tests">
  <include package="zope.component" file="meta.zcml" />
  <include package="zope.security" file="meta.zcml" />
  <include package="zope.browserpage" file="meta.zcml" />
  <include package="zc.resourcelibrary" file="meta.zcml" />
  %s
</configure>
'''


def configure(zcml):
    """Load more ZCML into the application; returns its context.

    Each call has a context of its own, so that a configuration error
    leaves nothing half-done for the next call; conflicts are detected
    within ``zcml``.  Page templates and relative paths resolve against
    the tests' folder.
    """
    return xmlconfig.string(MORE_ZCML % zcml)


def publish(path, method='GET', handle_errors=True, environ=None):
    """Publish ``path`` through zope.publisher and return the response."""
    query = ''
    if '?' in path:
        path, query = path.split('?', 1)
    env = {'SERVER_NAME': 'localhost', 'SERVER_PORT': '80',
           'REQUEST_METHOD': method, 'PATH_INFO': path,
           'QUERY_STRING': query, 'wsgi.url_scheme': 'http'}
    env.update(environ or {})
    request = Request(io.BytesIO(b''), env)
    # As the application server's request factory does.
    setDefaultSkin(request)
    request.setPublication(Publication(Root()))
    _publish(request, handle_errors=handle_errors)
    return request.response
