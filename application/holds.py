"""Release earnings whose 14-day hold has run out. Safe to run from several workers at once."""

from uuid import UUID

from eventsourcing.persistence import IntegrityError

from adapters.eventstore.ledger import Ledger
from application.clock import Clock
from application.ports import DueHolds
from domain.aggregates.earnings_hold import HELD

SAVE_CHUNK = 100


class HoldReleases:
    def __init__(self, ledger: Ledger, due: DueHolds, clock: Clock) -> None:
        self._ledger = ledger
        self._due = due
        self._clock = clock

    def release_due(self, limit: int = 10_000) -> int:
        now = self._clock()
        hold_ids = [UUID(h) for h in self._due.due_hold_ids(now.isoformat(), limit)]
        released = 0
        for start in range(0, len(hold_ids), SAVE_CHUNK):
            chunk = hold_ids[start:start + SAVE_CHUNK]
            holds = [h for h in self._ledger.get_many(chunk).values()
                     if h.status == HELD and h.release_at <= now]
            for hold in holds:
                hold.release(now)
            try:
                self._ledger.save(*holds)
                released += len(holds)
            except IntegrityError:
                released += self._release_one_by_one(chunk)
        return released

    def _release_one_by_one(self, hold_ids: list[UUID]) -> int:
        """After a conflict (another worker, or a reversal) decide each hold afresh."""
        now = self._clock()
        released = 0
        for hold_id in hold_ids:
            hold = self._ledger.get_or_none(hold_id)
            if hold is None or hold.status != HELD or hold.release_at > now:
                continue
            hold.release(now)
            try:
                self._ledger.save(hold)
                released += 1
            except IntegrityError:
                continue
        return released
