"""Finding library files safely and their digests."""
import base64
import hashlib
import os
import shutil
import tempfile
import time
import unittest

from zc.resourcelibrary._files import FileCache
from zc.resourcelibrary._files import safe_path


class SafePathTests(unittest.TestCase):

    def setUp(self):
        self.directory = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, self.directory)
        os.mkdir(os.path.join(self.directory, 'sub'))

    def test_names_inside_the_directory(self):
        self.assertEqual(safe_path(self.directory, 'sub/a.js'),
                         os.path.join(os.path.realpath(self.directory),
                                      'sub', 'a.js'))

    def test_escaping_or_odd_names_give_None(self):
        for name in ('', '../a.js', 'sub/../../a.js', '/etc/passwd',
                     'sub//a.js', './a.js', '.hidden', 'sub/.git',
                     'a\\..\\b', 'a\0b'):
            self.assertIsNone(safe_path(self.directory, name), name)


class FileCacheTests(unittest.TestCase):

    def setUp(self):
        self.directory = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, self.directory)
        self.cache = FileCache()

    def write(self, name, data, mtime=1_700_000_000):
        path = os.path.join(self.directory, name)
        with open(path, 'wb') as f:
            f.write(data)
        os.utime(path, (mtime, mtime))

    def test_digest_type_and_validators(self):
        self.write('a.js', b'alert(1)')
        found = self.cache.lookup(self.directory, 'a.js')
        digest = hashlib.sha384(b'alert(1)').digest()
        self.assertEqual(found.integrity,
                         'sha384-' + base64.b64encode(digest).decode())
        self.assertEqual(found.content_type, 'text/javascript')
        self.assertEqual(found.size, 8)
        self.assertEqual(found.last_modified, 'Tue, 14 Nov 2023 22:13:20 GMT')
        self.assertEqual(found.etag, '"' + digest[:16].hex() + '"')
        self.assertEqual(len(found.version), 12)

    def test_unchanged_file_is_not_read_again(self):
        self.write('a.css', b'p {}')
        first = self.cache.lookup(self.directory, 'a.css')
        self.assertIs(self.cache.lookup(self.directory, 'a.css'), first)

    def test_changed_file_gets_a_new_digest(self):
        self.write('a.css', b'p {}')
        first = self.cache.lookup(self.directory, 'a.css')
        self.write('a.css', b'b {}', mtime=1_700_000_001)
        second = self.cache.lookup(self.directory, 'a.css')
        self.assertNotEqual(first.digest, second.digest)

    def test_a_file_looked_at_within_recheck_seconds_is_not_looked_at(self):
        self.write('a.css', b'p {}')
        first = self.cache.lookup(self.directory, 'a.css', recheck=3600)
        self.write('a.css', b'b {}', mtime=1_700_000_001)
        self.assertIs(
            self.cache.lookup(self.directory, 'a.css', recheck=3600), first)
        # Without the interval the change is seen, and the cache updated.
        second = self.cache.lookup(self.directory, 'a.css')
        self.assertNotEqual(first.digest, second.digest)
        self.assertIs(
            self.cache.lookup(self.directory, 'a.css', recheck=3600), second)

    def test_a_file_is_looked_at_again_once_recheck_seconds_are_over(self):
        self.write('a.css', b'p {}')
        first = self.cache.lookup(self.directory, 'a.css', recheck=0.05)
        self.write('a.css', b'b {}', mtime=1_700_000_001)
        time.sleep(0.1)
        second = self.cache.lookup(self.directory, 'a.css', recheck=0.05)
        self.assertNotEqual(first.digest, second.digest)

    def test_missing_files_and_directories_give_None(self):
        self.assertIsNone(self.cache.lookup(self.directory, 'none.js'))
        os.mkdir(os.path.join(self.directory, 'sub'))
        self.assertIsNone(self.cache.lookup(self.directory, 'sub'))

    def test_unknown_types_are_octet_streams(self):
        self.write('data.zzz-unknown', b'x')
        self.assertEqual(
            self.cache.lookup(self.directory, 'data.zzz-unknown')
            .content_type, 'application/octet-stream')
