"""Read models read from a PostgreSQL hot standby, so reads do not compete with the writes on the
primary's cores (`LYRA_READ_DATABASE_URL`).

The projections are written on the primary and reach the standby by streaming replication, with
their positions (`rm_projection_positions`), so a reader can tell how far the standby has got.
A read that names a position (`min_position`) waits, bounded, until the standby's read models
have reached it. A standby that is down, or that does not hold the read models (the wrong
database), is left for the primary with a warning; it is tried again after a pause. Commands,
the projection runners and the hash chain never use it.
"""

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg import errors

from projections.db import PostgresReadModelDb, ReadModelDb, Tx

log = logging.getLogger(__name__)
RETRY_AFTER_S = 10.0  # how long a failed standby is left alone before it is tried again
_UNUSABLE = (psycopg.OperationalError, errors.UndefinedTable, errors.InvalidSchemaName)


class ReplicaReads(ReadModelDb):
    """Reads from the standby, the primary when the standby cannot answer."""

    kind = "postgres"

    def __init__(self, standby: PostgresReadModelDb, primary: ReadModelDb,
                 names: list[str]) -> None:
        self.standby = standby
        self.primary = primary
        self._names = names  # the projections whose positions a reader may wait for
        self._failed_at = 0.0
        self._lock = threading.Lock()

    def _usable(self) -> bool:
        return time.monotonic() - self._failed_at > RETRY_AFTER_S

    def _failed(self, problem: Exception) -> None:
        with self._lock:
            self._failed_at = time.monotonic()
        log.warning("the read replica cannot answer (%s): reading from the primary", problem)

    @contextmanager
    def transaction(self) -> Iterator[Tx]:
        """A read of several statements (the standby takes no writes); a standby that fails
        inside one fails that read, and the next goes to the primary."""
        source = self.standby if self._usable() else self.primary
        try:
            with source.transaction() as tx:
                yield tx
        except _UNUSABLE as problem:
            if source is self.standby:
                self._failed(problem)
            raise

    @contextmanager
    def snapshot(self) -> Iterator[Tx]:
        with self.transaction() as tx:
            yield tx

    def query(self, statement: str, params: Any = ()) -> list[Any]:
        if self._usable():
            try:
                return self.standby.query(statement, params)
            except _UNUSABLE as problem:
                self._failed(problem)
        return self.primary.query(statement, params)

    def reached(self, position: int, timeout_s: float) -> bool:
        """Whether the standby's read models have reached position, waiting up to timeout_s
        (False at once if the standby cannot say: the caller then answers 503)."""
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                rows = self.standby.query(
                    "SELECT name, position FROM rm_projection_positions")
            except _UNUSABLE as problem:
                self._failed(problem)
                return False
            positions = {r["name"]: int(r["position"]) for r in rows}
            if all(positions.get(name, 0) >= position for name in self._names):
                return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.01)

    def close(self) -> None:
        self.standby.close()
