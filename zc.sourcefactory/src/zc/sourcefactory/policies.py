"""Policy mix-ins: the defaults a factory inherits for each concern.

A factory class combines ``factories.BasicSourceFactory`` (or
``ContextualSourceFactory``) with a value, a token and a term policy; the
``Basic*SourcePolicy`` classes are the usual combinations.
"""
import zope.component
import zope.dublincore.interfaces
import zope.interface
import zope.intid.interfaces

from zc.sourcefactory import interfaces
from zc.sourcefactory.browser.source import FactoredTerm


def _title_of(value):
    try:
        descriptive = (
            zope.dublincore.interfaces.IDCDescriptiveProperties(value))
    except TypeError:
        descriptive = None
    if descriptive:
        return descriptive.title
    if isinstance(value, bytes):
        return value.decode('utf-8')
    return str(value)


def _matches(title, query):
    # Every word of the query must occur in the title, ignoring case, so
    # that "new yo" finds "New York" the way users type into a widget.
    title = str(title).casefold()
    return all(word in title for word in query.casefold().split())


# Term policies

@zope.interface.implementer(interfaces.ITermPolicy)
class BasicTermPolicy:
    """Titles from Dublin Core or the value itself; plain terms."""

    def createTerm(self, source, value, title, token, request):
        """A FactoredTerm of `value`, `title` and `token`."""
        return FactoredTerm(value, title, token)

    def getTitle(self, value):
        """The Dublin Core title if `value` has one, else the value as text.

        Bytes are decoded as UTF-8.
        """
        return _title_of(value)

    def matchesQuery(self, value, query):
        """Whether every word of `query` occurs in the title of `value`."""
        return _matches(self.getTitle(value), query)


# Declares ITermPolicy only, as it always has; its methods take the context.
@zope.interface.implementer(interfaces.ITermPolicy)
class BasicContextualTermPolicy(BasicTermPolicy):
    """Like BasicTermPolicy, with the (ignored) context first."""

    def createTerm(self, context, source, value, title, token, request):
        """A FactoredTerm of `value`, `title` and `token`."""
        return FactoredTerm(value, title, token)

    def getTitle(self, context, value):
        """The title of `value`, as BasicTermPolicy gives it."""
        return _title_of(value)

    def matchesQuery(self, context, value, query):
        """Whether every word of `query` occurs in the title of `value`."""
        return _matches(self.getTitle(context, value), query)


# Token policies

_NO_CONTEXT = object()


@zope.interface.implementer(interfaces.ITokenPolicy)
class BasicTokenPolicy:
    """Tokens from IToken adapters (see zc.sourcefactory.browser.token)."""

    def getValue(self, source, token):
        """The value of `source` with `token`; KeyError naming it if none.

        The source's own ``getValueByToken`` answers (from its token index
        if it has one); a source class without that method is scanned.
        """
        by_token = getattr(source, 'getValueByToken', None)
        if by_token is not None:
            return by_token(token)
        for value in source:
            if source.factory.getToken(value) == token:
                return value
        raise KeyError("No value with token '%s'" % (token,))

    def getToken(self, value):
        """``IToken(value)``; TypeError if no adapter knows the value."""
        return interfaces.IToken(value)


@zope.interface.implementer(interfaces.IContextualTokenPolicy)
class BasicContextualTokenPolicy(BasicTokenPolicy):
    """Like BasicTokenPolicy, with the context first."""

    def getValue(self, context, source, token):
        """The value of `source` with `token`; KeyError naming it if none.

        Tokens are computed for `context`.  The terms view passes the
        source's own context, and then the source answers (from its token
        index if it has one); for another context, or a source class
        without ``getValueByToken``, the source is scanned.
        """
        by_token = getattr(source, 'getValueByToken', None)
        if by_token is not None and context is getattr(
                source, 'context', _NO_CONTEXT):
            return by_token(token)
        for value in source:
            if source.factory.getToken(context, value) == token:
                return value
        raise KeyError("No value with token '%s'" % (token,))

    def getToken(self, context, value):
        """``IToken(value)``; the context does not matter."""
        return interfaces.IToken(value)


@zope.interface.implementer(interfaces.ITokenPolicy)
class IntIdTokenPolicy:
    """Tokens are the intids of the values (zope.intid)."""

    @property
    def intids(self):
        """The IIntIds utility, looked up afresh on every access.

        A factory lives as long as the process, while the utility (and the
        database connection it belongs to) differs per site and per thread.
        """
        return zope.component.getUtility(zope.intid.interfaces.IIntIds)

    def getValue(self, source, token):
        """The object with intid `token`, if it is in `source`.

        Every failure is a LookupError naming the token: an
        ``InvalidTokenError`` (also a ValueError, as ``int()`` raises) if
        the token is no number, zope.intid's ``ObjectMissingError`` (a
        KeyError) if no object has that intid, a plain LookupError if the
        object is not in the source.
        """
        message = 'no value matching token: %r' % (token,)
        try:
            intid = int(token)
        except (ValueError, TypeError):
            raise interfaces.InvalidTokenError(message) from None
        try:
            value = self.intids.getObject(intid)
        except (KeyError, TypeError, OverflowError):
            # TypeError, OverflowError: a number too large for the BTree.
            raise zope.intid.interfaces.ObjectMissingError(message) from None
        if value not in source:
            raise LookupError(message)
        return value

    def getToken(self, value):
        """The intid of `value`, as a string.

        KeyError (zope.intid's IntIdMissingError) if it has none.
        """
        return str(self.intids.getId(value))


# Value policies

@zope.interface.implementer(interfaces.IValuePolicy)
class BasicValuePolicy:
    """Every value is in the source; ``getValues`` is left to the factory."""

    def filterValue(self, value):
        """True: nothing is hidden."""
        return True

    def searchValues(self, query):
        """The candidates of a search for `query`; None for all values.

        Override to let a catalog or a database narrow them down; the
        candidates are filtered like the values.  None searches the
        source's own values (as its class lists them).
        """
        return None


@zope.interface.implementer(interfaces.IContextualValuePolicy)
class BasicContextualValuePolicy(BasicValuePolicy):
    """Like BasicValuePolicy, with the context first."""

    def filterValue(self, context, value):
        """True: nothing is hidden."""
        return True

    def searchValues(self, context, query):
        """The candidates of a search for `query`; None for all values."""
        return None


# The usual combinations

class BasicSourcePolicy(BasicValuePolicy, BasicTokenPolicy, BasicTermPolicy):
    """The policies of a basic source factory."""


class BasicContextualSourcePolicy(
        BasicContextualValuePolicy, BasicContextualTokenPolicy,
        BasicContextualTermPolicy):
    """The policies of a contextual source factory."""


class IntIdSourcePolicy(BasicValuePolicy, IntIdTokenPolicy, BasicTermPolicy):
    """Basic policies with intid tokens.

    Combine it with ``factories.BasicSourceFactory`` and write getValues.
    """
