"""One creator earning, held 14 days from the event that earned it, then available, then paid.

Every token of the earning is in exactly one of held, available, paid or reversed. A reversal of
an already-paid earning cannot take the money back, so it is recorded as a clawback: a negative
adjustment carried against the creator's future earnings. A reversal undone (a dispute the
platform won) re-earns the share with the hold's original release time: it goes back to held or
available, as the hold stands, and an outstanding clawback is cancelled rather than paid twice.
"""

from datetime import datetime, timedelta
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain import ids
from domain.errors import HoldNotDueError, InvalidAmountError, InvalidTransitionError

HELD = "held"
AVAILABLE = "available"
PAID = "paid"


class EarningsHold(Aggregate):
    @staticmethod
    def create_id(source_kind: str, source_id: UUID, **_: object) -> UUID:
        return ids.hold_id(source_kind, source_id)

    class Held(Aggregate.Created):
        source_kind: str
        source_id: UUID
        creator_id: str
        amount_tokens: int
        source_amount_tokens: int
        earned_at: datetime
        release_at: datetime

    @event(Held)
    def __init__(self, source_kind: str, source_id: UUID, creator_id: str, amount_tokens: int,
                 source_amount_tokens: int, earned_at: datetime, release_at: datetime) -> None:
        self.source_kind = source_kind
        self.source_amount_tokens = source_amount_tokens
        self.source_id = source_id
        self.creator_id = creator_id
        self.amount_tokens = amount_tokens
        self.earned_at = earned_at
        self.release_at = release_at
        self.status = HELD
        self.held_tokens = amount_tokens
        self.available_tokens = 0
        self.paid_tokens = 0
        self.reversed_tokens = 0
        self.clawback_tokens = 0
        self.source_clawed_tokens = 0

    @classmethod
    def hold(cls, *, source_kind: str, source_id: UUID, creator_id: str, amount_tokens: int,
             source_amount_tokens: int, earned_at: datetime,
             hold_period: timedelta) -> "EarningsHold":
        if not 0 <= amount_tokens <= source_amount_tokens:
            raise InvalidAmountError("an earning must be within 0 and the amount that earned it")
        return cls(source_kind=source_kind, source_id=source_id, creator_id=creator_id,
                   amount_tokens=amount_tokens, source_amount_tokens=source_amount_tokens,
                   earned_at=earned_at, release_at=earned_at + hold_period)

    def release(self, now: datetime) -> None:
        if self.status != HELD:
            raise InvalidTransitionError(f"hold is {self.status}, not held")
        if now < self.release_at:
            raise HoldNotDueError(f"hold releases at {self.release_at.isoformat()}")
        self._released(amount_tokens=self.held_tokens, at=now)

    def mark_paid(self, payout_ref: str, at: datetime) -> None:
        if self.status != AVAILABLE:
            raise InvalidTransitionError(f"hold is {self.status}, not available")
        self._paid_out(payout_ref=payout_ref, amount_tokens=self.available_tokens, at=at)

    def reverse_source(self, source_tokens: int, reason: str, at: datetime) -> int:
        """Reverse the share of this earning funded by source_tokens of the tip (or sale) behind it.

        Cumulative flooring makes partial reversals sum exactly to the whole earning. Returns the
        creator tokens reversed (or clawed back).
        """
        if source_tokens <= 0 or self.source_clawed_tokens + source_tokens > self.source_amount_tokens:
            raise InvalidAmountError("reversal must be positive and within the source amount")
        before = self.amount_tokens * self.source_clawed_tokens // self.source_amount_tokens
        after_clawed = self.source_clawed_tokens + source_tokens
        amount_tokens = self.amount_tokens * after_clawed // self.source_amount_tokens - before
        if self.status == PAID:
            self._clawed_back(amount_tokens=amount_tokens, source_tokens=source_tokens,
                              reason=reason, at=at)
        else:
            self._reversed(amount_tokens=amount_tokens, source_tokens=source_tokens,
                           reason=reason, at=at)
        return amount_tokens

    def reinstate_source(self, source_tokens: int, reason: str, at: datetime) -> int:
        """Undo the reversal of source_tokens; returns the creator tokens re-earned.

        The creator's reversed total is a function of the source tokens reversed (cumulative
        flooring), so reversals and reinstatements in any order never drift by a token.
        """
        if source_tokens <= 0 or source_tokens > self.source_clawed_tokens:
            raise InvalidAmountError("a reinstatement must be positive and within what was reversed")
        before = self.amount_tokens * self.source_clawed_tokens // self.source_amount_tokens
        after = self.amount_tokens * (self.source_clawed_tokens - source_tokens) \
            // self.source_amount_tokens
        amount_tokens = before - after
        from_clawback = min(amount_tokens, self.clawback_tokens)
        self._reinstated(amount_tokens=amount_tokens, from_clawback_tokens=from_clawback,
                         source_tokens=source_tokens, reason=reason, at=at)
        return amount_tokens

    class Reinstated(Aggregate.Event):
        amount_tokens: int
        from_clawback_tokens: int  # cancels an outstanding negative adjustment; the rest re-earns
        source_tokens: int
        reason: str
        at: datetime

    @event(Reinstated)
    def _reinstated(self, amount_tokens: int, from_clawback_tokens: int, source_tokens: int,
                    reason: str, at: datetime) -> None:
        self.clawback_tokens -= from_clawback_tokens
        earned_again = amount_tokens - from_clawback_tokens
        self.reversed_tokens -= earned_again
        if self.status == HELD:
            self.held_tokens += earned_again
        else:
            self.available_tokens += earned_again
        self.source_clawed_tokens -= source_tokens

    class Released(Aggregate.Event):
        amount_tokens: int
        at: datetime

    @event(Released)
    def _released(self, amount_tokens: int, at: datetime) -> None:
        self.held_tokens -= amount_tokens
        self.available_tokens += amount_tokens
        self.status = AVAILABLE

    class PaidOut(Aggregate.Event):
        payout_ref: str
        amount_tokens: int
        at: datetime

    @event(PaidOut)
    def _paid_out(self, payout_ref: str, amount_tokens: int, at: datetime) -> None:
        self.available_tokens -= amount_tokens
        self.paid_tokens += amount_tokens
        self.status = PAID

    class Reversed(Aggregate.Event):
        amount_tokens: int
        source_tokens: int
        reason: str
        at: datetime

    @event(Reversed)
    def _reversed(self, amount_tokens: int, source_tokens: int, reason: str, at: datetime) -> None:
        if self.status == HELD:
            self.held_tokens -= amount_tokens
        else:
            self.available_tokens -= amount_tokens
        self.reversed_tokens += amount_tokens
        self.source_clawed_tokens += source_tokens

    class ClawedBack(Aggregate.Event):
        amount_tokens: int
        source_tokens: int
        reason: str
        at: datetime

    @event(ClawedBack)
    def _clawed_back(self, amount_tokens: int, source_tokens: int, reason: str,
                     at: datetime) -> None:
        self.clawback_tokens += amount_tokens
        self.source_clawed_tokens += source_tokens
