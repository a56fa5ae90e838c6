"""Where the board's database is: a ZEO server, or RelStorage on PostgreSQL.

Processes get the database as one string: ``zeo:HOST:PORT`` or
``postgresql:DSN`` (a libpq connection string).  ZEO is the default of
``make run``: one machine, nothing to install.  RelStorage keeps the
objects in PostgreSQL, so that workers on several machines share them
without a ZEO server in the middle; it resolves conflicts in the
committing client, where the board's classes (zc.queue's) are at hand.
"""
import ZEO
import ZODB
from zc.resumelb import util

CONNECT_TIMEOUT = 30  # seconds to reach the ZEO server


def open_db(spec):
    """A ``ZODB.DB`` for ``spec``; ValueError naming a bad one."""
    kind, _, where = spec.partition(':')
    if kind == 'zeo' and where:
        # server_sync: every transaction starts with a round trip to the
        # server, so that a page sees what another worker just committed
        # (the redirect after a POST is often served by another worker).
        # wait_timeout: a server that never answers is an error after
        # that long, not a process hanging at start-up.
        return ZEO.DB(util.parse_addr(where, '127.0.0.1'), server_sync=True,
                      wait_timeout=CONNECT_TIMEOUT)
    if kind == 'postgresql' and where:
        return ZODB.DB(relstorage(where))
    raise ValueError(
        f'invalid database {spec!r}: expected zeo:HOST:PORT or'
        ' postgresql:DSN')


def relstorage(dsn):
    from relstorage.adapters.postgresql import PostgreSQLAdapter
    from relstorage.options import Options
    from relstorage.storage import RelStorage
    options = Options(keep_history=False)
    return RelStorage(PostgreSQLAdapter(dsn=dsn, options=options),
                      options=options)
