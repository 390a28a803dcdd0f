"""Keeps projections current by pulling the ledger's notification log.

Pulling works the same on PostgreSQL and on SQLite (which cannot push to subscribers). Each batch
of events is read and decoded once (typed structures) and folded by every projection that has not
seen it: the rows its events touch loaded in one query per table, the events applied in memory,
the changed rows written in one statement per table (fold.py, fold_sinks.py). All of them are
committed with their new positions in one transaction, after re-reading those positions under a
lock: a crash resumes exactly, two runners never apply an event twice, and the read models move
together, so a reader in one snapshot sees them all at one position (the trial balance relies on
that). The event store's table lock makes notification ids commit in order, so "everything up to
my position" is a safe cursor. A fold's working set outlives its batch only while the positions
are the ones this runner committed last: any other writer (a second runner, a rebuild's swap)
and any failed batch drops it.

A projection declares a `version`; when its code's version differs from the one its tables were
built with, its tables are dropped and rebuilt from the first event.
"""

import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

from adapters import heap
from adapters.eventstore.ledger import Ledger
from projections.db import PostgresReadModelDb, ReadModelDb, Tx
from projections.fold import Fold, State, apply_all, classified
from projections.fold_sinks import TxSink
from projections.staged_rebuild import rebuild_all

POSITIONS_DDL = ("CREATE TABLE IF NOT EXISTS rm_projection_positions "
                 "(name TEXT PRIMARY KEY, position BIGINT NOT NULL, updated_at TEXT)")
KEPT_ROWS = 100_000  # a fold's working set past this many rows is dropped after its page
VERSIONS_DDL = ("CREATE TABLE IF NOT EXISTS rm_projection_versions "
                "(name TEXT PRIMARY KEY, version INTEGER NOT NULL)")


class ProjectionRunner:
    def __init__(self, ledger: Ledger, db: ReadModelDb, projections: Sequence[Fold],
                 batch_size: int = 1_000, poll_interval_s: float = 0.5,
                 followed_elsewhere: bool = False) -> None:
        self._ledger = ledger
        # Set when the API reads from a replica: read-your-writes waits for it too.
        self.replica_reached: Callable[[int, float], bool] | None = None
        self._db = db
        self._projections = list(projections)
        self._batch_size = batch_size
        self._poll_interval_s = poll_interval_s
        self._wake = threading.Event()
        self._advanced = threading.Condition()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._catch_up_lock = threading.Lock()
        self._states: dict[str, State] = {}  # each fold's working set, between pages
        self._committed: dict[str, int] | None = None  # the positions this runner last wrote
        self._followed_elsewhere = followed_elsewhere
        self.setup()
        ledger.on_recorded(lambda _position: self._wake.set())

    @property
    def db(self) -> ReadModelDb:
        return self._db

    @property
    def projections(self) -> list[Fold]:
        return list(self._projections)

    def setup(self) -> None:
        with self._db.transaction() as tx:
            if self._db.kind == "postgres":  # concurrent start-ups must not race on DDL
                tx.execute("SELECT pg_advisory_xact_lock(4242018)")
            tx.execute(POSITIONS_DDL)
            tx.execute(VERSIONS_DDL)
            for projection in self._projections:
                built = tx.one("SELECT version FROM rm_projection_versions WHERE name = %s",
                               (projection.name,))
                if built is not None and int(built["version"]) != projection.version:
                    _drop(tx, projection)
                tx.execute("INSERT INTO rm_projection_versions (name, version) VALUES (%s, %s) "
                           "ON CONFLICT (name) DO UPDATE SET version = excluded.version",
                           (projection.name, projection.version))
                for statement in (*projection.ddl, *projection.guards.get(self._db.kind, ())):
                    tx.execute(statement)
                tx.execute("INSERT INTO rm_projection_positions (name, position) VALUES (%s, 0) "
                           "ON CONFLICT (name) DO NOTHING", (projection.name,))

    # -- catching up -------------------------------------------------------------------------

    def catch_up(self, advance: Callable[[int], None] | None = None) -> int:
        """Apply everything recorded so far; returns how many events were decoded and applied."""
        with self._catch_up_lock:
            processed = 0
            while (batch := self._catch_up_batch()) is not None:
                processed += batch
                if advance:
                    advance(batch)
        with self._advanced:
            self._advanced.notify_all()
        return processed

    def _catch_up_batch(self) -> int | None:
        """One batch from the furthest-behind projection; None when all are at the head."""
        positions = self.positions()
        if positions != self._committed:  # another runner (or a rebuild) wrote since
            self._states.clear()
        start = min(positions.values())
        page = self._ledger.read_after(start, self._batch_size)
        if not page:
            return None
        last = page[-1][0]
        try:
            with self._db.batch() as tx:
                if self._locked_positions(tx) != positions:
                    self._states.clear()
                    return 0  # another runner moved on: re-read from where it left them
                behind = [p for p in self._projections if positions[p.name] < last]
                self._fold(page, positions, tx)
                now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
                names = [p.name for p in behind]
                tx.execute("UPDATE rm_projection_positions SET position = %s, updated_at = %s "
                           f"WHERE name IN ({', '.join(['%s'] * len(names))})",
                           (last, now, *names))
        except BaseException:
            self._states.clear()  # what they hold was not committed
            raise
        self._committed = {name: max(position, last) for name, position in positions.items()}
        return len(page)

    def _fold(self, page: list[tuple[int, Any]], positions: dict[str, int], tx: Tx) -> None:
        """The page through every fold behind it: its rows loaded, the events applied in
        memory, the changes written once per table. A fold's working set is kept for the next
        page while this runner is the only one writing (see _catch_up_batch)."""
        typed = classified(page)
        sink = TxSink(tx)
        whole: list[tuple[Fold, State]] = []  # the folds behind the whole page: one pass
        for fold in self._projections:
            seen = positions[fold.name]
            events = typed if seen < typed[0][0] else [e for e in typed if e[0] > seen]
            if not events:
                continue
            state = self._states.get(fold.name)
            if state is None:
                state = self._states[fold.name] = fold.new_state(complete=False)
            sink.load(fold, events, state)
            if events is typed:
                whole.append((fold, state))
            else:
                fold.apply(events, state)
        apply_all(whole, typed)
        for fold, state in ((f, self._states[f.name]) for f in self._projections
                            if f.name in self._states):
            sink.write(state)
            if state.size() > KEPT_ROWS:
                del self._states[fold.name]

    def _locked_positions(self, tx: Tx) -> dict[str, int]:
        rows = tx.query("SELECT name, position FROM rm_projection_positions ORDER BY name"
                        + self._db.lock_clause)
        found = {str(r["name"]): int(r["position"]) for r in rows}
        return {p.name: found.get(p.name, 0) for p in self._projections}

    def positions(self) -> dict[str, int]:
        rows = self._db.query("SELECT name, position FROM rm_projection_positions")
        found = {str(r["name"]): int(r["position"]) for r in rows}
        return {p.name: found.get(p.name, 0) for p in self._projections}

    def position(self, name: str) -> int:
        rows = self._db.query("SELECT position FROM rm_projection_positions WHERE name = %s",
                              (name,))
        return int(rows[0]["position"]) if rows else 0

    def wait_for(self, position: int, timeout_s: float = 5.0) -> bool:
        """Block until every projection has reached position (read-your-writes for the API),
        on the primary and, when the API reads from one, on the replica."""
        deadline = time.monotonic() + timeout_s
        if not self._wait_here(position, deadline):
            return False
        if self.replica_reached is not None:
            return self.replica_reached(position, max(0.0, deadline - time.monotonic()))
        return True

    def _wait_here(self, position: int, deadline: float) -> bool:
        while min(self.positions().values()) < position:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            if self._followed_elsewhere:  # another process applies them: only watch
                time.sleep(min(remaining, 0.01))
                continue
            if self._thread is None:
                self.catch_up()
                continue
            self._wake.set()
            with self._advanced:
                self._advanced.wait(timeout=min(remaining, 0.05))
        return True

    def status(self) -> list[dict[str, int | str]]:
        head = self._ledger.max_position()
        positions = self.positions()
        return [{"name": p.name, "position": (pos := positions[p.name]), "head": head,
                 "lag_events": max(0, head - pos)} for p in self._projections]

    # -- rebuilding --------------------------------------------------------------------------

    def rebuild(self, names: Sequence[str] | None = None,
                advance: Callable[[int], None] | None = None,
                processes: int | None = None) -> int:
        """Replay projections from the first event; returns the events replayed.

        All of them on PostgreSQL: staged apart and swapped in (staged_rebuild) while the live
        read models keep serving, in `processes` parallel groups (default: one per core). Some
        of them, or on SQLite: dropped and caught up in place.
        """
        with heap.bulk_work():
            return self._rebuild(names, advance, processes)

    def _rebuild(self, names: Sequence[str] | None, advance: Callable[[int], None] | None,
                 processes: int | None) -> int:
        if names is None and isinstance(self._db, PostgresReadModelDb):
            with self._catch_up_lock:
                stop = rebuild_all(self._ledger, self._db, self._projections,
                                   self._locked_positions, advance, processes)
            return stop + self.catch_up()  # and what was recorded meanwhile
        chosen = [p for p in self._projections if names is None or p.name in names]
        with self._catch_up_lock, self._db.transaction() as tx:
            for projection in chosen:
                _drop(tx, projection)
        self.setup()
        return self.catch_up(advance)

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

    def follow(self, keep_going: Callable[[], bool] = lambda: True) -> None:
        """Catch up whenever woken (a save in this process) or every poll interval (others'),
        for as long as keep_going() says."""
        while not self._stop.is_set() and keep_going():
            self._wake.wait(timeout=self._poll_interval_s)
            self._wake.clear()
            try:
                self.catch_up()
            except Exception:  # noqa: BLE001 - a failed batch rolled back; retry next round
                time.sleep(self._poll_interval_s)


def _drop(tx: Tx, projection: Fold) -> None:
    for table in projection.tables:
        tx.execute(f"DROP TABLE IF EXISTS {table}")
    tx.execute("DELETE FROM rm_projection_positions WHERE name = %s", (projection.name,))
