"""Balances and earnings as they stood at any moment, replayed from the ledger itself.

The live read models answer "now". An auditor asking "what did this creator hold on 3 March at
noon?" gets the same projections replayed into a private in-memory database, stopping at the
first event recorded after that moment. Nothing is written to the ledger or the live read models.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from application import heap
from application.bootstrap import all_projections
from application.ledger import Ledger
from projections.base import Projection
from projections.db import SqliteReadModelDb
from projections.queries import LedgerQueries
from projections.runner import ProjectionRunner

PAGE = 1_000


class _UntilMoment:
    """The ledger seen through a time limit: notifications recorded after `moment` are hidden.
    Each event is decoded once: the runner is handed the one decoded here to read its time."""

    def __init__(self, ledger: Ledger, moment: datetime) -> None:
        self._ledger = ledger
        self._moment = moment
        self.mapper = self
        self.recorder = self
        self.last_position = 0
        self._decoded: dict[int, Any] = {}

    def select_notifications(self, start: int, limit: int, **_: Any) -> list[Any]:
        page = self._ledger.recorder.select_notifications(start=start, limit=limit,
                                                          inclusive_of_start=False)
        shown = []
        self._decoded = {}
        for notification in page:
            event: Any = self._ledger.mapper.to_domain_event(notification)
            if event.timestamp > self._moment:
                break
            shown.append(notification)
            self._decoded[notification.id] = event
        if shown:
            self.last_position = shown[-1].id
        return shown

    def to_domain_event(self, notification: Any) -> Any:
        return self._decoded.pop(notification.id, None) or self._ledger.mapper.to_domain_event(
            notification)

    def on_recorded(self, _listener: Any) -> None:
        pass

    def max_position(self) -> int:
        return self.last_position


@dataclass
class Snapshot:
    moment: datetime
    position: int
    queries: LedgerQueries
    db: SqliteReadModelDb


@heap.bulk_work()  # a replay's decoded events are many and short-lived
def replay_as_of(ledger: Ledger, moment: datetime,
                 projections: Sequence[Projection] | None = None,
                 advance: Callable[[int], None] | None = None) -> Snapshot:
    """The read models (all, or those named) as they stood at `moment` (by recording time);
    advance(n) is told of each page replayed (a progress bar)."""
    view = _UntilMoment(ledger, moment)
    db = SqliteReadModelDb(":memory:")
    chosen = list(projections) if projections is not None else all_projections()
    runner = ProjectionRunner(view, db, chosen, batch_size=PAGE)  # type: ignore[arg-type]
    runner.catch_up(advance)
    return Snapshot(moment=moment, position=view.last_position, queries=LedgerQueries(db), db=db)
