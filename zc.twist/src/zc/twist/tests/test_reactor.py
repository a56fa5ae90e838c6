"""Partials on a running reactor, the asyncio reactor and a real ZEO server.

Each scenario of ``scenarios.py`` runs in a fresh interpreter: a reactor
cannot be restarted within one process, and the asyncio reactor has to be
installed before the default one is imported.
"""
import json
import os
import subprocess
import sys
import tempfile
import unittest


def run_scenario(name):
    with tempfile.TemporaryDirectory(prefix='zc.twist-') as tmpdir:
        proc = subprocess.run(
            [sys.executable, '-m', 'zc.twist.tests.scenarios', name, tmpdir],
            env=dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path)),
            capture_output=True, text=True, timeout=60)
    lines = proc.stdout.strip().splitlines()
    if proc.returncode or not lines:
        raise AssertionError(
            f'scenario {name} failed ({proc.returncode}):\n'
            f'{proc.stdout}\n{proc.stderr}')
    return json.loads(lines[-1])


class ReactorTests(unittest.TestCase):

    def check_reactor_calls(self, figures):
        self.assertEqual(figures['after_call_later'], 1)
        self.assertEqual(figures['defer_later'], -2)
        self.assertEqual(figures['callback'], 8)
        self.assertEqual(figures['waited_for_pool'], 108)
        self.assertEqual(figures['attempts'], 1)
        # The connection came back after 0.15 s; the Partial had waited.
        self.assertGreaterEqual(figures['waited'], 0.15)
        self.assertLess(figures['waited'], 2)
        self.assertEqual(figures['open_connections'], 0)

    def test_importing_installs_no_reactor(self):
        figures = run_scenario('import_only')
        self.assertEqual(figures, {
            'after_import': False, 'after_call': False, 'results': [1],
            'global_reactor': True})

    def test_partials_run_on_the_default_reactor(self):
        figures = run_scenario('default_reactor')
        self.assertNotEqual(figures['reactor'], 'AsyncioSelectorReactor')
        self.check_reactor_calls(figures)

    def test_partials_run_on_the_asyncio_reactor(self):
        figures = run_scenario('asyncio_reactor')
        self.assertEqual(figures['reactor'], 'AsyncioSelectorReactor')
        self.check_reactor_calls(figures)

    def test_zeo_server_restarted_in_the_middle_of_a_partial(self):
        figures = run_scenario('zeo_restart')
        self.assertEqual(figures['result'], 1)
        self.assertEqual(figures['count'], 1)
        self.assertGreaterEqual(figures['attempts'], 2)
        self.assertEqual(figures['transaction_errors'], 0)
        self.assertEqual(figures['open_connections'], 0)

    def test_two_consumers_drain_a_zc_queue_of_jobs(self):
        figures = run_scenario('queue_consumers')
        self.assertEqual(figures['left'], 0)
        done = figures['done']['a'] + figures['done']['b']
        self.assertEqual(sorted(done), list(range(60)), 'each job once')
        # Each consumer got its jobs in the queue's order.
        for name in 'ab':
            self.assertEqual(figures['done'][name],
                             sorted(figures['done'][name]))
        # The consumers' transactions overlapped: some pulled the same job
        # at the same time, and one of the two Partials had to retry.
        self.assertGreater(sum(figures['retries'].values()), 0)
        self.assertEqual(figures['open_connections'], 0)
