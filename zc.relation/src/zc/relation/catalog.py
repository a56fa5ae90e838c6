"""The relation catalog: its data and their maintenance (value indexes,
indexing, listeners, registries of query factories and search indexes,
copy).  The search methods come from `zc.relation._search.Searching`."""
import collections

import BTrees
import BTrees.Length
import persistent
import persistent.wref
import zope.interface
import zope.interface.interfaces

from zc.relation import interfaces
from zc.relation._query import RELATION
from zc.relation._query import Any
from zc.relation._query import any  # noqa: F401 (public name)
from zc.relation._query import document as _document
from zc.relation._query import sort_key as _sort_key
from zc.relation._search import CircularRelationPath  # noqa: F401 (public)
from zc.relation._search import Searching
from zc.relation._search import search_key as _search_key
from zc.relation._sets import module_name as _module_name
from zc.relation._sets import multiunion  # noqa: F401 (public name)
from zc.relation._sets import tools as _tools
from zc.relation._sets import tools_cache as _tools_cache

_OOBTree = BTrees.family32.OO.BTree


class _ListenerHolder(persistent.Persistent):
    """Stores a non-persistent listener inside the catalog's state."""

    def __init__(self, listener):
        self.listener = listener


def _unwrap(entry):
    if isinstance(entry, persistent.wref.WeakRef):
        return entry()
    if isinstance(entry, _ListenerHolder):
        return entry.listener
    return entry


@zope.interface.implementer(interfaces.ICatalog)
class Catalog(Searching, persistent.Persistent):
    """A catalog of relations; see `zc.relation.interfaces.ICatalog`."""

    family = BTrees.family32

    def __init__(self, dump, load, btree=None, family=None):
        if family is not None:
            self.family = family
        if btree is None:
            btree = self.family.IF
        self._relModule = _module_name(btree)
        self._dump = dump
        self._load = load
        tools = _tools(self._relModule)
        self._relTokens = tools['TreeSet']()
        self._relLength = BTrees.Length.Length()
        # name -> index description; name -> value token -> relation set;
        # name -> relation token -> value set; name -> relations without
        # a value.
        self._indexes = _OOBTree()
        self._valueToRels = _OOBTree()
        self._relToValues = _OOBTree()
        self._noValue = _OOBTree()
        self._queryFactories = ()
        self._searchIndexes = ()
        self._searchIndexMatches = ()
        self._listeners = ()

    # -- tools -------------------------------------------------------------

    def _element(self, info):
        if info['kind'] == 'attribute':
            return info['interface'][info['attrname']]
        return info['callable']

    def getRelationModuleTools(self):
        tools = self._reltools
        return {
            'BTree': tools['BTree'], 'Bucket': tools['Bucket'],
            'Set': tools['Set'], 'TreeSet': tools['TreeSet'],
            'difference': tools['difference'],
            'intersection': tools['intersection'],
            'union': tools['union'], 'multiunion': tools['multiunion'],
            'dump': self._dump, 'load': self._load,
        }

    def getValueModuleTools(self, name):
        info = self._index(name)
        tools = _tools(info['btree'])
        return {
            'BTree': tools['BTree'], 'Bucket': tools['Bucket'],
            'Set': tools['Set'], 'TreeSet': tools['TreeSet'],
            'difference': tools['difference'],
            'intersection': tools['intersection'],
            'union': tools['union'], 'multiunion': tools['multiunion'],
            'dump': info['dump'], 'load': info['load'],
            'name': name,
        }

    # -- container protocol ------------------------------------------------

    def __len__(self):
        return self._relLength.value

    def __contains__(self, rel):
        return self._dump(rel, self, {}) in self._relTokens

    def __iter__(self):
        cache = {}
        load = self._load
        for token in self._relTokens:
            yield load(token, self, cache)

    # -- value indexes -----------------------------------------------------

    def addValueIndex(self, element, dump=None, load=None, btree=None,
                      multiple=False, name=None):
        if (dump is None) != (load is None):
            raise ValueError(
                "either both of 'dump' and 'load' must be None, or neither")
        is_attr = zope.interface.interfaces.IAttribute.providedBy(element)
        if not is_attr and not callable(element):
            raise TypeError(
                'element must be a zope.interface attribute or method, or a '
                f'callable (relation, catalog), got {element!r}')
        for info in self._indexes.values():
            if is_attr:
                if (info['kind'] == 'attribute'
                        and info['interface'] is element.interface
                        and info['attrname'] == element.__name__):
                    raise ValueError('element already indexed', element)
            elif info['kind'] == 'callable' and info['callable'] == element:
                raise ValueError('element already indexed', element)
        if name is None:
            name = getattr(element, '__name__', None)
            if name is None:
                raise ValueError('no name specified')
        if name in self._indexes:
            raise ValueError('name already used', name)
        if btree is None:
            btree = self.family.IF
        modname = _module_name(btree)
        info = {'name': name, 'multiple': bool(multiple), 'dump': dump,
                'load': load, 'btree': modname}
        if is_attr:
            info.update(kind='attribute', interface=element.interface,
                        attrname=element.__name__,
                        method=zope.interface.interfaces.IMethod.providedBy(
                            element))
        else:
            info.update(kind='callable', callable=element)
        tools = _tools(modname)
        # Extract the values of the indexed relations before registering,
        # so that a failing element leaves no half-registered index.
        cache = {}
        computed = [
            (token, self._tokenSet(info, self._load(token, self, cache)))
            for token in self._relTokens]
        self._indexes[name] = info
        self._valueToRels[name] = tools['keyed']()
        self._relToValues[name] = self._reltools['keyed']()
        self._noValue[name] = self._reltools['TreeSet']()
        for token, tokens in computed:
            self._link(name, token, tokens)
        for token, tokens in computed:
            additions = {} if tokens is None else {name: tokens}
            self._notify('relationModified', token, self, additions, {})

    def iterValueIndexInfo(self):
        for name, info in self._indexes.items():
            yield {
                'name': name, 'element': self._element(info),
                'multiple': info['multiple'], 'dump': info['dump'],
                'load': info['load'],
                'btree': _tools(info['btree'])['module'],
            }

    def removeValueIndex(self, name):
        self._index(name)
        del self._indexes[name]
        del self._valueToRels[name]
        del self._relToValues[name]
        del self._noValue[name]

    # -- extracting values -------------------------------------------------

    def _extract(self, info, rel):
        if info['kind'] == 'attribute':
            adapted = info['interface'](rel, None)
            if adapted is None:
                return None
            value = getattr(adapted, info['attrname'])
            if info['method']:
                value = value()
            return value
        return info['callable'](rel, self)

    def _tokenSet(self, info, rel):
        """The relation's value tokens for the index as a new TreeSet of
        the index's module, or None when it has no value."""
        tools = _tools_cache.get(info['btree']) or _tools(info['btree'])
        if info['kind'] == 'callable':
            value = info['callable'](rel, self)
        else:
            value = self._extract(info, rel)
        if value is None:
            return None
        dump = info['dump']
        if info['multiple']:
            if dump is None:
                try:
                    tokens = tools['TreeSet'](value)
                except TypeError as e:
                    raise TypeError(
                        f'value index {info["name"]!r} could not store the '
                        f'tokens {value!r} of {rel!r}: {e}') from None
            else:
                cache = {}
                tokens = tools['TreeSet']()
                if not hasattr(value, '__iter__'):
                    raise TypeError(
                        f'value index {info["name"]!r} is multiple and needs '
                        f'an iterable of values, got {value!r} from {rel!r}')
                for v in value:
                    self._insertToken(tokens, dump(v, self, cache), info, rel)
            return tokens if tokens else None
        tokens = tools['TreeSet']()
        if dump is not None:
            value = dump(value, self, {})
        self._insertToken(tokens, value, info, rel)
        return tokens

    def _insertToken(self, tokens, token, info, rel):
        try:
            tokens.insert(token)
        except TypeError as e:
            raise TypeError(
                f'value index {info["name"]!r} rejected token {token!r} of '
                f'{rel!r}: {e}') from None

    def _link(self, name, token, tokens):
        if tokens is None:
            self._noValue[name].insert(token)
            return
        self._relToValues[name][token] = tokens
        valmap = self._valueToRels[name]
        TreeSet = None
        for v in tokens:
            rels = valmap.get(v)
            if rels is None:
                if TreeSet is None:
                    TreeSet = self._reltools['TreeSet']
                rels = valmap[v] = TreeSet()
            rels.insert(token)

    def _unlinkTokens(self, name, token, tokens):
        valmap = self._valueToRels[name]
        for v in tokens:
            rels = valmap.get(v)
            if rels is not None:
                rels.remove(token)
                if not rels:
                    del valmap[v]

    # -- indexing ----------------------------------------------------------

    def index(self, rel):
        self.index_doc(self._dump(rel, self, {}), rel)

    def index_doc(self, token, rel):
        try:
            known = token in self._relTokens
        except TypeError:
            raise TypeError(
                f'relation token {token!r} does not fit the relation module '
                f'{self._relModule}') from None
        # Extract every value before storing any, so that a failing
        # element leaves the catalog untouched.
        computed = [(name, info, self._tokenSet(info, rel))
                    for name, info in self._indexes.items()]
        if not known:
            additions = {}
            for name, info, tokens in computed:
                self._link(name, token, tokens)
                additions[name] = tokens
            self._relTokens.insert(token)
            self._relLength.change(1)
            self._notify('relationAdded', token, self, additions)
            return
        additions = {}
        removals = {}
        for name, info, new in computed:
            old = self._relToValues[name].get(token)
            tools = _tools(info['btree'])
            if old is None:
                if new is None:
                    continue
                self._noValue[name].remove(token)
                self._link(name, token, new)
                additions[name] = new
                continue
            if new is None:
                self._unlinkTokens(name, token, old)
                del self._relToValues[name][token]
                self._noValue[name].insert(token)
                removals[name] = old
                continue
            added = tools['difference'](new, old)
            removed = tools['difference'](old, new)
            if not added and not removed:
                continue
            self._unlinkTokens(name, token, removed)
            valmap = self._valueToRels[name]
            for v in added:
                rels = valmap.get(v)
                if rels is None:
                    rels = valmap[v] = self._reltools['TreeSet']()
                rels.insert(token)
            # Editing the stored set costs O(changes log n), rebuilding it
            # O(n): edit unless most of the set changed.
            if len(added) + len(removed) <= len(new) // 2 + 8:
                for v in removed:
                    old.remove(v)
                old.update(added)
            else:
                self._relToValues[name][token] = new
            if added:
                additions[name] = added
            if removed:
                removals[name] = removed
        self._notify('relationModified', token, self, additions, removals)

    def unindex(self, rel):
        self.unindex_doc(self._dump(rel, self, {}))

    def unindex_doc(self, token):
        try:
            known = token in self._relTokens
        except TypeError:
            known = False
        if not known:
            return
        removals = {}
        for name in self._indexes.keys():
            old = self._relToValues[name].get(token)
            if old is None:
                self._noValue[name].remove(token)
                continue
            self._unlinkTokens(name, token, old)
            del self._relToValues[name][token]
            removals[name] = old
        self._relTokens.remove(token)
        self._relLength.change(-1)
        self._notify('relationRemoved', token, self, removals)

    def clear(self):
        reltools = self._reltools
        for name, info in self._indexes.items():
            self._valueToRels[name] = _tools(info['btree'])['keyed']()
            self._relToValues[name] = reltools['keyed']()
            self._noValue[name] = reltools['TreeSet']()
        self._relTokens = reltools['TreeSet']()
        self._relLength.set(0)
        for ix in self._searchIndexes:
            ix.sourceCleared(self)
        for listener in self.iterListeners():
            listener.sourceCleared(self)

    def _notify(self, method, *args):
        if not self._searchIndexes and not self._listeners:
            return
        for ix in self._searchIndexes:
            getattr(ix, method)(*args)
        for listener in self.iterListeners():
            getattr(listener, method)(*args)

    # -- copy --------------------------------------------------------------

    def copy(self, klass=None):
        if klass is None:
            klass = type(self)
        new = klass.__new__(klass)
        self._p_activate()
        state = dict(self.__dict__)
        reltools = self._reltools
        for key, value in state.items():
            setattr(new, key, value)
        new._relTokens = reltools['TreeSet'](self._relTokens)
        new._relLength = BTrees.Length.Length(self._relLength.value)
        new._indexes = _OOBTree()
        new._valueToRels = _OOBTree()
        new._relToValues = _OOBTree()
        new._noValue = _OOBTree()
        for name, info in self._indexes.items():
            new._indexes[name] = dict(info)
            vtools = _tools(info['btree'])
            valmap = vtools['keyed']()
            for v, rels in self._valueToRels[name].items():
                valmap[v] = reltools['TreeSet'](rels)
            new._valueToRels[name] = valmap
            relmap = reltools['keyed']()
            for t, vals in self._relToValues[name].items():
                relmap[t] = vtools['TreeSet'](vals)
            new._relToValues[name] = relmap
            new._noValue[name] = reltools['TreeSet'](self._noValue[name])
        new._listeners = ()
        replacements = {}
        for ix in self._searchIndexes:
            replacements[id(ix)] = ix.copy(new)
        new._searchIndexes = tuple(
            replacements[id(ix)] for ix in self._searchIndexes)
        new._searchIndexMatches = tuple(
            (key, replacements[id(ix)]) + tuple(rest)
            for key, ix, *rest in self._searchIndexMatches)
        for listener in self.iterListeners():
            listener.sourceCopied(self, new)
        return new

    # -- listeners ---------------------------------------------------------

    def addListener(self, listener, weakref=False):
        if isinstance(listener, persistent.Persistent):
            entry = (persistent.wref.WeakRef(listener) if weakref
                     else listener)
        elif weakref:
            raise ValueError('cannot use weakref on non-persistent object')
        else:
            entry = _ListenerHolder(listener)
        self._listeners = self._live_entries() + (entry,)
        listener.sourceAdded(self)

    def _live_entries(self):
        return tuple(e for e in self._listeners if _unwrap(e) is not None)

    def iterListeners(self):
        for entry in self._listeners:
            listener = _unwrap(entry)
            if listener is not None:
                yield listener

    def removeListener(self, listener):
        entries = self._live_entries()
        for i, entry in enumerate(entries):
            if listener is not None and _unwrap(entry) is listener:
                self._listeners = entries[:i] + entries[i + 1:]
                listener.sourceRemoved(self)
                return
        raise LookupError('listener not found', listener)

    # -- query factories ---------------------------------------------------

    def addDefaultQueryFactory(self, factory):
        for f in self._queryFactories:
            if f == factory:
                raise ValueError('factory already registered')
        self._queryFactories += (factory,)

    def iterDefaultQueryFactories(self):
        return iter(self._queryFactories)

    def removeDefaultQueryFactory(self, factory):
        for i, f in enumerate(self._queryFactories):
            if factory is not None and f == factory:
                self._queryFactories = (
                    self._queryFactories[:i] + self._queryFactories[i + 1:])
                return
        raise LookupError('factory not found', factory)

    # -- search indexes ----------------------------------------------------

    def addSearchIndex(self, ix):
        matches = []
        for (resultName, queryNames, static, maxDepth, filter,
                queryFactory) in ix.setCatalog(self) or ():
            static = tuple(sorted(
                (static.items() if hasattr(static, 'items') else static),
                key=lambda kv: _sort_key(kv[0])))
            for k, v in static:
                if k is RELATION:
                    ix.setCatalog(None)
                    raise ValueError(
                        'may not register static value for RELATION (None)')
            key = _search_key(
                resultName, list(queryNames) + [k for k, v in static],
                maxDepth)
            matches.append(
                (key, ix, filter, queryFactory, static, resultName))
        self._searchIndexes += (ix,)
        self._searchIndexMatches += tuple(matches)

    def iterSearchIndexes(self):
        return iter(self._searchIndexes)

    def removeSearchIndex(self, ix):
        for i, existing in enumerate(self._searchIndexes):
            if existing is ix:
                self._searchIndexes = (
                    self._searchIndexes[:i] + self._searchIndexes[i + 1:])
                self._searchIndexMatches = tuple(
                    m for m in self._searchIndexMatches if m[1] is not ix)
                ix.setCatalog(None)
                return
        raise LookupError('index not found', ix)

    # -- token helpers -----------------------------------------------------

    def _queryArg(self, args, kwargs):
        if len(args) > 1 or (args and kwargs):
            raise TypeError(
                'supply a query dictionary or keyword arguments, not both')
        if args:
            query = args[0]
            return list(query.items() if hasattr(query, 'items') else query)
        return list(kwargs.items())

    def _convertQuery(self, items, which):
        result = {}
        caches = collections.defaultdict(dict)
        for key, value in items:
            if key is RELATION:
                func = self._dump if which == 'dump' else self._load
            else:
                func = self._index(key)[which]
            if value is None or func is None:
                result[key] = value
            elif isinstance(value, Any):
                cache = caches[key]
                result[key] = Any(func(v, self, cache) for v in value.source)
            else:
                result[key] = func(value, self, caches[key])
        return result

    def tokenizeQuery(self, *args, **kwargs):
        return self._convertQuery(self._queryArg(args, kwargs), 'dump')

    def resolveQuery(self, *args, **kwargs):
        return self._convertQuery(self._queryArg(args, kwargs), 'load')

    def tokenizeValues(self, values, name):
        dump = self._index(name)['dump']
        if dump is None:
            return values
        return self._convertAll(values, dump)

    def resolveValueTokens(self, tokens, name):
        load = self._index(name)['load']
        if load is None:
            return tokens
        return self._convertAll(tokens, load)

    def _convertAll(self, items, func):
        cache = {}
        for item in items:
            yield func(item, self, cache)

    def tokenizeRelation(self, rel):
        return self._dump(rel, self, {})

    def resolveRelationToken(self, token):
        return self._load(token, self, {})

    def tokenizeRelations(self, rels):
        return self._convertAll(rels, self._dump)

    def resolveRelationTokens(self, tokens):
        return self._convertAll(tokens, self._load)

_document(Catalog, interfaces.ICatalog)
_document(Searching, interfaces.ICatalog)
