"""One run of a scheduled job at a time, across hosts: the first to take a job's lock runs it,
any other that starts meanwhile skips it.

On PostgreSQL, a session advisory lock keyed by the job's name and the ledger's schema, held
on a connection of its own for the job's length (a crashed host's connection closes and frees
it). On the embedded SQLite default, whose processes share one machine, an exclusive `flock`
on a file beside the database.
"""

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg

from adapters.eventstore.config import Database


class JobLocks:
    def __init__(self, db: Database) -> None:
        self.db = db

    @contextmanager
    def held(self, job: str) -> Iterator[bool]:
        """True inside if this process holds the job's lock, False if another does."""
        if self.db.kind == "postgres":
            with psycopg.connect(self.db.conninfo, autocommit=True) as conn:
                key = f"lyra job {self.db.schema} {job}"
                row = conn.execute("SELECT pg_try_advisory_lock(hashtext(%s))", (key,)).fetchone()
                mine = bool(row and row[0])
                try:
                    yield mine
                finally:
                    if mine:
                        conn.execute("SELECT pg_advisory_unlock(hashtext(%s))", (key,))
            return
        path = Path(self.db.sqlite_path).with_suffix(f".{job.replace(' ', '-')}.lock")
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a") as file:
            try:
                fcntl.flock(file, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                yield False
                return
            try:
                yield True
            finally:
                fcntl.flock(file, fcntl.LOCK_UN)
