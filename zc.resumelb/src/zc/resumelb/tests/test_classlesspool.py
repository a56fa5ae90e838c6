"""The classless pool: least-busy workers, classes ignored."""
import unittest

from zc.resumelb.classlesspool import ClasslessPool
from zc.resumelb.classlesspool import classifier
from zc.resumelb.tests.test_pool import W
from zc.resumelb.tests.test_pool import gets


class ClasslessPoolTests(unittest.TestCase):

    def test_the_least_busy_worker_gets_each_request(self):
        pool = ClasslessPool()
        self.assertIsNone(pool.mbacklog)
        w1, w2 = W('w1'), W('w2')
        pool.new_resume(w1, None)
        self.assertEqual(gets(pool, 'x', 1), ['w1'])
        pool.new_resume(w2, {'ignored': 1.0})
        self.assertEqual(gets(pool, 'y', 5), 'w2 w1 w2 w1 w2'.split())
        pool.put(w2)
        pool.put(w2)
        self.assertEqual(gets(pool, 'z', 3), 'w2 w2 w1'.split())
        self.assertEqual(pool.status(), dict(
            backlog=7, mean_backlog=3.5,
            workers=[['w1', 4, 4, None], ['w2', 3, 3, None]],
            workers_ex=[['w1', 0], ['w2', 0]]))
        pool.update_settings(dict(variance=9))
        pool.remove(w1)
        self.assertEqual(gets(pool, 'z', 1), ['w2'])
        pool.remove(w2)
        self.assertIsNone(pool.get('z', timeout=0.01))

    def test_the_classifier_puts_every_request_in_one_class(self):
        self.assertEqual(classifier({'HTTP_HOST': 'a.com'}), '')
        self.assertEqual(classifier(None), '')
