"""The discrete-event simulation: its model, its baselines, its output."""
import contextlib
import io
import math
import os
import shutil
import tempfile
import unittest

from zc.resumelb import _eventsim
from zc.resumelb import simul


class Named:

    def __init__(self, name):
        self.__name__ = name


def small(policy, workers=4, exponent=1.0, fraction=0.05, load=0.7,
          requests=6000):
    arrivals = _eventsim.trace(requests, workers, 400, exponent, fraction,
                               load, seed=3)
    return _eventsim.simulate(policy, arrivals, workers,
                              int(400 * fraction), history=50)


class ModelTests(unittest.TestCase):

    def test_a_trace_is_the_same_for_the_same_seed_and_arrives_in_order(self):
        first = _eventsim.trace(500, 4, 100, 1.0, 0.05, 0.7, seed=1)
        self.assertEqual(first, _eventsim.trace(500, 4, 100, 1.0, 0.05, 0.7,
                                                seed=1))
        self.assertNotEqual(first, _eventsim.trace(500, 4, 100, 1.0, 0.05,
                                                   0.7, seed=2))
        times = [t for t, _ in first]
        self.assertEqual(times, sorted(times))

    def test_zipf_makes_the_first_rank_the_most_popular(self):
        arrivals = _eventsim.trace(5000, 4, 100, 1.2, 0.05, 0.7, seed=1)
        counts = {}
        for _, rclass in arrivals:
            counts[rclass] = counts.get(rclass, 0) + 1
        top = max(counts, key=counts.get)
        self.assertTrue(top.startswith('r0-'), top)

    def test_the_best_service_time_falls_to_a_hit_when_caches_hold_all(self):
        self.assertEqual(
            _eventsim.best_service_ms(4, 100, 1.0, 0.25), 1.0)
        self.assertAlmostEqual(
            _eventsim.best_service_ms(4, 100, 0.0, 0.05), 1 * 0.2 + 10 * 0.8)

    def test_the_worker_resume_is_a_decayed_rate_published_every_history(
            self):
        worker = _eventsim._Worker('w', 10, history=2)
        self.assertIsNone(worker.learn('a', 10.0))
        resume = worker.learn('a', 10.0)
        # Two requests of 10 ms; the first decayed by 1 - 1/2.
        self.assertEqual(resume, {'a': 1.5 / 15.0})

    def test_an_lru_cache_keeps_the_most_recent_classes(self):
        worker = _eventsim._Worker('w', 2, history=10)
        # c evicts b, used less recently than a (first in, first out
        # would have evicted a).
        self.assertEqual([worker.serve(c) for c in 'abacab'],
                         [False, False, True, False, True, False])


class BaselineTests(unittest.TestCase):

    def pool(self, factory, n=4):
        pool = factory()
        workers = [Named(f'w{i}') for i in range(n)]
        for worker in workers:
            pool.new_resume(worker, {})
        return pool, workers

    def test_round_robin_takes_turns(self):
        pool, workers = self.pool(_eventsim.RoundRobin, 3)
        self.assertEqual([pool.get('x') for _ in range(6)], workers * 2)

    def test_consistent_hashing_keeps_a_class_on_one_worker(self):
        pool, workers = self.pool(_eventsim.ConsistentHash)
        self.assertEqual(len({pool.get('x') for _ in range(20)}), 1)
        self.assertGreater(
            len({pool.get(f'c{i}') for i in range(100)}), 3)

    def test_bounded_loads_walk_the_ring_past_full_workers(self):
        pool, workers = self.pool(_eventsim.BoundedLoads)
        for total in range(1, 101):
            pool.get('x')
            self.assertLessEqual(max(w.backlog for w in workers),
                                 math.ceil(1.25 * total / 4))
        self.assertEqual(pool.backlog, 100)


class SimulationTests(unittest.TestCase):

    def test_consistent_hashing_beats_round_robin_on_hits(self):
        self.assertGreater(small('ConsistentHash')['hit_rate'],
                           small('RoundRobin')['hit_rate'] + 0.1)

    def test_consistent_hashing_moves_few_classes_when_a_worker_leaves(self):
        hashed = small('ConsistentHash')
        self.assertLess(hashed['moved'], 0.4)
        self.assertGreater(small('RoundRobin')['moved'], hashed['moved'])

    def test_bounded_loads_balance_better_than_plain_hashing(self):
        self.assertLess(small('BoundedLoads', exponent=1.2)['max_over_mean'],
                        small('ConsistentHash',
                              exponent=1.2)['max_over_mean'])

    def test_a_returning_worker_gets_a_fair_share_under_round_robin(self):
        self.assertAlmostEqual(small('RoundRobin')['restart_share'], 1.0,
                               delta=0.01)

    def test_a_restarted_worker_gets_half_a_fair_share_from_the_bounded_pool(
            self):
        # Eight workers whose caches hold every class between them: the
        # others hit nearly always, while the returning worker's every
        # class is a miss at first.
        arrivals = _eventsim.trace(100000, 8, 1000, 1.0, 0.2, 0.7, seed=0)
        figures = _eventsim.simulate('BoundedPool', arrivals, 8, 200,
                                     history=500)
        self.assertGreaterEqual(figures['restart_share'], 0.5)

    def test_the_resume_pools_run_unchanged(self):
        for policy in ('Pool', 'Pool variance 4', 'BoundedPool'):
            figures = small(policy)
            self.assertEqual(figures['policy'], policy)
            self.assertGreater(figures['hit_rate'], 0.3)
            self.assertLessEqual(figures['mean_ms'], figures['p99_ms'])

    def test_the_same_trace_gives_the_same_figures_every_run(self):
        # Workers are new objects every run: nothing may depend on their
        # identities (the order of a set of them, say).
        for policy in ('BoundedPool', 'Pool'):
            runs = [small(policy, workers=8, fraction=0.2, requests=8000)
                    for _ in range(3)]
            self.assertEqual(runs[1:], runs[:1] * 2)

    def test_goals_compare_bounded_pool_with_bounded_loads(self):
        base = dict(hit_rate=0.8, p99_ms=100, max_over_mean=1.2,
                    restart_share=1.0)
        figures = dict(
            ConsistentHash=dict(base, hit_rate=0.9),
            BoundedLoads=base,
            BoundedPool=dict(base, hit_rate=0.84, p99_ms=101,
                             restart_share=0.4))
        self.assertEqual(_eventsim.goals(figures), dict(
            balance=True, p99=False, hit_rate=False, restart=False))
        figures['BoundedPool'] = dict(base, hit_rate=0.85)
        self.assertTrue(all(_eventsim.goals(figures).values()))


class OutputTests(unittest.TestCase):

    def test_compare_prints_a_block_per_parameter_set_and_plots(self):
        tmp = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, tmp)
        png = os.path.join(tmp, 'plot.png')
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            results = simul.main(['--compare', '--trace-requests', '2000',
                                  '--classes', '200', '--plot', png,
                                  '--load-factor', '1.5'])
        self.assertEqual(len(results), 24)
        text = out.getvalue()
        self.assertIn('4 workers, Zipf 0.8, cache 5% of classes, load 0.7',
                      text)
        self.assertIn('8 workers, Zipf 1.2, cache 20% of classes, load 1.5',
                      text)
        # A line in each of the 24 blocks, and one in the summary.
        for policy in _eventsim.POLICIES:
            self.assertEqual(text.count(f'\n  {policy:<17}'), 25, policy)
        self.assertIn('All 24 parameter sets:', text)
        self.assertIn('BoundedPool meets every goal in', text)
        with open(png, 'rb') as f:
            self.assertEqual(f.read(8), b'\x89PNG\r\n\x1a\n')

    def test_compare_passes_settings_to_the_bounded_pool_only(self):
        loose = _eventsim.compare(
            requests=3000, classes=200, workers=(4,), exponents=(1.2,),
            cache_fractions=(0.05,), loads=(0.7,),
            policies=('BoundedLoads', 'BoundedPool'),
            bounded=dict(load_factor=50))
        tight = _eventsim.compare(
            requests=3000, classes=200, workers=(4,), exponents=(1.2,),
            cache_fractions=(0.05,), loads=(0.7,),
            policies=('BoundedLoads', 'BoundedPool'))
        self.assertEqual(loose[0][1]['BoundedLoads'],
                         tight[0][1]['BoundedLoads'])
        self.assertNotEqual(loose[0][1]['BoundedPool'],
                            tight[0][1]['BoundedPool'])
