"""The selection rules of the pools, step by step."""
import collections
import unittest

import gevent

from zc.resumelb.classlesspool import ClasslessPool
from zc.resumelb.interfaces import IPool
from zc.resumelb.lb import Pool


class W:
    """A stand-in for the LB's worker object."""

    def __init__(self, name, version=None):
        self.__name__ = name
        self.version = version

    def __repr__(self):
        return self.__name__


def gets(pool, rclass, n):
    return [repr(pool.get(rclass)) for _ in range(n)]


class PoolTests(unittest.TestCase):

    def test_the_reference_trace_is_reproduced(self):
        pool = Pool(variance=1.5, backlog_history=2, unskilled_score=0.5)
        w = {n: W(n) for n in ('w1', 'w2', 'w3', 'w4', 'w5')}
        pool.new_resume(w['w1'], {})
        self.assertEqual(gets(pool, 'foo', 1), ['w1'])
        pool.new_resume(w['w2'], {})
        self.assertEqual(gets(pool, 'foo', 1), ['w1'])
        self.assertEqual(gets(pool, 'bar', 1), ['w2'])
        self.assertAlmostEqual(w['w1'].mbacklog, 1.5714, 3)
        self.assertEqual(pool.backlog, 3)
        self.assertAlmostEqual(pool.mbacklog, 2.0888, 3)
        pool.new_resume(w['w3'], {})
        self.assertEqual(gets(pool, 'foo', 2), ['w1', 'w1'])
        self.assertEqual(w['w1'].backlog, 4)
        self.assertAlmostEqual(w['w1'].mbacklog, 2.8514, 3)
        self.assertEqual(
            gets(pool, 'foo', 10),
            'w3 w3 w3 w3 w1 w3 w1 w3 w1 w3'.split())
        self.assertEqual((w['w1'].backlog, w['w3'].backlog), (7, 7))
        self.assertAlmostEqual(w['w1'].mbacklog, 5.0783, 3)
        self.assertAlmostEqual(w['w3'].mbacklog, 5.0783, 3)
        pool.new_resume(w['w4'], {})
        pool.new_resume(w['w5'], {})
        self.assertEqual(gets(pool, 'foo', 2), ['w5', 'w5'])
        for _ in range(7):
            pool.put(w['w1'])
            pool.put(w['w3'])
        self.assertEqual(gets(pool, 'foo', 1), ['w1'])
        pool.new_resume(w['w1'], {'foo': 5.9})
        pool.new_resume(w['w2'], {'bar': 2, 'foo': 2})
        pool.new_resume(w['w3'], {'foo': 3.8})
        self.assertEqual(gets(pool, 'foo', 6),
                         'w1 w3 w3 w1 w2 w1'.split())
        pool.put(w['w1'])
        pool.put(w['w3'])
        pool.put(w['w3'])
        self.assertEqual(gets(pool, 'foo', 5), 'w3 w3 w1 w3 w1'.split())

    def test_equal_skills_spread_evenly_and_new_worker_goes_first(self):
        pool = Pool()
        for name in ('a', 'b', 'c'):
            pool.new_resume(W(name), {'bar': 2.0})
        self.assertEqual(collections.Counter(gets(pool, 'bar', 30)),
                         {'a': 10, 'b': 10, 'c': 10})
        pool.new_resume(W('d'), {})
        self.assertEqual(gets(pool, 'bar', 1), ['d'])

    def test_settings_defaults_coercion_and_decay(self):
        pool = Pool()
        self.assertEqual(
            (pool.unskilled_score, pool.variance, pool.backlog_history),
            (1.0, 1.0, 9))
        self.assertAlmostEqual(pool.worker_decay, 0.9444, 3)
        for name in ('a', 'b', 'c'):
            pool.new_resume(W(name), {})
        self.assertAlmostEqual(pool.decay, 0.98148, 4)
        pool.update_settings(dict(variance='2', backlog_history=6.2,
                                  unskilled_score=None, other=1))
        self.assertEqual((pool.variance, pool.backlog_history), (2.0, 6))
        self.assertAlmostEqual(pool.worker_decay, 0.91666, 4)
        self.assertAlmostEqual(pool.decay, 0.97222, 4)
        pool.update_settings({})
        self.assertEqual(
            (pool.unskilled_score, pool.variance, pool.backlog_history),
            (1.0, 1.0, 9))

    def test_zero_scores_never_win(self):
        pool = Pool()
        a, b = W('a'), W('b')
        pool.new_resume(a, {'x': 0.0})
        pool.new_resume(b, {})
        # b is at the LRU front and unskilled, a's zero score loses.
        self.assertEqual(gets(pool, 'x', 1), ['b'])
        self.assertEqual(b.resume, {'x': 1.0})

    def test_remove_then_put_and_waiting_for_workers(self):
        pool = Pool()
        a = W('a')
        pool.new_resume(a, {})
        self.assertIs(pool.get('x'), a)
        pool.remove(a)
        self.assertEqual(pool.backlog, 1)
        pool.put(a)
        self.assertEqual((pool.backlog, a.backlog), (0, 0))
        self.assertIsNone(pool.get('x', timeout=0.01))
        b = W('b')
        gevent.spawn_later(0.01, pool.new_resume, b, {})
        self.assertIs(pool.get('x', timeout=2), b)

    def test_put_never_goes_negative(self):
        pool = Pool()
        a = W('a')
        pool.new_resume(a, {})
        pool.put(a)
        self.assertEqual((pool.backlog, a.backlog), (0, 0))

    def test_repr_and_status(self):
        pool = Pool()
        a, b = W('a'), W('b')
        pool.new_resume(a, {'x': 2.0})
        pool.new_resume(b, {'y': 1.0})
        pool.get('x')
        self.assertEqual(repr(pool).splitlines()[:5], [
            'Request classes:',
            '  x: a(2.0,1.0)',
            '  y: b(1.0,0)',
            'Backlogs:',
            '  overall backlog: 1 Decayed: 1.0 Avg: 0.5',
        ])
        self.assertEqual(repr(pool).splitlines()[5:],
                         ['  0: [b]', '  1: [a]'])
        self.assertEqual(pool.status(), dict(
            backlog=1, mean_backlog=1.0,
            workers=[['a', 1, 1.0, None], ['b', 0, 0, None]],
            workers_ex=[['a', 0], ['b', 0]]))

    def test_both_pools_provide_ipool(self):
        self.assertTrue(IPool.providedBy(Pool()))
        self.assertTrue(IPool.providedBy(ClasslessPool()))


class SingleVersionTests(unittest.TestCase):

    def test_the_majority_version_becomes_active(self):
        pool = Pool(single_version=True)
        w1, w2 = W('w1', 'v1'), W('w2', 'v1')
        w3, w4, w5 = W('w3', 'v2'), W('w4', 'v2'), W('w5', 'v2')
        pool.new_resume(w1, {})
        pool.new_resume(w2, {})
        pool.new_resume(w3, {'a': .1})
        pool.new_resume(w4, {'b': .1})
        self.assertEqual(pool.version, 'v1')
        self.assertEqual(gets(pool, 'a', 1) + gets(pool, 'b', 1),
                         ['w2', 'w1'])
        self.assertIn('  Inactive: v2: [w3, w4]', repr(pool).splitlines())
        pool.new_resume(w5, {})
        self.assertEqual(pool.version, 'v2')
        self.assertEqual(repr(pool).splitlines()[:2],
                         ['Version: v2', '  Inactive: v1: [w1, w2]'])
        self.assertEqual(gets(pool, 'c', 1) + gets(pool, 'a', 1),
                         ['w5', 'w3'])
        pool.remove(w4)
        pool.remove(w5)
        self.assertEqual(pool.version, 'v1')
        # Backlogs survive the switches.
        self.assertEqual((w1.backlog, w2.backlog), (1, 1))
        self.assertEqual(pool.workers, {w1, w2})

    def test_ties_keep_the_active_version(self):
        pool = Pool(single_version=True)
        pool.new_resume(W('a', 1), {})
        pool.new_resume(W('b', 2), {})
        self.assertEqual(pool.version, 1)

    def test_the_classless_pool_has_single_version_mode_too(self):
        pool = ClasslessPool(single_version=True)
        a, b, c = W('a', 1), W('b', 2), W('c', 2)
        pool.new_resume(a, None)
        self.assertIs(pool.get(''), a)
        pool.new_resume(b, None)
        pool.new_resume(c, None)
        self.assertEqual(pool.version, 2)
        self.assertEqual(pool.backlog, 1)
        pool.put(a)
        self.assertEqual(pool.backlog, 0)
        self.assertIn(pool.get(''), (b, c))

