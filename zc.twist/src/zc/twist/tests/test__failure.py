"""zc.twist.Failure, sanitize and truncate."""
import pickle
import unittest

import ZODB.POSException
from twisted.python.failure import Failure as TwistedFailure

import zc.twist
from zc.twist.tests.support import load_pickled_before_the_split
from zc.twist.tests.support import pickled_globals
from zc.twist.tests.support import root_stored_before_the_split

LONG = 'a string much longer than twenty-one characters'


class Oops(Exception):
    """An exception that may point back at the failure made from it."""


class SubFailure(zc.twist.Failure):
    """A subclass, to be unpickled as itself."""


def fail(value=LONG):
    secret = object()  # noqa: F841 (a local to be captured)
    raise Oops(value)


def caught(factory=zc.twist.Failure, **kw):
    try:
        fail(**kw)
    except Oops:
        return factory()


class FailureTests(unittest.TestCase):

    def test_keeps_reprs_only(self):
        failure = caught()
        self.assertIsNone(failure.tb)
        self.assertIsNone(failure.value.__traceback__)
        for name, filename, lineno, localz, globalz in failure.frames:
            self.assertIsInstance(lineno, int)
            for var, text in list(localz) + list(globalz):
                self.assertIsInstance(text, str)
        self.assertEqual([f[0] for f in failure.frames], ['caught', 'fail'])
        localz = dict(failure.frames[-1][3])
        self.assertEqual(localz['value'], repr(LONG))
        self.assertTrue(localz['secret'].startswith('<object object'))
        self.assertIn('LONG', dict(failure.frames[-1][4]))

    def test_chained_tracebacks_are_cleared_too(self):
        try:
            try:
                fail()
            except Oops:
                raise KeyError('second')
        except KeyError:
            failure = zc.twist.Failure()
        self.assertIsNone(failure.value.__context__.__traceback__)

    def test_twisted_behaviour_is_kept(self):
        failure = caught()
        self.assertIs(failure.check(ValueError, Oops), Oops)
        self.assertIs(failure.trap(Oops), Oops)
        with self.assertRaises(Oops):
            failure.trap(KeyError)
        self.assertIs(failure.type, Oops)
        self.assertEqual(failure.getErrorMessage(), LONG)
        text = failure.getTraceback()
        self.assertTrue(text.startswith('Traceback (most recent call last):'))
        self.assertTrue(text.endswith(
            f'zc.twist.tests.test__failure.Oops: {LONG}\n'), text)
        self.assertIn('Oops', failure.getBriefTraceback())

    def test_verbose_traceback_shows_locals(self):
        text = caught().getTraceback(detail='verbose')
        self.assertIn(f'value : {repr(repr(LONG))}', text)

    def test_captures_variables_by_default_but_not_when_asked(self):
        failure = caught(lambda: zc.twist.Failure(captureVars=False))
        self.assertEqual(list(failure.frames[-1][3]), [])

    def test_explicit_exception_without_traceback(self):
        error = KeyError('no such key')
        failure = zc.twist.Failure(error)
        self.assertIs(failure.value, error)
        self.assertEqual(failure.frames, [])
        self.assertIsNone(failure.tb)
        self.assertTrue(pickle.loads(pickle.dumps(failure)).check(KeyError))

    def test_sanitized_is_false_and_clean_failure_does_nothing(self):
        failure = caught()
        self.assertFalse(zc.twist.Failure.sanitized)
        before = dict(failure.__dict__)
        failure.cleanFailure()
        self.assertEqual(failure.__dict__, before)

    def test_pickled_copy_is_sanitized_and_small(self):
        failure = caught()
        copy = pickle.loads(pickle.dumps(failure))
        self.assertIs(type(copy), zc.twist.Failure)
        self.assertTrue(copy.sanitized)
        self.assertIsNone(copy.tb)
        self.assertEqual([f[0] for f in copy.frames], ['caught', 'fail'])
        for frame in copy.frames:
            self.assertEqual(list(frame[4]), [])
            for var, text in frame[3]:
                self.assertLessEqual(len(text), 26)
        self.assertEqual(dict(copy.frames[-1][3])['value'],
                         repr(LONG)[:21] + '[...]')
        self.assertEqual(copy.getTraceback().splitlines()[-1],
                         failure.getTraceback().splitlines()[-1])
        self.assertIn('(pickled)', copy.getTraceback(detail='verbose'))

    def test_pickling_leaves_the_original_alone(self):
        failure = caught()
        pickle.dumps(failure)
        self.assertFalse(failure.sanitized)
        self.assertEqual(dict(failure.frames[-1][3])['value'], repr(LONG))
        self.assertIn('LONG', dict(failure.frames[-1][4]))

    def test_getstate_is_callable_directly(self):
        state = caught().__getstate__()
        self.assertTrue(state['sanitized'])
        self.assertIsNone(state['tb'])
        self.assertEqual(state['stack'], [])
        self.assertEqual(state['parents'][0],
                         'zc.twist.tests.test__failure.Oops')

    def test_repickling_does_not_truncate_again(self):
        once = pickle.loads(pickle.dumps(caught()))
        twice = pickle.loads(pickle.dumps(once))
        self.assertEqual(twice.frames, once.frames)

    def test_subclasses_survive_pickling(self):
        failure = caught(SubFailure)
        self.assertIs(type(pickle.loads(pickle.dumps(failure))), SubFailure)

    def test_exception_referring_to_its_failure_pickles(self):
        failure = caught()
        failure.value.failure = failure
        copy = pickle.loads(pickle.dumps(failure))
        self.assertIs(copy.value.failure, copy)

    def test_conflict_error_pickles(self):
        try:
            raise ZODB.POSException.ConflictError(oid=b'\0' * 8)
        except ZODB.POSException.ConflictError:
            failure = zc.twist.Failure()
        copy = pickle.loads(pickle.dumps(failure))
        self.assertTrue(copy.check(ZODB.POSException.ConflictError))
        self.assertIn('database conflict error', copy.getErrorMessage())

    def test_truncate_cuts_reprs_longer_than_21_characters(self):
        self.assertEqual(zc.twist.truncate('x' * 21), 'x' * 21)
        self.assertEqual(zc.twist.truncate('x' * 22), 'x' * 21 + '[...]')
        self.assertEqual(zc.twist.truncate(''), '')


class SanitizeTests(unittest.TestCase):

    def test_our_failures_are_returned_as_they_are(self):
        failure = caught()
        self.assertIs(zc.twist.sanitize(failure), failure)

    def test_twisted_failure_with_variables(self):
        original = caught(lambda: TwistedFailure(captureVars=True))
        failure = zc.twist.sanitize(original)
        self.assertIs(type(failure), zc.twist.Failure)
        self.assertIs(failure.type, Oops)
        self.assertIs(failure.value, original.value)
        self.assertIsNone(failure.tb)
        self.assertEqual([f[0] for f in failure.frames], ['caught', 'fail'])
        self.assertEqual(dict(failure.frames[-1][3])['value'], repr(LONG))
        self.assertIsNotNone(original.tb, 'the original is left alone')
        copy = pickle.loads(pickle.dumps(failure))
        self.assertEqual(dict(copy.frames[-1][3])['value'],
                         repr(LONG)[:21] + '[...]')

    def test_twisted_failure_without_variables(self):
        failure = zc.twist.sanitize(caught(TwistedFailure))
        self.assertEqual([list(f[3]) for f in failure.frames], [[], []])
        self.assertTrue(failure.getTraceback().endswith(f'Oops: {LONG}\n'))

    def test_cleaned_twisted_failure_keeps_its_reprs(self):
        original = caught(lambda: TwistedFailure(captureVars=True))
        original.cleanFailure()
        failure = zc.twist.sanitize(original)
        self.assertEqual(dict(failure.frames[-1][3])['value'], repr(LONG))



class StoredFailureTests(unittest.TestCase):
    """Failures stored by earlier versions load: their pickles name
    zc.twist.Failure and zc.twist._new_failure, wherever the code lives."""

    def check_stored(self, failure):
        self.assertIs(type(failure), zc.twist.Failure)
        self.assertTrue(failure.check(ValueError))
        self.assertEqual(failure.getErrorMessage(), 'stored before the split')
        self.assertTrue(failure.sanitized)
        self.assertIn('ValueError: stored before the split',
                      failure.getTraceback())

    def test_failure_pickled_before_the_split_still_loads(self):
        self.check_stored(load_pickled_before_the_split()['failure'])

    def test_failure_stored_in_a_database_before_the_split_still_loads(self):
        with root_stored_before_the_split() as root:
            self.check_stored(root['failure'])

    def test_failures_are_still_pickled_under_the_package_path(self):
        names = pickled_globals(caught())
        self.assertIn('zc.twist Failure', names)
        self.assertIn('zc.twist _new_failure', names)
        self.assertFalse([n for n in names if n.startswith('zc.twist._')])
