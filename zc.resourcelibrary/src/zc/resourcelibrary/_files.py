"""Library files on disk: safe lookup, content type and digests.

A file's SHA-384 digest gives its ETag, its Subresource Integrity value and
its version (for cache-busting URLs).  It is computed once per version of
the file: again only when the file's modification time, size or inode
changes.  Whether it changed costs a ``stat`` call; a caller that can live
with an answer a little out of date says how old it may be.
"""
from __future__ import annotations

import base64
import email.utils
import hashlib
import mimetypes
import os
import time
from stat import S_ISREG
from typing import NamedTuple

# Debian's mime.types maps .js to application/javascript; the HTML
# standard names text/javascript.
_TYPES = {'.js': 'text/javascript', '.mjs': 'text/javascript',
          '.css': 'text/css', '.kss': 'text/plain'}


class LibraryFile(NamedTuple):
    path: str
    size: int
    mtime: int  # whole seconds, as HTTP dates have them
    content_type: str
    digest: bytes  # SHA-384 of the content

    @property
    def integrity(self) -> str:
        return 'sha384-' + base64.b64encode(self.digest).decode('ascii')

    @property
    def version(self) -> str:
        return base64.urlsafe_b64encode(self.digest[:9]).decode('ascii')

    @property
    def etag(self) -> str:
        return '"' + self.digest[:16].hex() + '"'

    @property
    def last_modified(self) -> str:
        return email.utils.formatdate(self.mtime, usegmt=True)


def safe_path(directory: str, name: str) -> str | None:
    """The path of ``name`` inside ``directory``, or None if it escapes.

    ``name`` is a relative URL path: no empty, ``.`` or ``..`` segment, no
    hidden (dot) names, no backslash or NUL, and after resolving symbolic
    links the file must still lie inside the directory.
    """
    if not name or '\\' in name or '\0' in name:
        return None
    segments = name.split('/')
    if any(not s or s.startswith('.') for s in segments):
        return None
    root = os.path.realpath(directory)
    path = os.path.realpath(os.path.join(root, *segments))
    if os.path.commonpath([root, path]) != root:
        return None
    return path


class FileCache:
    """Digests of library files, recomputed only when a file changes."""

    def __init__(self) -> None:
        # path -> (stat key, file, time.monotonic() of the stat)
        self._files: dict[str, tuple[tuple[int, int, int], LibraryFile,
                                     float]] = {}
        self._paths: dict[tuple[str, str], str | None] = {}
        #: Counts the digests computed: when it has not changed, no file
        #: was seen to change either.
        self.generation = 0

    def _path(self, directory: str, name: str) -> str | None:
        # Resolving symbolic links costs a system call per path segment;
        # pages reference the same few files over and over.
        key = (directory, name)
        try:
            return self._paths[key]
        except KeyError:
            path = safe_path(directory, name)
            if len(self._paths) < 10_000:  # names come from URLs: bounded
                self._paths[key] = path
            return path

    def lookup(self, directory: str, name: str,
               recheck: float = 0) -> LibraryFile | None:
        """The file ``name`` of ``directory``, or None if there is none.

        A file looked up less than ``recheck`` seconds ago is not looked at
        again (``stat``); with the default 0 it always is.
        """
        path = self._path(directory, name)
        if path is None:
            return None
        cached = self._files.get(path)
        now = time.monotonic()
        if cached is not None and now - cached[2] < recheck:
            return cached[1]
        try:
            stat = os.stat(path)
        except OSError:
            return None
        if not S_ISREG(stat.st_mode):
            return None
        key = (stat.st_mtime_ns, stat.st_size, stat.st_ino)
        if cached is not None and cached[0] == key:
            self._files[path] = (key, cached[1], now)
            return cached[1]
        digest = hashlib.sha384()
        with open(path, 'rb') as f:
            for chunk in iter(lambda: f.read(1 << 16), b''):
                digest.update(chunk)
        extension = os.path.splitext(path)[1].lower()
        content_type = (_TYPES.get(extension)
                        or mimetypes.guess_type(path)[0]
                        or 'application/octet-stream')
        found = LibraryFile(path, stat.st_size, int(stat.st_mtime),
                            content_type, digest.digest())
        self._files[path] = (key, found, now)
        self.generation += 1
        return found
