"""The zope.publisher integration: a request/response pair that inserts
the tags of the needed libraries into HTML results.

``Request`` collects ``need()``-ed names in ``resource_libraries``; its
``Response`` rewrites a string result before zope.publisher encodes it.
``configure.zcml`` makes the Zope application server create these
requests (when zope.app.publication is installed).
"""
import zope.component
import zope.component.hooks
import zope.interface
from zope.interface import Interface
from zope.publisher.browser import BrowserRequest
from zope.publisher.browser import BrowserResponse
from zope.publisher.browser import isHTML
from zope.publisher.interfaces.browser import IBrowserPublisher
from zope.traversing.browser.interfaces import IAbsoluteURL

from zc.resourcelibrary import core
from zc.resourcelibrary.interfaces import IResourceLibraryRequest

try:
    from zope.app.publication.interfaces import IBrowserRequestFactory
except ImportError:  # optional: only the application server needs it
    class IBrowserRequestFactory(Interface):
        """Stand-in for zope.app.publication's interface of that name."""

__all__ = ['Request', 'Response']


class Response(BrowserResponse):
    """A browser response that inserts library tags into HTML results."""

    def retry(self):
        """A fresh response that keeps the very same needs list."""
        response = super().retry()
        if hasattr(self, 'resource_libraries'):
            response.resource_libraries = self.resource_libraries
        return response

    def setResult(self, result):
        """Insert the tags into a string result, then set it as usual."""
        if isinstance(result, str):
            result = self._addLibraries(result)
        super().setResult(result)

    def _guessContentType(self, body):
        # The base class guesses only when it encodes the body, which is too
        # late: whether tags are inserted depends on the type.
        content_type = self.getHeader('content-type')
        if content_type is None and self._status != 304:
            content_type = 'text/html' if isHTML(body) else 'text/plain'
            self.setHeader('x-content-type-warning', 'guessed from content')
            self.setHeader('content-type', content_type)
        return content_type

    def _addLibraries(self, body):
        if not core.is_processable(self._guessContentType(body)):
            return body
        needed = getattr(self, 'resource_libraries', None)
        if not needed:
            return body
        libraries = core.resolve(needed)
        site = zope.component.hooks.getSite()
        if site is None or not libraries:
            return body
        tags = core.render_tags(libraries, _url_maker(site, self._request))
        return core.inject(body, tags)


def _url_maker(site, request):
    """``url_for(library, file)`` for the site's resources."""
    resources = zope.component.queryMultiAdapter((site, request), Interface)
    if IBrowserPublisher.providedBy(resources):
        return lambda library, file: resources[library][file]()
    base = zope.component.queryMultiAdapter(
        (site, request), IAbsoluteURL, name='resource')
    if base is None:
        base = zope.component.getMultiAdapter((site, request), IAbsoluteURL)
    base = str(base)
    return lambda library, file: f'{base}/@@/{library}/{file}'


@zope.interface.provider(IBrowserRequestFactory)
@zope.interface.implementer(IResourceLibraryRequest)
class Request(BrowserRequest):
    """A browser request whose response inserts library tags."""

    def _createResponse(self):
        response = Response()
        self.resource_libraries = response.resource_libraries = []
        return response

    def retry(self):
        """A new request sharing the needs list, emptied in place."""
        request = super().retry()
        # The base class hands the new request the retried response, which
        # already carries this list.
        request.resource_libraries = self.resource_libraries
        del request.resource_libraries[:]
        return request
