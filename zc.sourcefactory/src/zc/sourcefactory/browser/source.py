"""ITerms views of factored sources for browser forms."""
import zope.browser.interfaces
import zope.component
import zope.interface
import zope.publisher.interfaces.browser
import zope.schema.interfaces

from zc.sourcefactory.source import FactoredContextualSource
from zc.sourcefactory.source import FactoredSource


@zope.interface.implementer(zope.schema.interfaces.ITitledTokenizedTerm)
class FactoredTerm:
    """A term: a value with its title and token."""

    def __init__(self, value, title, token):
        self.value = value
        self.title = title
        self.token = token


@zope.component.adapter(
    FactoredSource, zope.publisher.interfaces.browser.IBrowserRequest)
@zope.interface.implementer(zope.browser.interfaces.ITerms)
class FactoredTerms:
    """Terms of a factored source, made by its factory's policies."""

    def __init__(self, source, request):
        self.source = source
        self.request = request

    def getTerm(self, value):
        """The term of `value`, whether the source lists it or not.

        Forms ask for terms of values that are no longer in the source
        (a stored choice whose option went away) to display them.
        """
        factory = self.source.factory
        title = factory.getTitle(value)
        token = factory.getToken(value)
        return factory.createTerm(
            self.source, value, title, token, self.request)

    def getValue(self, token):
        """The value of the source whose token is `token`."""
        return self.source.factory.getValue(self.source, token)


@zope.component.adapter(
    FactoredContextualSource,
    zope.publisher.interfaces.browser.IBrowserRequest)
class FactoredContextualTerms(FactoredTerms):
    """Terms of a contextual source: the context goes to every policy."""

    def getTerm(self, value):
        """The term of `value`, whether the source lists it or not."""
        factory = self.source.factory
        context = self.source.context
        title = factory.getTitle(context, value)
        token = factory.getToken(context, value)
        return factory.createTerm(
            context, self.source, value, title, token, self.request)

    def getValue(self, token):
        """The value of the source whose token is `token`."""
        return self.source.factory.getValue(
            self.source.context, self.source, token)
