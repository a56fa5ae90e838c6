"""The contracts of zc.sourcefactory.

A *source factory* is the part a developer writes: which values exist
(``getValues``), which of them to hide (``filterValue``), how to title them
(``getTitle``) and how to turn them into URL-safe tokens and back
(``getToken``, ``getValue``).  Calling a factory class gives a *source*
(or, for contextual factories, a binder that makes one per context); the
source, the ``ITerms`` view and the terms come from this package.

The policies are split by concern so that a factory can mix in a different
token policy (for example intids) without touching the rest.
"""
import zope.interface
import zope.schema.interfaces


class ISourceFactory(zope.interface.Interface):
    """Creates a source (or a source binder) when called."""

    def __call__():
        """Create and return the source or source binder."""


class IFactoredSource(zope.schema.interfaces.IIterableSource):
    """A source whose values, titles and tokens come from a factory."""

    factory = zope.interface.Attribute('The factory that made this source.')


class IContextualSource(IFactoredSource):
    """A factored source bound to a context."""

    context = zope.interface.Attribute('The object the source is bound to.')

    factory = zope.interface.Attribute('The factory that made this source.')


class IIndexedSource(IFactoredSource):
    """A factored source that answers token lookups from an index.

    Provided by the sources of factories with ``token_index = True``.  The
    index maps every token to its value; it is built from the filtered
    values the first time it is needed and kept for the lifetime of the
    source, so ``getValueByToken``, ``in`` and ``len`` take constant time.
    Iterating the source then lists the indexed values.

    Every factored source has these two methods; without an index,
    ``getValueByToken`` compares the token of each value in turn and
    ``refresh`` has nothing to forget.
    """

    def getValueByToken(token):
        """Return the value whose token is `token`.

        Raises KeyError naming the token when no value has it.
        """

    def refresh():
        """Forget the index; the next lookup rebuilds it from the values."""


class ISearchableSource(zope.schema.interfaces.IIterableSource):
    """A source that can be searched, e.g. by an autocompletion widget."""

    def search(query):
        """Return an iterator over the values matching the string `query`.

        Values are produced lazily, so that a widget can stop after the
        first few without the whole source being read.
        """


class InvalidTokenError(LookupError, ValueError):
    """A token that cannot stand for any value (e.g. an intid not a number).

    A LookupError like every unknown token, and a ValueError as well, which
    is what earlier versions let through from ``int()``.
    """


class INamedSource(zope.interface.Interface):
    """Marker for source factories registered as named utilities."""


class IToken(zope.interface.Interface):
    """A string that uniquely identifies a value (within its type)."""


class ITokenPolicy(zope.interface.Interface):
    """Turns values into tokens and back."""

    def getValue(source, token):
        """Return the value of `source` that has `token`."""

    def getToken(value):
        """Return the token of `value`."""


class IContextualTokenPolicy(zope.interface.Interface):
    """Turns values into tokens and back, given the source's context."""

    def getValue(context, source, token):
        """Return the value of `source` that has `token`."""

    def getToken(context, value):
        """Return the token of `value`."""


class ITermPolicy(zope.interface.Interface):
    """Titles values and builds their terms."""

    def createTerm(source, value, title, token, request):
        """Return an ITitledTokenizedTerm for `value`."""

    def getTitle(value):
        """Return the title of `value` (not localized; may be a message)."""


class IContextualTermPolicy(zope.interface.Interface):
    """Titles values and builds their terms, given the source's context."""

    def createTerm(context, source, value, title, token, request):
        """Return an ITitledTokenizedTerm for `value`."""

    def getTitle(context, value):
        """Return the title of `value` (not localized; may be a message)."""


class IValuePolicy(zope.interface.Interface):
    """Lists the values of a source."""

    def getValues():
        """Return an iterable of all candidate values."""

    def filterValue(value):
        """Return whether `value` belongs to the source."""


class IContextualValuePolicy(zope.interface.Interface):
    """Lists the values of a source bound to a context."""

    def getValues(context):
        """Return an iterable of all candidate values for `context`."""

    def filterValue(context, value):
        """Return whether `value` belongs to the source of `context`."""


class ISourcePolicy(ITokenPolicy, ITermPolicy, IValuePolicy):
    """Everything a basic source factory provides."""


class IContextualSourcePolicy(
        ITokenPolicy, IContextualTermPolicy, IContextualValuePolicy):
    """Everything a contextual source factory provides.

    It extends the plain ITokenPolicy, as it always has: code that checks
    for it keeps working.
    """
