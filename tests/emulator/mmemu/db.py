"""PostgreSQL connection pool.

Connections are opened on demand, up to `maxconn`, and kept open when
returned (like Go's database/sql pool that Mattermost uses). psycopg2's own
ThreadedConnectionPool closes every connection beyond `minconn` on return, so
under concurrency it forked a new PostgreSQL backend for most requests.
Callers wait (up to 30 s) for a free slot; broken connections are discarded.
An idle connection the server has closed (a restart, a failover: its socket
is readable while nothing was asked) is discarded when taken, as Go's pool
retries a query that met driver.ErrBadConn on another connection, so the
first request after a failover does not fail on a dead connection.
`with db.tx() as cur:` runs one transaction (commit on success, rollback on
error).
"""
import contextlib
import select
import threading

import psycopg2
import psycopg2.errors
import psycopg2.extras

APPLICATION_NAME = "mmemu"   # pg_stat_activity.application_name of our connections


class Database:
    def __init__(self, dsn, maxconn=40):
        self.dsn = dsn
        self._lock = threading.Lock()
        self._idle = []                                  # open, not in use
        self._slots = threading.BoundedSemaphore(maxconn)
        self._put(self._take())                          # fail early on a bad DSN

    def _take(self):
        while True:
            with self._lock:
                conn = self._idle.pop() if self._idle else None
            if conn is None:
                return psycopg2.connect(self.dsn, application_name=APPLICATION_NAME)
            if not conn.closed and not _server_spoke(conn):
                return conn
            conn.close()

    def _put(self, conn):
        with self._lock:
            self._idle.append(conn)

    @contextlib.contextmanager
    def connection(self):
        if not self._slots.acquire(timeout=30):
            raise psycopg2.OperationalError("database pool exhausted")
        conn = None
        broken = False
        try:
            conn = self._take()
            yield conn
        except (psycopg2.OperationalError, psycopg2.InterfaceError):
            broken = True
            raise
        finally:
            if conn is not None:
                try:
                    if not broken and not conn.closed:
                        conn.rollback()  # leave no transaction open
                except psycopg2.Error:
                    broken = True
                if broken or conn.closed:
                    conn.close()
                else:
                    self._put(conn)
            self._slots.release()

    @contextlib.contextmanager
    def tx(self):
        """One transaction; yields a RealDictCursor."""
        with self.connection() as conn:
            try:
                with conn.cursor(cursor_factory=psycopg2.extras.RealDictCursor) as cur:
                    yield cur
                conn.commit()
            except BaseException:
                if not conn.closed:
                    conn.rollback()
                raise

    def close(self):
        with self._lock:
            idle, self._idle = self._idle, []
        for conn in idle:
            conn.close()


def _server_spoke(conn):
    """True if an idle connection has something to read: the server closed
    it or is about to (an idle connection is never sent anything else)."""
    try:
        readable, _, _ = select.select([conn.fileno()], [], [], 0)
    except (OSError, ValueError, psycopg2.Error):
        return True
    return bool(readable)


def unique_violation_constraint(exc):
    """Name of the violated unique constraint, or None."""
    if isinstance(exc, psycopg2.errors.UniqueViolation):
        diag = getattr(exc, "diag", None)
        return (diag.constraint_name if diag else None) or ""
    return None
