"""The contracts of zc.relation: catalog, query factories, filters,
listeners and search indexes."""
from zope.interface import Attribute
from zope.interface import Interface


class ICircularRelationPath(Interface):
    """A relation chain whose next step would revisit one of its own
    relations.  It is a tuple of relation tokens (or relations)."""

    cycled = Attribute(
        """The list of next-step queries that would revisit the chain.

        Each is a query mapping that can be passed to the catalog's search
        methods to see where the cycle leads.""")


class IQueryFactory(Interface):
    """Decides how a transitive search continues."""

    def __call__(query, catalog):
        """Return None if the factory does not apply to `query`.

        Otherwise return a callable ``getQueries(relchain)``.  Called with
        an empty tuple it yields the queries the search starts from
        (usually `query` itself); called with a chain of relation tokens
        (most recent last) it yields the queries for the next step.
        """


class ITransposingQueryFactory(IQueryFactory):
    """A query factory whose next step depends only on the last relation
    and swaps one query key for another.

    From a relation found under key `name`, the next query is the same
    query with `name` now holding the relation's `other` values (or the
    relation token itself when `other` is RELATION).  Knowing this, the
    catalog answers searches without filters as a reachability closure,
    level by level, instead of walking every chain.
    """

    def orientation(query):
        """Return ``(name, other)`` for a query the factory applies to,
        else None."""


class IFilter(Interface):
    """A predicate over relation chains."""

    def __call__(relchain, query, index, cache):
        """Return a true value to accept `relchain`.

        `query` is the normalized original query, `index` the catalog and
        `cache` a dict shared by all calls of this filter within one
        search.
        """


class IMessageListener(Interface):
    """Is told about changes to the relations of a catalog.

    `additions` and `removals` map value index names to iterables of value
    tokens (or None for "no value"); they may be the catalog's own sets and
    must not be mutated.
    """

    def relationAdded(token, catalog, additions):
        """A relation with token `token` was indexed for the first time.

        Every value index name is a key of `additions`.
        """

    def relationModified(token, catalog, additions, removals):
        """A known relation was reindexed; the dicts hold exactly the
        tokens gained and lost per value index (both may be empty)."""

    def relationRemoved(token, catalog, removals):
        """A relation was unindexed; `removals` holds the tokens it had."""

    def sourceCleared(catalog):
        """Every relation of `catalog` was removed by ``clear()``."""


class IListener(IMessageListener):
    """A listener registered with ``ICatalog.addListener``."""

    def sourceAdded(catalog):
        """The listener was added to `catalog`."""

    def sourceRemoved(catalog):
        """The listener was removed from `catalog`."""

    def sourceCopied(original, copy):
        """`original` was copied to `copy`; listeners are not copied, so
        a listener that wants to follow the copy adds itself to it."""


class ISearchIndex(IMessageListener):
    """A self-maintaining precomputation that answers some searches."""

    def copy(catalog):
        """Return an independent copy of this index bound to `catalog`."""

    def setCatalog(catalog):
        """Bind to `catalog` (build the index) and return the searches the
        index answers, as tuples ``(resultName, queryNames, staticValues,
        maxDepth, filter, queryFactory)``; None unbinds and drops the data.

        Binding an index that already has a catalog raises ValueError.
        """

    def getResults(name, query, maxDepth, filter, queryFactory):
        """Return the answer for a search this index registered for: a set
        of relation tokens (`name` None) or of `name` value tokens, or None
        to decline the search."""


class IReachingSearchIndex(ISearchIndex):
    """A search index that can tell whether a search reaches some
    relations without computing the whole answer (what ``canFind`` asks).
    """

    def reaches(query, maxDepth, filter, queryFactory, targets):
        """Return whether the search for `query` (one the index registered
        for) finds a relation whose token is in `targets` (a relation set;
        None: any relation), or None to decline."""


class ICatalog(Interface):
    """A catalog of relations, searchable intransitively and
    transitively.

    Queries are mappings (or iterables of pairs) from value index names --
    or ``zc.relation.RELATION`` for the relations themselves -- to a token,
    None ("no value") or ``Any(...)`` (one of several tokens).
    """

    family = Attribute('BTrees.family32 or BTrees.family64')

    def index(relation):
        """Index `relation`, tokenized with the catalog's dump."""

    def index_doc(token, relation):
        """Index `relation` under `token`, or reindex it when known."""

    def unindex(relation):
        """Unindex `relation`, tokenized with the catalog's dump."""

    def unindex_doc(token):
        """Unindex the relation with `token`; unknown tokens are ignored."""

    def __contains__(relation):
        """Whether `relation` (tokenized with dump) is indexed."""

    def __len__():
        """The number of indexed relations."""

    def __iter__():
        """Iterate the loaded relations in ascending token order."""

    def clear():
        """Remove every relation, keeping the configuration."""

    def copy(klass=None):
        """Return an independent copy (of `klass`, default this class)."""

    def addValueIndex(element, dump=None, load=None, btree=None,
                      multiple=False, name=None):
        """Add a value index extracting `element` (a zope.interface
        attribute or method, or a callable ``(relation, catalog)``)."""

    def iterValueIndexInfo():
        """Yield a dict per value index, in name order, with the keys
        name, element, multiple, dump, load and btree."""

    def removeValueIndex(name):
        """Remove the value index `name` and all of its data."""

    def addListener(listener, weakref=False):
        """Add an IListener and call its sourceAdded."""

    def iterListeners():
        """Iterate the live listeners in registration order."""

    def removeListener(listener):
        """Remove one occurrence of `listener`; call its sourceRemoved."""

    def addDefaultQueryFactory(factory):
        """Register a query factory tried by transitive searches."""

    def iterDefaultQueryFactories():
        """Iterate the default query factories in registration order."""

    def removeDefaultQueryFactory(factory):
        """Remove the first registered factory equal to `factory`."""

    def addSearchIndex(ix):
        """Register an ISearchIndex (binding it to this catalog)."""

    def iterSearchIndexes():
        """Iterate the search indexes in registration order."""

    def removeSearchIndex(ix):
        """Unregister `ix` and unbind it."""

    def getRelationModuleTools():
        """The BTree classes, set functions, dump and load of relations."""

    def getValueModuleTools(name):
        """The BTree classes, set functions, dump and load of index
        `name`."""

    def getRelationTokens(query=None):
        """All relation tokens, or those matching `query` (None when a
        constraint alone matches nothing)."""

    def getValueTokens(name, reltoken=None):
        """The value-token map of index `name`, or the stored token set of
        one relation for it (None when it has none)."""

    def yieldRelationTokenChains(query, relData, maxDepth, checkFilter,
                                 checkTargetFilter, getQueries,
                                 findCycles=True):
        """The breadth-first chain walk over the starting token sets
        `relData`, as a generator of relation token chains."""

    def findRelationTokens(query=(), maxDepth=None, filter=None,
                           targetQuery=(), targetFilter=None,
                           queryFactory=None, ignoreSearchIndex=False):
        """Tokens of the relations found.

        `query` is where the search starts.  `maxDepth` (None or an int >=
        1) limits the chain length; 1 is intransitive.  `filter(relchain,
        query, catalog, cache)` prunes chains (neither returned nor
        extended); `targetQuery` and `targetFilter` only choose which
        chains are returned.  `queryFactory` replaces the default factories;
        `ignoreSearchIndex` forces a walk.

        Returns the catalog's own set for intransitive searches, a BTree set
        when a search index answers, else a generator producing each token
        once, level by level.  Bad arguments raise at call time:
        ValueError for maxDepth, KeyError for unknown names.
        """

    def findRelations(query=(), maxDepth=None, filter=None, targetQuery=(),
                      targetFilter=None, queryFactory=None,
                      ignoreSearchIndex=False):
        """The relations found, loaded (a generator)."""

    def findValueTokens(name, query=(), maxDepth=None, filter=None,
                        targetQuery=(), targetFilter=None, queryFactory=None,
                        ignoreSearchIndex=False):
        """The `name` value tokens of the relations found (arguments as
        for findRelationTokens; ValueError for an unknown `name`).

        Intransitive searches return the catalog's own value map or set
        where one fits, search indexes BTree sets, walks generators.
        """

    def findValues(name, query=(), maxDepth=None, filter=None,
                   targetQuery=(), targetFilter=None, queryFactory=None,
                   ignoreSearchIndex=False):
        """The `name` values of the relations found (loaded when the
        index has a load)."""

    def findRelationTokenChains(query, maxDepth=None, filter=None,
                                targetQuery=(), targetFilter=None,
                                queryFactory=None):
        """The chains of relation tokens found, breadth first (a
        generator of tuples).

        A chain whose next step would revisit one of its relations is an
        ICircularRelationPath whose `cycled` lists the queries of that
        step.  Chains are walked path by path, never by the closure rule.
        """

    def findRelationChains(query, maxDepth=None, filter=None,
                           targetQuery=(), targetFilter=None,
                           queryFactory=None):
        """The chains of relations found (a generator)."""

    def canFind(query, maxDepth=None, filter=None, targetQuery=(),
                targetFilter=None, queryFactory=None,
                ignoreSearchIndex=False):
        """Whether the search finds at least one relation (arguments as
        for findRelationTokens); stops at the first one found."""

    def tokenizeQuery(*args, **kwargs):
        """A plain dict with the query's values dumped."""

    def resolveQuery(*args, **kwargs):
        """A plain dict with the query's tokens loaded."""

    def tokenizeValues(values, name):
        """The values dumped with index `name`'s dump."""

    def resolveValueTokens(tokens, name):
        """The tokens loaded with index `name`'s load."""

    def tokenizeRelation(rel):
        """The token of one relation."""

    def resolveRelationToken(token):
        """The relation of one token."""

    def tokenizeRelations(rels):
        """The tokens of several relations (a generator)."""

    def resolveRelationTokens(tokens):
        """The relations of several tokens (a generator)."""
