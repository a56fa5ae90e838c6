"""Eight writer processes share two queues through a real ZEO server."""
import shutil
import tempfile
import unittest

from zc.queue.tests import zeo_stress


class ZEOWritersTests(unittest.TestCase):

    def setUp(self):
        self.directory = tempfile.mkdtemp(prefix='zc.queue-zeo-')
        self.addCleanup(shutil.rmtree, self.directory)

    def test_no_item_is_lost_or_pulled_twice(self):
        results, left = zeo_stress.run(
            self.directory, writers=8, operations=15, time_limit=60)
        self.assertEqual(zeo_stress.check(results, left), [])
        stats = [r['stats'] for r in results]
        commits = sum(s['commits'] for s in stats)
        # Deadlines are generous: every operation must have committed.
        self.assertEqual(commits, 8 * 15)
        # Eight processes at once: the server must have merged some.
        self.assertGreater(sum(s['resolved'] for s in stats), 0)
        put = sum(len(r['done'][name]['put']) for r in results
                  for name in zeo_stress.QUEUE_NAMES)
        self.assertGreater(put, 0)
        self.assertLess(put, commits)
