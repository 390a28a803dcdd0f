"""The event store: every money aggregate in one ordered log, which is both ledger and audit trail."""

from collections.abc import Callable, Iterable
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.persistence import Recording

from adapters.eventstore.append_only import protect_events_table
from adapters.eventstore.config import Database, ensure_schema, eventstore_env

A = TypeVar("A")


class Ledger(Application[UUID]):
    name = "Ledger"

    def __init__(self, db: Database) -> None:
        ensure_schema(db)
        super().__init__(env=eventstore_env(db))
        self.db = db
        protect_events_table(db, self.events_table)
        self._listeners: list[Callable[[int], None]] = []

    @property
    def events_table(self) -> str:
        return "ledger_events" if self.db.kind == "postgres" else "stored_events"

    def on_recorded(self, listener: Callable[[int], None]) -> None:
        """Call listener with the highest notification id after each save (wakes projections)."""
        self._listeners.append(listener)

    def _notify(self, recordings: list[Recording[UUID]]) -> None:
        if recordings:
            top = max(r.notification.id for r in recordings)
            for listener in self._listeners:
                listener(top)

    def get_or_none(self, aggregate_id: UUID) -> Any | None:
        try:
            return self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            return None

    def get_many(self, aggregate_ids: Iterable[UUID]) -> dict[UUID, Any]:
        """Aggregates that exist among aggregate_ids (absent ids are simply missing)."""
        found: dict[UUID, Any] = {}
        for aggregate_id in dict.fromkeys(aggregate_ids):
            aggregate = self.get_or_none(aggregate_id)
            if aggregate is not None:
                found[aggregate_id] = aggregate
        return found

    def max_position(self) -> int:
        return self.recorder.max_notification_id() or 0
