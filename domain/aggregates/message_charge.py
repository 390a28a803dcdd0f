"""One paid chat message beyond what a subscription includes: a token spend (80/20 by default)."""

from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.aggregates.token_spend import TokenSpend
from domain.money import split


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
