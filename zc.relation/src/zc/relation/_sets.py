"""Helpers over BTrees modules shared by the catalog and the search
indexes: the module's types by dotted name, and set algebra that stays
cheap when one operand is much smaller than the other."""
import importlib

# The BTree keyed like a module's keys, holding objects: the map from value
# token to relation set (and from relation token to value set).
_KEYED_MAPS = {
    'I': 'BTrees.IOBTree', 'L': 'BTrees.LOBTree', 'O': 'BTrees.OOBTree',
    'U': 'BTrees.UOBTree', 'Q': 'BTrees.QOBTree',
}

tools_cache = {}


def module_name(module):
    name = getattr(module, '__name__', None)
    if not isinstance(name, str) or not name.startswith('BTrees.'):
        raise ValueError('expected a BTrees module such as BTrees.family32.IF',
                         module)
    return name


def tools(modname):
    # Module objects do not pickle, so the catalog stores dotted names and
    # resolves them here once per process.
    found = tools_cache.get(modname)
    if found is None:
        module = importlib.import_module(modname)
        keyletter = modname[len('BTrees.')]
        found = {
            'module': module,
            'BTree': module.BTree,
            'Bucket': module.Bucket,
            'Set': module.Set,
            'TreeSet': module.TreeSet,
            'difference': module.difference,
            'intersection': module.intersection,
            'union': module.union,
            'multiunion': getattr(module, 'multiunion', None),
            'keyed': importlib.import_module(_KEYED_MAPS[keyletter]).BTree,
            'collections': (module.BTree, module.TreeSet, module.Bucket,
                            module.Set),
        }
        tools_cache[modname] = found
    return found


def multiunion(sets, tools):
    """The union of `sets` (BTree sets of the module described by `tools`).

    Falsy sets are dropped; with none left a new empty ``Set`` is returned,
    with one left that set itself.
    """
    sets = [s for s in sets if s]
    if not sets:
        return tools['Set']()
    if len(sets) == 1:
        return sets[0]
    mu = tools['multiunion']
    if mu is not None:
        return mu(sets)
    union = tools['union']
    result = sets[0]
    for s in sets[1:]:
        result = union(result, s)
    return result


def intersection(a, b, tools):
    """``a & b``; probes the larger set when the other is much smaller.

    BTrees' C intersection merges both sets, walking the larger one up to
    the end of the smaller: linear in the large set even for one token.
    """
    la = len(a)
    lb = len(b)
    if la > lb:
        a, b, la, lb = b, a, lb, la
    if la * 16 < lb:
        return tools['Set']([t for t in a if t in b])
    return tools['intersection'](a, b)


def difference(a, b, tools):
    """``a - b``; probes `b` when `a` is much smaller (see
    `intersection`)."""
    if len(a) * 16 < len(b):
        return tools['Set']([t for t in a if t not in b])
    return tools['difference'](a, b)


def as_set(sets, tools):
    """The union of `sets` as a new ``Set`` of the module (never one of the
    catalog's own structures)."""
    sets = [s for s in sets if s]
    mu = tools['multiunion']
    if mu is not None:
        return mu(sets)
    result = tools['Set']()
    for s in sets:
        result = tools['union'](result, s)
    return tools['Set'](result)
