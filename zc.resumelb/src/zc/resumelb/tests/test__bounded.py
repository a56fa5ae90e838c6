"""The bounded résumé pool: homes, spreading, the bound, overflow."""
import collections
import http.client
import math
import os
import random
import subprocess
import sys
import unittest

import zope.interface.verify

from zc.resumelb import zk
from zc.resumelb.interfaces import IPool
from zc.resumelb.lb import BoundedPool
from zc.resumelb.tests import test_zk


class W:
    """A stand-in for the LB's worker object."""

    def __init__(self, name, version=None):
        self.__name__ = name
        self.version = version

    def __repr__(self):
        return self.__name__


def stopped():
    """A clock that never moves: nothing is measured, so every worker
    counts alike and the bound is in requests."""
    return 0.0


class Clock:
    """A clock the test moves by hand."""

    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


class Stopped(Clock):
    """A clock that ignores being moved."""

    now = property(lambda self: 0.0, lambda self, value: None)


def pool_of(names, **settings):
    settings.setdefault('clock', stopped)
    pool = BoundedPool(**settings)
    workers = {name: W(name) for name in names}
    for worker in workers.values():
        pool.new_resume(worker, {})
    return pool, workers


def served(pool, rclass):
    """get and put at once: a request that finishes before the next."""
    worker = pool.get(rclass)
    pool.put(worker)
    return worker


NAMES = ['10.0.0.1:8080', '10.0.0.2:8080', '10.0.0.3:8080', '10.0.0.4:8080']


class BoundedPoolTests(unittest.TestCase):

    def test_provides_the_pool_interface(self):
        pool, _ = pool_of(NAMES)
        zope.interface.verify.verifyObject(IPool, pool)

    def test_an_idle_pool_sends_a_class_to_the_first_worker_of_its_home(self):
        pool, _ = pool_of(NAMES)
        for rclass in ('a.example', 'b.example', 'c.example'):
            home = pool.home_order(rclass)[0]
            self.assertEqual({served(pool, rclass) for _ in range(5)}, {home})

    def test_home_orders_list_every_worker_once(self):
        pool, workers = pool_of(NAMES)
        order = pool.home_order('a.example')
        self.assertEqual(sorted(order, key=repr),
                         sorted(workers.values(), key=repr))

    def test_pools_agree_on_homes_whatever_order_workers_joined_in(self):
        first, _ = pool_of(NAMES)
        second, _ = pool_of(reversed(NAMES))
        classes = [f'site{i}' for i in range(200)]
        self.assertEqual(
            [repr(first.home_order(c)) for c in classes],
            [repr(second.home_order(c)) for c in classes])
        self.assertGreater(
            len({repr(first.home_order(c)[0]) for c in classes}), 3)

    def test_homes_are_the_same_in_processes_with_other_hash_seeds(self):
        script = (
            'from zc.resumelb.tests.test__bounded import NAMES, pool_of;'
            'pool, _ = pool_of(NAMES);'
            'print([repr(pool.home_order(f"s{i}")[0]) for i in range(50)])')
        outputs = set()
        for seed in ('1', '2'):
            outputs.add(subprocess.run(
                [sys.executable, '-c', script], check=True,
                capture_output=True, text=True, timeout=60,
                env=dict(os.environ, PYTHONHASHSEED=seed,
                         PYTHONPATH=os.pathsep.join(sys.path))).stdout)
        self.assertEqual(len(outputs), 1)

    def test_a_worker_that_leaves_takes_only_its_own_classes_along(self):
        pool, workers = pool_of(NAMES)
        classes = [f'site{i}' for i in range(300)]
        orders = {c: pool.home_order(c) for c in classes}
        leaver = workers[NAMES[1]]
        pool.remove(leaver)
        for rclass in classes:
            old = orders[rclass]
            self.assertIs(pool.home_order(rclass)[0],
                          old[1] if old[0] is leaver else old[0])
        moved = sum(orders[c][0] is leaver for c in classes) / len(classes)
        self.assertTrue(0.1 < moved < 0.4, moved)

    def test_a_returning_worker_gets_its_classes_back_at_once(self):
        pool, workers = pool_of(NAMES)
        classes = [f'site{i}' for i in range(300)]
        homes = {c: repr(pool.home_order(c)[0]) for c in classes}
        pool.remove(workers[NAMES[1]])
        for rclass in classes:
            served(pool, rclass)
        pool.new_resume(W(NAMES[1]), {})
        self.assertEqual({c: repr(served(pool, c)) for c in classes}, homes)

    def test_no_worker_gets_more_than_the_bound(self):
        pool, workers = pool_of(NAMES, load_factor=1.25)
        for i in range(200):
            pool.get('hot' if i % 2 else f'cold{i % 7}')
            limit = math.ceil(1.25 * pool.backlog / len(workers))
            self.assertLessEqual(
                max(w.backlog for w in workers.values()), limit)
        self.assertEqual(pool.backlog, 200)
        self.assertEqual(sum(w.backlog for w in workers.values()), 200)

    def test_a_hot_class_spreads_over_as_many_workers_as_its_share_needs(self):
        pool, _ = pool_of(NAMES, hot_share=0.5)
        for i in range(4000):
            served(pool, 'hot' if i % 4 == 0 else f'cold{i}')
        # A quarter of the requests, half a fair share per worker: two.
        self.assertAlmostEqual(pool.share('hot'), 0.25, delta=0.02)
        self.assertEqual(pool.spread('hot'), 2)
        self.assertEqual(pool.spread('cold1'), 1)
        got = collections.Counter()
        outstanding = []
        for _ in range(40):
            worker = pool.get('hot')
            got[worker] += 1
            outstanding.append(worker)
            if len(outstanding) == 2:
                for worker in outstanding:
                    pool.put(worker)
                outstanding = []
        self.assertEqual(set(got), set(pool.home_order('hot')[:2]))
        self.assertEqual(sorted(got.values()), [20, 20])

    def test_class_counts_decay_and_rare_classes_are_forgotten(self):
        pool, _ = pool_of(NAMES, class_history=100)
        served(pool, 'once')
        self.assertGreater(pool.share('once'), 0)
        for i in range(1000):
            served(pool, f'steady{i % 5}')
        self.assertEqual(pool.share('once'), 0.0)
        self.assertAlmostEqual(pool.share('steady0'), 0.2, delta=0.01)

    def test_past_the_bound_a_request_goes_where_the_resume_knows_the_class(
            self):
        pool, workers = pool_of(NAMES[:3])
        for i in range(300):
            served(pool, f'other{i}')
        order = pool.home_order('x')
        pool.new_resume(order[2], {'x': 50.0})
        self.assertIs(pool.get('x'), order[0])
        # The home holds 1 of 1 outstanding: at the bound, ceil(1.25*2/3).
        self.assertIs(pool.get('x'), order[2])

    def test_past_the_bound_with_no_resume_the_home_order_decides(self):
        pool, workers = pool_of(NAMES[:3])
        for i in range(300):
            served(pool, f'other{i}')
        order = pool.home_order('x')
        # Bounds of 1, 1, 2 outstanding requests per worker.
        self.assertEqual([pool.get('x') for _ in range(3)],
                         [order[0], order[1], order[0]])

    def test_a_class_pushed_past_the_bound_comes_home_when_there_is_room(
            self):
        pool, workers = pool_of(NAMES[:3])
        for i in range(300):
            served(pool, f'other{i}')
        order = pool.home_order('x')
        first, second = pool.get('x'), pool.get('x')
        self.assertEqual([first, second], order[:2])
        pool.put(first)
        pool.put(second)
        self.assertEqual({served(pool, 'x') for _ in range(5)}, {order[0]})

    def measured_pool(self, clock=None, **settings):
        """Three workers that served more than ``class_history`` requests;
        a request for x served at home in 1 time unit, one sent away from
        it (a cache miss, say) in 9."""
        clock = clock or Clock()
        settings.setdefault('class_history', 100)
        # x never gets hot enough to be spread.
        settings.setdefault('hot_share', 1.0)
        pool, _ = pool_of(NAMES[:3], clock=clock, **settings)
        for i in range(300):
            served(pool, f'other{i}')
        home, away, _ = order = pool.home_order('x')
        self.assertEqual([pool.get('x'), pool.get('x')], [home, away])
        clock.now = 1.0
        pool.put(home)
        clock.now = 9.0
        pool.put(away)
        return pool, clock, order

    def until_x_moves(self, pool):
        """Requests for x, none answered, until x moves (at most 30): the
        workers they went to, in order."""
        got = []
        while pool.moved('x') is None and len(got) < 30:
            got.append(pool.get('x'))
        self.assertIsNotNone(pool.moved('x'))
        return got

    def test_service_times_are_measured_from_get_to_put_or_put_to_put(self):
        pool, clock, (home, away, third) = self.measured_pool()
        self.assertEqual(
            [pool.service_time(w) for w in (home, away, third)],
            [1.0, 9.0, None])
        clock = Clock()
        pool, workers = pool_of(NAMES[:1], clock=clock)
        worker = workers[NAMES[0]]
        pool.get('y'), pool.get('y')
        clock.now = 2.0
        pool.put(worker)
        self.assertEqual(pool.service_time(worker), 2.0)
        clock.now = 3.0
        pool.put(worker)
        # One unit after the worker last answered, averaged in.
        self.assertAlmostEqual(pool.service_time(worker), 1.95)
        pool.remove(worker)
        self.assertIsNone(pool.service_time(worker))

    def test_past_the_bound_a_request_stays_home_while_moving_costs_more(
            self):
        # However unbalanced the home gets: patience decides alone.
        pool, clock, (home, away, _) = self.measured_pool(balance=100)
        pool.update_settings(dict(patience=1))
        clock.now = 20.0
        # Home answers in 1, a move costs 9 - 1 = 8: a request stays home
        # until the home's expected wait exceeds 8 units.
        got = [pool.get('x') for _ in range(10)]
        self.assertEqual(got, [home] * 9 + [away])

    def test_with_patience_0_a_request_stays_home_if_it_is_done_sooner(
            self):
        pool, clock, (home, away, third) = self.measured_pool(patience=0)
        clock.now = 20.0
        # Home answers in 1, the next worker in 9.  The second request
        # finds home at the bound and the next worker idle: it moves.  The
        # fourth finds home at the bound again, with a wait of 2 against 9
        # at the next worker: it stays, where a count would move it.
        self.assertEqual([pool.get('x') for _ in range(4)],
                         [home, away, home, home])

    def test_while_its_home_is_balanced_a_request_stays_past_the_bound(
            self):
        pool, clock, (home, away, _) = self.measured_pool()
        clock.now = 20.0
        got = [pool.get('x') for _ in range(4)]
        self.assertEqual(got, [home] * 4)
        self.assertIsNone(pool.moved('x'))

    def test_an_unbalanced_home_moves_the_class_that_finds_it_at_the_bound(
            self):
        pool, clock, (home, away, third) = self.measured_pool()
        clock.now = 20.0
        got = self.until_x_moves(pool)
        # The home's average rose past 1.2 times the mean (plus a third of
        # a request) while its backlog grew.
        self.assertEqual(got[:-1], [home] * (len(got) - 1))
        self.assertIsNot(got[-1], home)
        self.assertIs(pool.moved('x'), got[-1])
        for worker in got:
            pool.put(worker)
        # Later requests go where the class moved, idle home or not.
        self.assertEqual({served(pool, 'x') for _ in range(5)}, {got[-1]})

    def test_an_unbalanced_home_moves_one_class_at_a_time(self):
        pool, clock, (home, _, _) = self.measured_pool()
        clock.now = 20.0
        # Another class with the same first home as x.
        same = next(c for c in (f'y{i}' for i in range(1000))
                    if pool.home_order(c)[0] is home)
        outstanding = self.until_x_moves(pool)
        # Within class_history / 20 = 5 requests, the home keeps the rest.
        outstanding += [pool.get(same) for _ in range(3)]
        self.assertIsNone(pool.moved(same))
        outstanding += [pool.get(same) for _ in range(3)]
        self.assertIsNotNone(pool.moved(same))

    def test_a_worker_that_joins_gets_moved_classes_back(self):
        pool, clock, (home, _, _) = self.measured_pool()
        clock.now = 20.0
        self.until_x_moves(pool)
        pool.new_resume(W('10.0.0.9:8080'), {})
        self.assertIsNone(pool.moved('x'))

    def test_moves_to_a_worker_that_leaves_are_forgotten(self):
        pool, clock, (home, _, _) = self.measured_pool()
        clock.now = 20.0
        outstanding = self.until_x_moves(pool)
        moved_to = pool.moved('x')
        pool.remove(moved_to)
        self.assertIsNone(pool.moved('x'))
        for worker in outstanding:
            pool.put(worker)
        self.assertIs(served(pool, 'x'), home)

    def running_pool_and_newcomer(self):
        """Three workers after 400 requests, half for one hot class, and a
        newcomer that is not the hot class's first home."""
        pool, workers = pool_of(NAMES[:3], class_history=100)
        for i in range(400):
            served(pool, 'hot' if i % 2 else f'cold{i}')
        self.assertGreater(pool.spread('hot'), 1)
        name = next(
            name for name in (f'10.0.0.{i}:8080' for i in range(9, 60))
            if repr(pool_of(NAMES[:3] + [name])[0].home_order('hot')[0])
            != name)
        newcomer = W(name)
        pool.new_resume(newcomer, {})
        return pool, newcomer

    def test_a_newcomer_to_a_running_pool_is_first_for_hot_classes(self):
        pool, newcomer = self.running_pool_and_newcomer()
        self.assertEqual(pool.catching_up(), [newcomer])
        self.assertIs(served(pool, 'hot'), newcomer)

    def test_a_newcomer_is_first_for_hot_classes_while_behind_a_fair_share(
            self):
        pool, newcomer = self.running_pool_and_newcomer()
        served(pool, 'hot')
        # One request of one: more than a quarter.
        self.assertEqual(pool.catching_up(), [])
        self.assertIsNot(served(pool, 'hot'), newcomer)
        others = (f'other{i}' for i in range(10000))
        for _ in range(3):
            served(pool, next(rclass for rclass in others
                              if pool.home_order(rclass)[0] is not newcomer))
        # One of five.
        self.assertEqual(pool.catching_up(), [newcomer])
        self.assertIs(served(pool, 'hot'), newcomer)

    def test_a_newcomer_catches_up_for_eight_class_histories(self):
        pool, newcomer = self.running_pool_and_newcomer()
        others = (f'other{i}' for i in range(10000))
        for _ in range(8 * 100):
            # Behind all along: it is never given a request.
            self.assertEqual(pool.catching_up(), [newcomer])
            served(pool, next(rclass for rclass in others
                              if pool.home_order(rclass)[0] is not newcomer))
        self.assertEqual(pool.catching_up(), [])
        self.assertIsNot(served(pool, 'hot'), newcomer)

    def test_workers_there_from_the_start_do_not_catch_up(self):
        pool, workers = pool_of(NAMES[:3], class_history=100)
        busy = next(iter(workers.values()))
        for _ in range(300):
            served(pool, next(rclass for rclass in map(str, range(10000))
                              if pool.home_order(rclass)[0] is busy))
        self.assertEqual(pool.catching_up(), [])

    def test_while_a_newcomer_warms_up_the_bound_is_hard(self):
        pool, clock, _ = self.measured_pool(class_history=100)
        # The same requests, measuring nothing.
        reference, _, _ = self.measured_pool(Stopped(), class_history=100)
        for each in (pool, reference):
            each.new_resume(W('10.0.0.9:8080'), {})
            for i in range(50):
                served(each, f'again{i}')
        clock.now = 20.0
        self.assertEqual(repr(pool.newcomers()), '[10.0.0.9:8080]')
        self.assertEqual([repr(pool.get('x')) for _ in range(6)],
                         [repr(reference.get('x')) for _ in range(6)])

    def test_a_stopped_clock_measures_nothing_and_counts_requests(self):
        pool, workers = pool_of(NAMES[:1])
        worker = workers[NAMES[0]]
        served(pool, 'y')
        self.assertIsNone(pool.service_time(worker))

    def test_a_newcomer_shares_the_hot_classes_for_a_while(self):
        pool, workers = pool_of(NAMES, hot_share=0.5, class_history=400)
        for i in range(1000):
            served(pool, 'hot' if i % 4 == 0 else f'cold{i}')
        self.assertEqual(pool.newcomers(), [])
        # A quarter of the requests, over five workers: three homes.
        spread = 3
        # A newcomer that is not among the hot class's homes anyway.
        name = next(
            name for name in (f'10.0.0.{i}:8080' for i in range(9, 60))
            if name not in map(repr, pool_of(NAMES + [name])[0].home_order(
                'hot')[:spread]))
        newcomer = W(name)
        pool.new_resume(newcomer, {})
        self.assertEqual(pool.newcomers(), [newcomer])
        self.assertEqual(pool.spread('hot'), spread)
        self.assertNotIn(newcomer, pool.home_order('hot')[:spread])
        outstanding = [pool.get('hot') for _ in range(5)]
        self.assertIn(newcomer, outstanding)
        for worker in outstanding:
            pool.put(worker)
        for i in range(400):
            served(pool, f'cold{i}')
        self.assertEqual(pool.newcomers(), [])

    def cached_pool(self, names=NAMES[:2], **settings):
        """A pool over workers that each keep 20 classes in an LRU cache, a
        hit taking 1 time unit and a miss 10, after 2000 requests (one at a
        time), half of them for 5 classes asked for again and again, half
        for 60 classes in turn, each asked for again when it is long out
        of its worker's cache."""
        clock = Clock()
        settings.setdefault('hot_share', 1.0)
        pool, workers = pool_of(names, clock=clock, **settings)
        caches = collections.defaultdict(collections.OrderedDict)

        def serve(rclass):
            worker = pool.get(rclass)
            cache = caches[worker]
            hit = rclass in cache
            cache[rclass] = True
            cache.move_to_end(rclass)
            if len(cache) > 20:
                cache.popitem(last=False)
            clock.now += 1 if hit else 10
            pool.put(worker)
            return worker

        for i in range(2000):
            serve(f'again{i % 5}' if i % 2 else f'turn{i % 120}')
        return pool, workers, serve

    def test_the_pool_learns_which_requests_are_likely_misses(self):
        pool, workers, serve = self.cached_pool()
        worker = serve('again0')
        self.assertFalse(pool.likely_miss('again0', worker))
        self.assertTrue(pool.likely_miss('never-seen', worker))
        # About a hundred classes given to it since, for a cache of twenty.
        for i in range(200):
            serve(f'more{i}')
        self.assertTrue(pool.likely_miss('again0', worker))

    def test_with_nothing_measured_no_request_is_a_likely_miss(self):
        pool, workers = pool_of(NAMES[:2])
        for i in range(500):
            served(pool, f'once{i}')
        self.assertFalse(pool.likely_miss('never-seen', workers[NAMES[0]]))

    def test_a_likely_miss_goes_to_the_worker_with_the_least_work(self):
        pool, workers, serve = self.cached_pool()
        home = pool.home_order('new0')[0]
        first, second = self.homed_at(pool, home, 2)
        self.assertIs(pool.get(first), home)
        # A miss at home would wait for the first; the other worker has
        # nothing to do.
        other = pool.get(second)
        self.assertIsNot(other, home)
        # Its data is loaded there now: later requests follow.
        self.assertIs(pool.moved(second), other)
        self.assertIs(pool.get(second), other)

    def test_a_likely_miss_stays_home_while_home_has_about_the_least_work(
            self):
        pool, workers, serve = self.cached_pool()
        again = 'again0'
        home = pool.home_order(again)[0]
        # A hit in hand at home, nothing at the other worker: a miss at
        # home waits a little, which balance allows.
        self.assertIs(pool.get(again), home)
        fresh, = self.homed_at(pool, home, 1)
        self.assertIs(pool.get(fresh), home)
        self.assertIsNone(pool.moved(fresh))

    def homed_at(self, pool, worker, count):
        """``count`` classes never seen whose home is ``worker``."""
        names = (f'new{i}' for i in range(1000))
        return [name for name in names
                if pool.home_order(name)[0] is worker][:count]

    def test_a_likely_miss_at_home_goes_where_its_class_is_warm(self):
        pool, workers, serve = self.cached_pool()
        home = pool.home_order('new0')[0]
        first, second = self.homed_at(pool, home, 2)
        busy = pool.get(first)
        other = pool.get(second)
        pool.put(busy)
        pool.put(other)
        # A worker joins: moves are forgotten.  A third worker whose
        # arrival does not change the class's home.
        name = next(name for name in (f'10.0.0.{i}:8080' for i in range(9, 60))
                    if repr(pool_of(NAMES[:2] + [name])[0].home_order(
                        second)[0]) == repr(home))
        pool.new_resume(W(name), {})
        self.assertIsNone(pool.moved(second))
        self.assertIs(pool.get(second), other)

    def test_a_newcomer_gets_its_own_classes_though_they_would_miss(self):
        pool, workers, serve = self.cached_pool()
        home, other = pool.home_order('again0')
        pool.remove(home)
        for _ in range(3):
            self.assertIs(serve('again0'), other)
        back = W(repr(home))
        pool.new_resume(back, {})
        self.assertTrue(pool.likely_miss('again0', back))
        self.assertIs(serve('again0'), back)

    def test_a_worker_that_leaves_is_forgotten_as_a_place_of_warm_data(self):
        pool, workers, serve = self.cached_pool()
        worker = serve('again0')
        pool.remove(worker)
        pool.new_resume(worker, {})
        self.assertTrue(pool.likely_miss('again0', worker))

    def test_put_for_a_removed_worker_keeps_backlogs_at_zero_or_more(self):
        pool, workers = pool_of(NAMES[:2])
        worker = pool.get('a')
        pool.remove(worker)
        pool.put(worker)
        pool.put(worker)
        self.assertEqual((pool.backlog, worker.backlog), (0, 0))
        self.assertEqual(len(pool.workers), 1)

    def test_get_on_an_empty_pool_waits_for_the_timeout_then_gives_none(self):
        self.assertIsNone(BoundedPool().get('a', timeout=0.01))

    def test_settings_default_from_the_constructor_and_ignore_variance(self):
        pool = BoundedPool(load_factor=1.5)
        defaults = (1.5, 0.3, 2000, math.inf, 1.2)
        settings = lambda: (pool.load_factor, pool.hot_share,
                            pool.class_history, pool.patience, pool.balance)
        self.assertEqual(settings(), defaults)
        pool.update_settings(dict(load_factor='2', hot_share='0.5',
                                  class_history='50.0', patience='1',
                                  balance='1.1', variance=9))
        self.assertEqual(settings(), (2.0, 0.5, 50, 1.0, 1.1))
        pool.update_settings(dict(patience='inf'))
        self.assertEqual(pool.patience, math.inf)
        pool.update_settings(dict(variance=4.0, backlog_history=9))
        self.assertEqual(settings(), defaults)

    def test_bad_settings_raise_errors_naming_the_setting(self):
        pool = BoundedPool()
        for settings, message in [
                (dict(load_factor='many'), 'load_factor must be a number'),
                (dict(load_factor=0.9), 'load_factor must be at least 1'),
                (dict(hot_share=0), 'hot_share must be positive'),
                (dict(class_history=-3), 'class_history must be positive'),
                (dict(patience='soon'), 'patience must be a number'),
                (dict(patience=-1), 'patience must be zero or positive'),
                (dict(patience='nan'), 'patience must be a finite number'),
                (dict(load_factor='inf'),
                 'load_factor must be a finite number'),
                (dict(class_history='inf'),
                 'class_history must be a finite number'),
                (dict(balance=0.5), 'balance must be at least 1')]:
            with self.assertRaisesRegex(ValueError, message):
                pool.update_settings(settings)

    def test_single_version_mode_serves_only_the_majority_version(self):
        pool = BoundedPool(single_version=True)
        old1, old2, new = W('o1', 'v1'), W('o2', 'v1'), W('n1', 'v2')
        for worker in (new, old1, old2):
            pool.new_resume(worker, {})
        self.assertEqual(pool.version, 'v1')
        self.assertEqual({served(pool, f'c{i}') for i in range(50)},
                         {old1, old2})
        self.assertEqual(pool.status()['workers'],
                         [['o1', 0, 0.0, None], ['o2', 0, 0.0, None]])

    def test_averaged_backlogs_are_those_each_request_sees(self):
        # Kept up to date only when a backlog changes; checked here against
        # the average taken the long way, at every request.
        rng = random.Random(7)
        pool, workers = pool_of(NAMES[:3], class_history=50)
        expected = {worker: 0.0 for worker in workers.values()}
        outstanding = []
        for step in range(600):
            if outstanding and rng.random() < 0.45:
                pool.put(outstanding.pop(rng.randrange(len(outstanding))))
                continue
            for worker, average in expected.items():
                expected[worker] = average + (worker.backlog - average) / 50
            outstanding.append(pool.get(f'c{rng.randrange(40)}'))
            if step == 300:
                leaver = outstanding[-1]
                pool.remove(leaver)
                del expected[leaver]
                outstanding = [w for w in outstanding if w is not leaver]
        for worker, average in expected.items():
            self.assertAlmostEqual(pool.average_backlog(worker), average)
        self.assertGreater(max(expected.values()), 0.5)

    def test_status_shows_the_settings_and_how_many_classes_moved(self):
        pool, clock, _ = self.measured_pool(balance=1.5)
        clock.now = 20.0
        self.until_x_moves(pool)
        status = pool.status()
        self.assertEqual(status['settings'], dict(
            load_factor=1.25, hot_share=1.0, class_history=100,
            patience='inf', balance=1.5))
        self.assertEqual(status['moved_classes'], 1)
        self.assertEqual(len(status['workers']), 3)

    def test_repr_shows_spread_classes_and_backlogs(self):
        pool, _ = pool_of(['w1', 'w2'], hot_share=0.5)
        for i in range(10):
            served(pool, 'hot')
        pool.get('hot')
        self.assertEqual(repr(pool), '\n'.join([
            'Spread classes:',
            f'  hot: 1.000 over {pool.home_order("hot")}',
            'Backlogs:',
            '  overall backlog: 1 Avg: 0.5',
            f'  0: [{pool.home_order("hot")[1]}]',
            f'  1: [{pool.home_order("hot")[0]}]']))


class CommandLineTests(unittest.TestCase):

    def test_resumelb_runs_the_bounded_pool_given_with_p(self):
        from zc.resumelb.tests.test_processes import Processes
        from zc.resumelb.tests.test_processes import free_port
        from zc.resumelb.tests.test_processes import wait_for_workers
        cleanups = []
        self.addCleanup(lambda: [cleanup() for cleanup in cleanups])
        procs = Processes(cleanups.append)
        ports = [free_port() for _ in range(2)]
        workers = [procs.worker(port, history=5) for port in ports]
        lb = procs.lb(ports, '-p', 'zc.resumelb.lb:BoundedPool')
        wait_for_workers(lb.port, {w.pid for w in workers})
        conn = http.client.HTTPConnection('127.0.0.1', lb.port, timeout=30)
        self.addCleanup(conn.close)
        pids = collections.Counter()
        for _ in range(10):
            conn.request('GET', '/', headers={'Host': 'one.example'})
            response = conn.getresponse()
            self.assertEqual(response.status, 200)
            pids[response.read()] += 1
        # Requests one at a time never reach the bound: all go home.
        self.assertEqual(len(pids), 1)


class ZooKeeperTests(test_zk.Base):

    def test_zkresumelb_runs_the_bounded_pool_with_settings_from_the_node(
            self):
        self.make('/lb', test_zk.props(load_factor=1.5, variance=4))
        self.make('/lb/providers')
        self.make_pool('/lb/workers')
        lb, server = zk.lbmain(
            'zk:2181 /lb -a 127.0.0.1:0 -p zc.resumelb.lb:BoundedPool')
        self.addCleanup(lb.stop)
        self.addCleanup(server.stop)
        for closeable in (lb.registration, lb.settings_watch,
                          lb.workers_watch):
            self.addCleanup(closeable.close)
        self.assertIsInstance(lb.pool, BoundedPool)
        self.assertEqual(lb.pool.load_factor, 1.5)
        self.start_worker()
        self.settle(lambda: len(lb.pool.workers) == 1)
        body = b''.join(lb.handle_wsgi(
            {'REQUEST_METHOD': 'GET', 'PATH_INFO': '/'}, lambda *a: None))
        self.assertEqual(body, b'ok')
        self.tree.set('/lb', test_zk.props(load_factor='2', hot_share=0.3))
        self.settle(lambda: (lb.pool.load_factor, lb.pool.hot_share)
                    == (2.0, 0.3))
        self.tree.set('/lb', test_zk.props())
        self.settle(lambda: lb.pool.load_factor == 1.25)
