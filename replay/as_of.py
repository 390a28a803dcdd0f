"""Balances and earnings as they stood at any moment, replayed from the ledger itself.

The live read models answer "now". An auditor asking "what did this creator hold on 3 March at
noon?" gets the same projections replayed into a private in-memory database, stopping at the
first event recorded after that moment. Nothing is written to the ledger or the live read models.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from adapters import heap
from adapters.eventstore.ledger import Ledger
from projections.catalog import all_projections
from projections.db import SqliteReadModelDb
from projections.fold import Fold
from projections.queries import LedgerQueries
from projections.runner import ProjectionRunner

PAGE = 1_000


class _UntilMoment:
    """The ledger seen through a time limit: events recorded after `moment` are hidden."""

    def __init__(self, ledger: Ledger, moment: datetime) -> None:
        self._ledger = ledger
        self._moment = moment
        self.last_position = 0

    def read_after(self, start: int, limit: int, stop: int | None = None) -> list[Any]:
        shown = []
        for position, event in self._ledger.read_after(start, limit, stop):
            if event.timestamp > self._moment:
                break
            shown.append((position, event))
        if shown:
            self.last_position = shown[-1][0]
        return shown

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
                 projections: Sequence[Fold] | None = None,
                 advance: Callable[[int], None] | None = None) -> Snapshot:
    """The read models (all, or those named) as they stood at `moment` (by recording time);
    advance(n) is told of each page replayed (a progress bar)."""
    view = _UntilMoment(ledger, moment)
    db = SqliteReadModelDb(":memory:")
    chosen = list(projections) if projections is not None else all_projections()
    runner = ProjectionRunner(view, db, chosen, batch_size=PAGE)  # type: ignore[arg-type]
    runner.catch_up(advance)
    return Snapshot(moment=moment, position=view.last_position, queries=LedgerQueries(db), db=db)
