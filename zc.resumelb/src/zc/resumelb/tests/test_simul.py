"""The cache-affinity simulation, small enough for the test suite."""
import contextlib
import io
import json
import unittest

from zc.resumelb import simul


def run(pool):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        summary = simul.main([
            '--pool', pool, '--workers', '3', '--clients', '4',
            '--requests', '150', '--sites', '12', '--cache-size', '300',
            '--history', '10', '--miss-delay', '0.002'])
    assert json.loads(out.getvalue()) == summary
    return summary


class SimulTests(unittest.TestCase):

    def test_resume_pool_concentrates_classes_more_than_round_robin(self):
        resume = run('Pool')
        robin = run('RoundRobin')
        self.assertEqual(sorted(resume), [
            'dominant_worker_share', 'hit_rate', 'p50', 'p90', 'pool',
            'requests', 'throughput'])
        self.assertEqual(resume['requests'], 150)
        self.assertGreater(resume['dominant_worker_share'],
                           robin['dominant_worker_share'])
        self.assertLessEqual(resume['p50'], resume['p90'])

    def test_bounded_pool_runs_in_the_process_simulation_too(self):
        bounded = run('BoundedPool')
        self.assertEqual(bounded['requests'], 150)
        self.assertGreater(bounded['dominant_worker_share'],
                           run('RoundRobin')['dominant_worker_share'])

    def test_round_robin_takes_turns(self):
        class W:
            pass
        pool = simul.RoundRobin()
        a, b = W(), W()
        pool.new_resume(a, {})
        pool.new_resume(b, {})
        self.assertEqual([pool.get('x') for _ in range(4)], [b, a, b, a])
        pool.put(a)
        self.assertEqual((pool.backlog, a.backlog), (3, 1))
