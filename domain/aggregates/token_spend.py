"""What every token spend has in common (a tip, a pay-per-view unlock, a paid message): the
tokens, the split fixed when it happened, the lots that paid, and what reversals took back.

Each kind is its own aggregate and stream; they share this base, so a refund or dispute traces to
any kind alike: `reverse` gives back both shares of some of its tokens, `reinstate` undoes that
when a dispute is won. The creator's part of each is what the spend's earnings hold computed
(cumulative flooring there); the platform gives back the rest, so the two always sum.
"""

from datetime import datetime
from typing import Any

from eventsourcing.domain import Aggregate, event

from domain.errors import InvalidAmountError


class TokenSpend(Aggregate):
    kind = ""  # the ref prefix in wallet lots and the hold's source kind: "tip", "unlock", ...

    fan_id: str
    creator_id: str
    amount_tokens: int
    creator_bps: int
    creator_tokens: int
    platform_tokens: int
    lots_used: list[list[Any]]

    def _spent(self, fan_id: str, creator_id: str, amount_tokens: int, creator_bps: int,
               creator_tokens: int, platform_tokens: int, lots_used: list[list[Any]]) -> None:
        """Called by each kind's creation event handler."""
        self.fan_id = fan_id
        self.creator_id = creator_id
        self.amount_tokens = amount_tokens
        self.creator_bps = creator_bps
        self.creator_tokens = creator_tokens
        self.platform_tokens = platform_tokens
        self.lots_used = lots_used
        self.reversed_source_tokens = 0
        self.reversed_creator_tokens = 0
        self.reversed_platform_tokens = 0

    @property
    def ref_id(self) -> str:
        return f"{self.kind}:{self.id}"

    @property
    def standing_tokens(self) -> int:
        return self.amount_tokens - self.reversed_source_tokens

    def reverse(self, source_tokens: int, creator_tokens: int, reason: str, at: datetime) -> None:
        """Part of this spend is reversed with the purchase that funded it: both shares come back."""
        if not 0 < source_tokens <= self.standing_tokens:
            raise InvalidAmountError("a reversal must be positive and within what still stands")
        if not 0 <= creator_tokens <= source_tokens:
            raise InvalidAmountError("the creator's reversed share must be within the tokens")
        self._reversed(source_tokens=source_tokens, creator_tokens=creator_tokens,
                       platform_tokens=source_tokens - creator_tokens, reason=reason, at=at)

    def reinstate(self, source_tokens: int, creator_tokens: int, reason: str, at: datetime) -> None:
        """A reversal undone (a dispute won): the tokens stand again, both shares with them."""
        if not 0 < source_tokens <= self.reversed_source_tokens:
            raise InvalidAmountError("a reinstatement must be positive and within what was reversed")
        if not 0 <= creator_tokens <= min(source_tokens, self.reversed_creator_tokens):
            raise InvalidAmountError("the creator's reinstated share must be within what was reversed")
        self._reinstated(source_tokens=source_tokens, creator_tokens=creator_tokens,
                         platform_tokens=source_tokens - creator_tokens, reason=reason, at=at)

    class Reversed(Aggregate.Event):
        source_tokens: int
        creator_tokens: int
        platform_tokens: int
        reason: str
        at: datetime

    @event(Reversed)
    def _reversed(self, source_tokens: int, creator_tokens: int, platform_tokens: int,
                  reason: str, at: datetime) -> None:
        self.reversed_source_tokens += source_tokens
        self.reversed_creator_tokens += creator_tokens
        self.reversed_platform_tokens += platform_tokens

    class Reinstated(Aggregate.Event):
        source_tokens: int
        creator_tokens: int
        platform_tokens: int
        reason: str
        at: datetime

    @event(Reinstated)
    def _reinstated(self, source_tokens: int, creator_tokens: int, platform_tokens: int,
                    reason: str, at: datetime) -> None:
        self.reversed_source_tokens -= source_tokens
        self.reversed_creator_tokens -= creator_tokens
        self.reversed_platform_tokens -= platform_tokens
