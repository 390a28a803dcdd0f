"""Keeps projections current by pulling the ledger's notification log.

Pulling works the same on PostgreSQL and on SQLite (which cannot push to subscribers). Each batch
of a projection's rows is committed with its new position in one transaction, after re-reading
that position under a lock, so a crash resumes exactly and two runners never apply an event twice.
The event store's table lock makes notification ids commit in order, so "everything up to my
position" is a safe cursor.
"""

import threading
import time
from collections.abc import Sequence

from application.ledger import Ledger
from projections.base import Projection
from projections.db import ReadModelDb, Tx

POSITIONS_DDL = ("CREATE TABLE IF NOT EXISTS rm_projection_positions "
                 "(name TEXT PRIMARY KEY, position BIGINT NOT NULL, updated_at TEXT)")


class ProjectionRunner:
    def __init__(self, ledger: Ledger, db: ReadModelDb, projections: Sequence[Projection],
                 batch_size: int = 1_000, poll_interval_s: float = 0.5) -> None:
        self._ledger = ledger
        self._db = db
        self._projections = list(projections)
        self._batch_size = batch_size
        self._poll_interval_s = poll_interval_s
        self._wake = threading.Event()
        self._advanced = threading.Condition()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._catch_up_lock = threading.Lock()
        self.setup()
        ledger.on_recorded(lambda _position: self._wake.set())

    @property
    def projections(self) -> list[Projection]:
        return list(self._projections)

    def setup(self) -> None:
        with self._db.transaction() as tx:
            if self._db.kind == "postgres":  # concurrent start-ups must not race on DDL
                tx.execute("SELECT pg_advisory_xact_lock(4242018)")
            tx.execute(POSITIONS_DDL)
            for projection in self._projections:
                for statement in (*projection.ddl, *projection.guards.get(self._db.kind, ())):
                    tx.execute(statement)
                tx.execute("INSERT INTO rm_projection_positions (name, position) VALUES (%s, 0) "
                           "ON CONFLICT (name) DO NOTHING", (projection.name,))

    # -- catching up -------------------------------------------------------------------------

    def catch_up(self) -> int:
        """Apply everything recorded so far; returns how many events were processed."""
        with self._catch_up_lock:
            processed = sum(self._catch_up_one(p) for p in self._projections)
        with self._advanced:
            self._advanced.notify_all()
        return processed

    def _catch_up_one(self, projection: Projection) -> int:
        processed = 0
        while True:
            start = self.position(projection.name)
            notifications = self._ledger.recorder.select_notifications(
                start=start, limit=self._batch_size, inclusive_of_start=False)
            if not notifications:
                return processed
            with self._db.transaction() as tx:
                if self._locked_position(tx, projection.name) != start:
                    continue  # another runner moved it: re-read from its position
                for notification in notifications:
                    event = self._ledger.mapper.to_domain_event(notification)
                    projection.process(event, tx, notification.id)
                tx.execute("UPDATE rm_projection_positions SET position = %s, updated_at = %s "
                           "WHERE name = %s",
                           (notifications[-1].id, time.strftime("%Y-%m-%dT%H:%M:%SZ",
                                                                time.gmtime()), projection.name))
            processed += len(notifications)

    def _locked_position(self, tx: Tx, name: str) -> int:
        row = tx.one("SELECT position FROM rm_projection_positions WHERE name = %s"
                     + self._db.lock_clause, (name,))
        return int(row["position"]) if row else 0

    def position(self, name: str) -> int:
        rows = self._db.query("SELECT position FROM rm_projection_positions WHERE name = %s",
                              (name,))
        return int(rows[0]["position"]) if rows else 0

    def wait_for(self, position: int, timeout_s: float = 5.0) -> bool:
        """Block until every projection has reached position (read-your-writes for the API)."""
        deadline = time.monotonic() + timeout_s
        while min(self.position(p.name) for p in self._projections) < position:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            if self._thread is None:
                self.catch_up()
                continue
            self._wake.set()
            with self._advanced:
                self._advanced.wait(timeout=min(remaining, 0.05))
        return True

    def status(self) -> list[dict[str, int | str]]:
        head = self._ledger.max_position()
        return [{"name": p.name, "position": (pos := self.position(p.name)), "head": head,
                 "lag_events": max(0, head - pos)} for p in self._projections]

    # -- rebuilding --------------------------------------------------------------------------

    def rebuild(self, names: Sequence[str] | None = None) -> int:
        """Drop the named projections' tables and replay them from the first event."""
        chosen = [p for p in self._projections if names is None or p.name in names]
        with self._catch_up_lock, self._db.transaction() as tx:
            for projection in chosen:
                for table in projection.tables:
                    tx.execute(f"DROP TABLE IF EXISTS {table}")
                tx.execute("DELETE FROM rm_projection_positions WHERE name = %s",
                           (projection.name,))
        self.setup()
        return self.catch_up()

    # -- following in the background ---------------------------------------------------------

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self.follow, name="projections", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def follow(self) -> None:
        """Catch up whenever woken (a save in this process) or every poll interval (others')."""
        while not self._stop.is_set():
            self._wake.wait(timeout=self._poll_interval_s)
            self._wake.clear()
            try:
                self.catch_up()
            except Exception:  # noqa: BLE001 - a failed batch rolled back; retry next round
                time.sleep(self._poll_interval_s)
