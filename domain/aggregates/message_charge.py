"""One paid chat message beyond what a subscription includes: a token spend (80/20 by default)."""

from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.aggregates.token_spend import TokenSpend
from domain.errors import InvalidTransitionError
from domain.money import split

NO_REPLY = "no_reply"


class MessageCharge(TokenSpend):
    kind = "message"

    class Charged(Aggregate.Created):
        fan_id: str
        creator_id: str
        persona_id: str
        thread_id: str
        amount_tokens: int
        creator_bps: int
        creator_tokens: int
        platform_tokens: int
        lots_used: list[list[Any]]
        at: datetime

    @event(Charged)
    def __init__(self, fan_id: str, creator_id: str, persona_id: str, thread_id: str,
                 amount_tokens: int, creator_bps: int, creator_tokens: int, platform_tokens: int,
                 lots_used: list[list[Any]], at: datetime) -> None:
        self._spent(fan_id, creator_id, amount_tokens, creator_bps, creator_tokens,
                    platform_tokens, lots_used)
        self.persona_id = persona_id
        self.thread_id = thread_id
        self.charged_at = at

    @classmethod
    def charge(cls, *, charge_id: UUID, fan_id: str, creator_id: str, persona_id: str,
               thread_id: str, price_tokens: int, creator_bps: int, lots_used: list[list[Any]],
               at: datetime) -> "MessageCharge":
        shares = split(price_tokens, creator_bps)
        return cls._create(
            cls.Charged, id=charge_id, fan_id=fan_id, creator_id=creator_id,
            persona_id=persona_id, thread_id=thread_id, amount_tokens=price_tokens,
            creator_bps=creator_bps, creator_tokens=shares.creator_tokens,
            platform_tokens=shares.platform_tokens, lots_used=lots_used, at=at)

    # A charge is settled once: the reply was delivered, or it was not and the charge was given
    # back (both shares) by a compensating reversal.
    delivered = False
    returned = False

    @property
    def settled(self) -> bool:
        return self.delivered or self.returned

    def deliver(self, at: datetime) -> None:
        if self.returned:
            raise InvalidTransitionError("this message was refunded: its reply cannot be delivered")
        if not self.delivered:
            self._delivered(at=at)

    def give_back(self, returned_tokens: int, creator_tokens: int, at: datetime) -> None:
        """No reply was delivered: the fan has returned_tokens back and the creator's share of
        them is reversed (what a lot reversal already took is not returned twice)."""
        if self.delivered:
            raise InvalidTransitionError("a delivered message is not refunded")
        if self.returned:
            return
        if returned_tokens:
            self.reverse(returned_tokens, creator_tokens, NO_REPLY, at)
        self._returned(at=at)

    class ReplyDelivered(Aggregate.Event):
        at: datetime

    @event(ReplyDelivered)
    def _delivered(self, at: datetime) -> None:
        self.delivered = True

    class Returned(Aggregate.Event):
        at: datetime

    @event(Returned)
    def _returned(self, at: datetime) -> None:
        self.returned = True
