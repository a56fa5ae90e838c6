"""Failures that keep reprs only, so they hold nothing alive and pickle small."""
import twisted.python.failure
from twisted.python import reflect

# The length a local variable's repr is cut to when a failure is pickled.
_REPR_LIMIT = 21


def truncate(s):
    """Cut a repr longer than 21 characters to 21 characters plus ``[...]``."""
    if len(s) > _REPR_LIMIT:
        return s[:_REPR_LIMIT] + '[...]'
    return s



def _clear_tracebacks(value):
    """Drop the tracebacks of an exception and of the exceptions it chains.

    They are what would keep frames, and with them connections and
    persistent objects, alive.
    """
    seen = set()
    while isinstance(value, BaseException) and id(value) not in seen:
        seen.add(id(value))
        value.__traceback__ = None
        value = value.__cause__ or value.__context__


def _safe_reprs(items):
    return [(name, reflect.safe_repr(obj)) for name, obj in items]


class Failure(twisted.python.failure.Failure):
    """A Twisted failure that keeps reprs only, and pickles small.

    The constructor takes Twisted's arguments, but captures the local and
    global variables of the frames by default.  Right after construction
    the variables are replaced by their reprs, the traceback is dropped
    (``tb`` is None, ``value.__traceback__`` is cleared), so the failure
    keeps nothing alive.  A pickled copy also leaves out the globals and
    cuts each local's repr to 21 characters plus ``[...]``.
    """

    #: True for a failure that went through pickling.
    sanitized = False

    def __init__(self, exc_value=None, exc_type=None, exc_tb=None,
                 captureVars=True):
        super().__init__(exc_value, exc_type, exc_tb, captureVars)
        self._keep_reprs_only()

    def _keep_reprs_only(self):
        # Frames computed from a live traceback hold objects; frames without
        # a traceback came from a cleaned or unpickled failure and already
        # hold reprs, which must not be repr'd a second time.
        live = self.tb is not None
        frames = []
        for name, filename, lineno, localz, globalz in self.frames:
            if live:
                localz = _safe_reprs(localz)
                globalz = _safe_reprs(globalz)
            frames.append((name, filename, lineno, list(localz),
                           list(globalz)))
        self.parents  # computed while the type is at hand; it is cached
        self._frames = frames
        self.tb = None
        self.__dict__.pop('stack', None)
        _clear_tracebacks(self.value)

    def cleanFailure(self):
        """Do nothing: the failure holds no live objects already."""

    def __getstate__(self):
        """The state a pickled copy gets: small, without globals or long reprs."""
        state = self.__dict__.copy()
        state['parents'] = state.pop('_parents', None) or list(self.parents)
        frames = state.pop('_frames', [])
        if not self.sanitized:
            frames = [
                (name, filename, lineno,
                 [(var, truncate(text)) for var, text in localz],
                 [])
                for name, filename, lineno, localz, globalz in frames]
        state['frames'] = frames
        state['stack'] = []
        state['tb'] = None
        state['pickled'] = 1
        state['sanitized'] = True
        return state

    def __setstate__(self, state):
        state = dict(state)
        state.pop('stack', None)
        # In current Twisted, frames and parents are properties backed by
        # these attributes; stored under their own names they would vanish.
        state['_parents'] = state.pop('parents', None)
        state['_frames'] = state.pop('frames', [])
        self.__dict__.update(state)

    def __reduce__(self):
        # Twisted's __reduce__ names its own class; keep ours.
        return (_new_failure, (type(self),), self.__getstate__())




def _new_failure(cls):
    return cls.__new__(cls)


# Pickles name the class and this function by their public paths, where
# databases written before the package was split into modules find them.
Failure.__module__ = 'zc.twist'
_new_failure.__module__ = 'zc.twist'


def sanitize(failure):
    """Return a zc.twist ``Failure`` for a Twisted failure.

    Ours are returned as they are.  Any other failure is copied without
    raising anything: same type, same exception object, the same frames
    with whatever variables it had captured, turned into reprs, and no
    traceback.
    """
    if isinstance(failure, Failure):
        return failure
    result = Failure.__new__(Failure)
    result.__dict__.update(failure.__dict__)
    if '_frames' not in result.__dict__:
        result._frames = list(failure.frames)
    result._keep_reprs_only()
    return result
