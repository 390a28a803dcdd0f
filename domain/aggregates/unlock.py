"""A fan's pay-per-view unlock of one offer: a token spend that grants an entitlement.

One per fan and offer (its id derives from both), so unlocking twice is a conflict, never a
second charge. The entitlement stands only while every token that paid for it stands: a refund
or dispute that reverses any of them revokes it, and a won dispute gives it back.
"""

from datetime import datetime
from typing import Any

from eventsourcing.domain import Aggregate, event

from domain import ids
from domain.aggregates.token_spend import TokenSpend
from domain.money import split


class Unlock(TokenSpend):
    kind = "unlock"

    class Purchased(Aggregate.Created):
        fan_id: str
        creator_id: str
        offer_id: str
        persona_id: str
        amount_tokens: int
        creator_bps: int
        creator_tokens: int
        platform_tokens: int
        lots_used: list[list[Any]]
        idempotency_key: str | None
        at: datetime

    @event(Purchased)
    def __init__(self, fan_id: str, creator_id: str, offer_id: str, persona_id: str,
                 amount_tokens: int, creator_bps: int, creator_tokens: int, platform_tokens: int,
                 lots_used: list[list[Any]], idempotency_key: str | None, at: datetime) -> None:
        self._spent(fan_id, creator_id, amount_tokens, creator_bps, creator_tokens,
                    platform_tokens, lots_used)
        self.offer_id = offer_id
        self.persona_id = persona_id
        self.idempotency_key = idempotency_key
        self.purchased_at = at

    @classmethod
    def purchase(cls, *, fan_id: str, creator_id: str, offer_id: str, persona_id: str,
                 price_tokens: int, creator_bps: int, lots_used: list[list[Any]],
                 idempotency_key: str | None, at: datetime) -> "Unlock":
        shares = split(price_tokens, creator_bps)
        return cls._create(
            cls.Purchased, id=ids.unlock_id(fan_id, offer_id), fan_id=fan_id,
            creator_id=creator_id, offer_id=offer_id, persona_id=persona_id,
            amount_tokens=price_tokens, creator_bps=creator_bps,
            creator_tokens=shares.creator_tokens, platform_tokens=shares.platform_tokens,
            lots_used=lots_used, idempotency_key=idempotency_key, at=at)

    @property
    def is_entitled(self) -> bool:
        return self.reversed_source_tokens == 0
