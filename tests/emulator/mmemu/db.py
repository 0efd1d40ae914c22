"""PostgreSQL connection pool.

psycopg2's ThreadedConnectionPool raises instead of waiting when all
connections are in use, so a semaphore makes callers wait for a free one.
`with db.tx() as cur:` runs one transaction (commit on success, rollback on
error); broken connections are discarded.
"""
import contextlib
import threading

import psycopg2
import psycopg2.errors
import psycopg2.extras
import psycopg2.pool


class Database:
    def __init__(self, dsn, maxconn=40):
        self.dsn = dsn
        self._pool = psycopg2.pool.ThreadedConnectionPool(1, maxconn, dsn)
        self._slots = threading.BoundedSemaphore(maxconn)

    @contextlib.contextmanager
    def connection(self):
        if not self._slots.acquire(timeout=30):
            raise psycopg2.OperationalError("database pool exhausted")
        conn = None
        broken = False
        try:
            conn = self._pool.getconn()
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
                self._pool.putconn(conn, close=broken or bool(conn.closed))
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
        self._pool.closeall()


def unique_violation_constraint(exc):
    """Name of the violated unique constraint, or None."""
    if isinstance(exc, psycopg2.errors.UniqueViolation):
        diag = getattr(exc, "diag", None)
        return (diag.constraint_name if diag else None) or ""
    return None
