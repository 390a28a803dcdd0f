"""The event store: every money aggregate in one ordered log, which is both ledger and audit trail."""

import logging
import re
import threading
from collections.abc import Callable, Iterable, MutableMapping, Sequence
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.application import (
    AggregateNotFoundError,
    Application,
    project_aggregate,
)
from eventsourcing.domain import Aggregate, Snapshot
from eventsourcing.persistence import IntegrityError, Recording, StoredEvent
from eventsourcing.utils import resolve_topic

from adapters.eventstore.append_only import protect_events_table
from adapters.eventstore.bulk import (
    prune_snapshots,
    select_events_after,
    select_events_at,
    select_latest_snapshots,
    select_rows_after,
)
from adapters.eventstore.config import Database, ensure_schema, eventstore_env, startup_lock
from adapters.eventstore.hash_chain import backfill_chain, install_hash_chain
from adapters.eventstore.merkle_store import MerkleStore
from adapters.eventstore.msgpack_transcoder import MsgpackTranscoder
from adapters.eventstore.spend_chunks import (
    CURRENT,
    KEPT_VERSIONS,
    SnapshotChunks,
    SpendChunkStore,
)
from adapters.eventstore.topics import register_short_topics
from adapters.eventstore.typed_events import TypedEvents
from adapters.eventstore.wallet_codec import MissingChunkError, wallet_transcodings
from domain.aggregates.ledger_checkpoints import LedgerCheckpoints
from domain.aggregates.wallet import Wallet, keep_detail
from domain.chat_thread import ChatThread
from domain.errors import DomainError

A = TypeVar("A")
_new, _set = object.__new__, object.__setattr__


SNAPSHOT_EVERY = 100  # events of a snapshotted stream between two snapshots
_CHUNK_NAME = re.compile(rb"sc[0-9a-f]{32}")  # how a snapshot names a spend chunk

log = logging.getLogger(__name__)


class ConcurrencyExhaustedError(DomainError):
    """A save kept meeting a concurrent write, planned again each time, and gave up."""

    code = "concurrency_conflict"


class Ledger(Application[UUID]):
    name = "Ledger"
    # Streams a person grows without bound by using them (a chat thread, a wallet): read from
    # their latest snapshot and the events after it, so a read costs the same however long the
    # stream. Only these: every other read stays one query, with no snapshot lookup in front.
    snapshotted: tuple[type[Aggregate], ...] = (ChatThread, Wallet, LedgerCheckpoints)

    def __init__(self, db: Database, prepare: bool = True) -> None:
        """prepare=False opens a store another process has prepared (its schema, triggers and
        chain), as replay and rebuild workers do: no DDL, so no lock against the writers."""
        register_short_topics()  # before anything is stored: `lyra:Wallet.TokensSpent`
        self.db = db
        self.spend_chunks = SpendChunkStore(db.kind, db.schema)
        if not prepare:
            super().__init__(env=eventstore_env(db) | {"CREATE_TABLE": "no"})
            self.snapshot_store = self.construct_snapshot_store()
            self.spend_chunks.recorder = self.snapshot_store.recorder
        else:
            with startup_lock(db):
                ensure_schema(db)
                super().__init__(env=eventstore_env(db))
                self.snapshot_store = self.construct_snapshot_store()
                self.spend_chunks.recorder = self.snapshot_store.recorder
                self.spend_chunks.create_table()
                protect_events_table(db, self.events_table)
                if db.kind == "postgres":
                    install_hash_chain(db, self.events_table)
                backfill_chain(db, self.events_table)
                MerkleStore(db, self.recorder).create_table()
        self.merkle = MerkleStore(db, self.recorder)
        self._listeners: list[Callable[[int], None]] = []
        self._this_thread = threading.local()
        self.typed = TypedEvents(self.transcoder.ext_hook, self.decode_row)

    def construct_transcoder(self) -> MsgpackTranscoder:
        transcoder = self.transcoder = MsgpackTranscoder()
        self.register_transcodings(transcoder)
        return transcoder

    def register_transcodings(self, transcoder: Any) -> None:
        super().register_transcodings(transcoder)
        for transcoding in wallet_transcodings(self.spend_chunks):
            transcoder.register(transcoding)

    @property
    def events_table(self) -> str:
        return "ledger_events" if self.db.kind == "postgres" else "stored_events"

    def on_recorded(self, listener: Callable[[int], None]) -> None:
        """Call listener with the highest notification id after each save (wakes projections)."""
        self._listeners.append(listener)

    def _notify(self, recordings: list[Recording[UUID]]) -> None:
        if recordings:
            top = max(r.notification.id for r in recordings)
            self._this_thread.position = top
            for listener in self._listeners:
                listener(top)

    def last_saved_position(self) -> int:
        """Where this thread's latest save landed: what its own reads must wait for."""
        return int(getattr(self._this_thread, "position", 0))

    def record(self, aggregates: Iterable[Any]) -> list[Recording[UUID]]:
        """save() for aggregates only: skips the per-object runtime Protocol checks of save(),
        which cost more than the SQL in a large group-commit batch. Atomic, like save()."""
        aggregates = list(aggregates)
        due = self._snapshots_due(aggregates)
        events = [event for aggregate in aggregates for event in aggregate.collect_events()]
        recordings = self.events.put(events)
        self._notify(recordings)
        self._snapshot(due)
        return recordings

    def save(self, *objs: Any, **kwargs: Any) -> list[Recording[UUID]]:
        """Application.save, then a snapshot of each snapshotted aggregate whose events crossed
        a multiple of SNAPSHOT_EVERY. The snapshot is written after the events' commit: it is
        derived, so losing one (a crash in between) only means reading more events."""
        due = self._snapshots_due(objs)
        recordings = super().save(*objs, **kwargs)
        self._snapshot(due)
        return recordings

    def _snapshots_due(self, objs: Iterable[Any]) -> list[Any]:
        """Every SNAPSHOT_EVERY events (a wallet's spends are in chunks written once, so its
        snapshot stays about the size of its lots' totals however many spends they fund)."""
        return [o for o in objs if isinstance(o, self.snapshotted) and
                (o.version - len(o.pending_events)) // SNAPSHOT_EVERY
                < o.version // SNAPSHOT_EVERY]

    def _snapshot(self, due: list[Any]) -> None:
        """Its chunks first, then the snapshot that names them; then older snapshots go, and
        chunks no snapshot has named for KEPT_VERSIONS versions."""
        for aggregate in due:
            if isinstance(aggregate, Wallet) and not aggregate.compact:
                continue  # loaded in detail: its snapshot would not be the compact state
            try:
                chunks = SnapshotChunks(owner=aggregate.id)
                token = CURRENT.set(chunks)
                try:
                    stored = self.mapper.to_stored_event(Snapshot.take(aggregate))
                finally:
                    CURRENT.reset(token)
                self.spend_chunks.keep(aggregate.id, aggregate.version, chunks.written)
                self.snapshot_store.recorder.insert_events([stored])
                previous = prune_snapshots(self.snapshot_store.recorder, self.db.kind,
                                           self.db.schema, self.snapshots_table, aggregate.id,
                                           aggregate.version)
                if previous is not None and previous > KEPT_VERSIONS:
                    self.spend_chunks.prune(aggregate.id, previous - KEPT_VERSIONS)
            except Exception:  # noqa: BLE001 - a missed snapshot costs reads, never data
                log.exception("could not snapshot %s at version %s", aggregate.id,
                              aggregate.version)

    def get_snapshotted(self, aggregate_id: UUID) -> Any:
        """A snapshotted aggregate (see `snapshotted`): its latest snapshot and the events after
        it, in two indexed reads. A snapshot that cannot be read is ignored, with a warning, and
        the aggregate replayed from its events."""
        found = self.get_many([aggregate_id]).get(aggregate_id)
        if found is None:
            raise AggregateNotFoundError(aggregate_id)
        return found

    def get_snapshotted_or_none(self, aggregate_id: UUID) -> Any | None:
        try:
            return self.get_snapshotted(aggregate_id)
        except AggregateNotFoundError:
            return None

    def get_in_detail(self, wallet_id: UUID) -> Wallet:
        """A wallet replayed from its first event with every lot's spends (archived lots too):
        the slow path for planning a reversal or a give-back an archived lot funds."""
        with keep_detail():
            wallet: Wallet = self.repository.get(wallet_id)
        wallet.compact = False
        return wallet

    def save_planned(self, plan: Callable[[], Sequence[Any]], attempts: int = 5,
                     conflict: str = "it kept changing meanwhile: try again") -> list[Any]:
        """Save what plan() changed, planning again from what is stored now after a version
        conflict (a concurrent write came first). plan() returns the changed aggregates, or
        nothing when there is nothing to record."""
        for _ in range(attempts):
            changed = list(plan())
            if not changed:
                return []
            try:
                self.save(*changed)
                return changed
            except IntegrityError:
                continue
        raise ConcurrencyExhaustedError(conflict)

    def get_or_none(self, aggregate_id: UUID) -> Any | None:
        try:
            return self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            return None

    def get_many(self, aggregate_ids: Iterable[UUID],
                 cache: MutableMapping[UUID, Any] | None = None) -> dict[UUID, Any]:
        """Aggregates that exist among aggregate_ids, read in one query on PostgreSQL.

        With a cache (owned by a single writer thread), cached aggregates are fast-forwarded by
        their newer events in the same query, and the cache is updated in place.
        """
        if cache is None:
            cache = {}
        wanted = list(dict.fromkeys(aggregate_ids))
        for aggregate_id, aggregate in self._latest_snapshots(
                [i for i in wanted if i not in cache]).items():
            cache[aggregate_id] = aggregate  # then fast-forwarded by the events after it
        after = {i: (cache[i].version if i in cache else 0) for i in wanted}
        new_events = select_events_after(self.recorder, self.db.kind, self.db.schema,
                                         self.events_table, after)
        found: dict[UUID, Any] = {}
        for aggregate_id in wanted:
            aggregate = cache.get(aggregate_id)
            stored = new_events.get(aggregate_id)
            if stored:
                events = [self.mapper.to_domain_event(s) for s in stored]
                aggregate = project_aggregate(aggregate, events)
            if aggregate is not None:
                found[aggregate_id] = cache[aggregate_id] = aggregate
        return found

    def _latest_snapshots(self, aggregate_ids: list[UUID]) -> dict[UUID, Any]:
        """The aggregates among these that have a snapshot, as of their latest one. A snapshot
        that cannot be read (a changed class, a corrupted row) is skipped, with a warning: the
        aggregate is then replayed from its events, which are always the whole truth."""
        if not aggregate_ids:
            return {}
        found: dict[UUID, Any] = {}
        rows = select_latest_snapshots(self.snapshot_store.recorder, self.db.kind, self.db.schema,
                                       self.snapshots_table, aggregate_ids)
        names = {row.originator_id: {m.decode() for m in _CHUNK_NAME.findall(row.state)}
                 for row in rows}
        present = self.spend_chunks.present(set().union(*names.values()))
        for stored in rows:
            try:
                if names[stored.originator_id] - present:  # its spends would be lost: unread
                    raise MissingChunkError(f"{len(names[stored.originator_id] - present)} of "
                                            "the spend chunks it names are not stored")
                snapshot: Any = self.mapper.to_domain_event(stored)
                found[UUID(str(stored.originator_id))] = snapshot.mutate(None)
            except Exception:  # noqa: BLE001 - replayed from events instead
                log.warning("ignored an unreadable snapshot of %s at version %s",
                            stored.originator_id, stored.originator_version, exc_info=True)
        return found

    @property
    def snapshots_table(self) -> str:
        return "ledger_snapshots" if self.db.kind == "postgres" else "snapshots"

    def max_position(self) -> int:
        return self.recorder.max_notification_id() or 0

    def read_after(self, start: int, limit: int,
                   stop: int | None = None) -> list[tuple[int, Any]]:
        """A page of (position, event) after `start` (up to `stop`), in ledger order, each event
        a typed structure (typed_events.py) whose `originator_id` is the stream's id as text:
        what projections and replays read. On PostgreSQL, rows come as binary tuples, without
        the library's per-row objects."""
        decode = self.typed.decode
        if self.db.kind != "postgres":
            return [(n.id, decode(n.topic, str(n.originator_id), n.originator_version, n.state))
                    for n in self.recorder.select_notifications(
                        start=start, limit=limit, stop=stop, inclusive_of_start=False)]
        rows = select_rows_after(self.recorder, self.db.schema, self.events_table, start, limit,
                                 stop)
        return [(position, decode(topic, originator_id, version, state))
                for position, originator_id, version, topic, state in rows]

    def decode_row(self, topic: str, originator_id: Any, version: int, state: bytes) -> Any:
        """The library's event object for a row read as a tuple (no cipher or compressor here),
        for code that rebuilds aggregates from events (the audit pack) and for the typed
        reader's slow path; a class with a version to upcast goes through the mapper itself."""
        cls = resolve_topic(topic)
        if getattr(cls, "class_version", 1) > 1:
            return self.mapper.to_domain_event(StoredEvent(originator_id, version, topic, state))
        values = self.transcoder.decode(state)
        values["originator_id"] = originator_id
        values["originator_version"] = version
        event: Any = _new(cls)
        _set(event, "__dict__", values)
        return event

    def events_at(self, positions: list[int]) -> dict[int, Any]:
        """The events at these ledger positions, decoded, in one query."""
        stored = select_events_at(self.recorder, self.db.kind, self.db.schema, self.events_table,
                                  positions)
        return {position: self.mapper.to_domain_event(s) for position, s in stored.items()}
