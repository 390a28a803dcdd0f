"""A fan's pay-per-view unlock of one offer: a token spend that grants an entitlement.

One standing unlock per fan and offer (its id derives from both), so unlocking twice is a
conflict, never a second charge. The entitlement stands only while every token that paid for it
stands: a refund or dispute that reverses any of them revokes it, and a won dispute gives it
back. A revoked unlock may be bought again: that is a new Unlock, the next in the chain of ids
for the fan and offer (`ids.unlock_id(..., generation)`); the revoked one keeps its history.
"""

from collections.abc import Callable
from datetime import datetime
from typing import Any
from uuid import UUID

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
    def purchase(cls, *, unlock_id: UUID, fan_id: str, creator_id: str, offer_id: str,
                 persona_id: str, price_tokens: int, creator_bps: int, lots_used: list[list[Any]],
                 idempotency_key: str | None, at: datetime) -> "Unlock":
        shares = split(price_tokens, creator_bps)
        return cls._create(
            cls.Purchased, id=unlock_id, fan_id=fan_id,
            creator_id=creator_id, offer_id=offer_id, persona_id=persona_id,
            amount_tokens=price_tokens, creator_bps=creator_bps,
            creator_tokens=shares.creator_tokens, platform_tokens=shares.platform_tokens,
            lots_used=lots_used, idempotency_key=idempotency_key, at=at)

    @property
    def is_entitled(self) -> bool:
        return self.reversed_source_tokens == 0


def standing_unlock_id(fan_id: str, offer_id: str, seen: Callable[[UUID], object | None]) -> UUID:
    """The chain of a fan's unlocks of an offer, walked past every unlock `seen` knows to be
    revoked: the id of the one standing now, or of the next to buy. A caller loading as it goes
    asks for the id returned, and walks again until the answer stops changing."""
    generation = 1
    while True:
        unlock_id = ids.unlock_id(fan_id, offer_id, generation)
        found = seen(unlock_id)
        if not isinstance(found, Unlock) or found.is_entitled:
            return unlock_id
        generation += 1
