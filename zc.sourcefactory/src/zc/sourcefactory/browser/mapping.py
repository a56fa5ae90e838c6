"""ITerms views of value mapping sources."""
import zope.browser.interfaces
import zope.component
import zope.interface
import zope.proxy
import zope.publisher.interfaces.browser

from zc.sourcefactory.mapping import ValueMappingSource


@zope.component.adapter(
    ValueMappingSource, zope.publisher.interfaces.browser.IBrowserRequest)
@zope.interface.implementer(zope.browser.interfaces.ITerms)
class MappedTerms:
    """Terms of a mapping source: the base source's terms, mapped values."""

    def __init__(self, source, request):
        self.source = source
        self.request = request
        self.base = zope.component.getMultiAdapter(
            (source.base, request), zope.browser.interfaces.ITerms)

    def getTerm(self, value):
        """The base term of the value that maps to `value`, showing it."""
        return MappedTermProxy(
            value, self.base.getTerm(self.source.mapReverse(value)))

    def getValue(self, token):
        """The mapped value of the base value with `token`."""
        return self.source.map(self.base.getValue(token))


class MappedTermProxy(zope.proxy.ProxyBase):
    """A base term whose value is the mapped value.

    Token, title and the interfaces the term provides come from the base
    term, so widgets treat it exactly like one.
    """

    __slots__ = ('value',)

    def __new__(cls, value, baseterm):
        return zope.proxy.ProxyBase.__new__(cls, baseterm)

    def __init__(self, value, baseterm):
        zope.proxy.ProxyBase.__init__(self, baseterm)
        self.value = value
