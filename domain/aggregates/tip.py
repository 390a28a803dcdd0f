"""One tip: a token spend with its split fixed at the moment it was sent, at the rate then in force."""

from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.aggregates.token_spend import TokenSpend
from domain.errors import InvalidAmountError
from domain.money import split

CHAT_MODES = ("companion", "intimate")


class Tip(TokenSpend):
    kind = "tip"

    class Sent(Aggregate.Created):
        fan_id: str
        creator_id: str
        amount_tokens: int
        creator_bps: int
        creator_tokens: int
        platform_tokens: int
        lots_used: list[list[Any]]
        thread_id: str | None
        chat_mode: str | None
        sent_at: datetime

    @event(Sent)
    def __init__(self, fan_id: str, creator_id: str, amount_tokens: int, creator_bps: int,
                 creator_tokens: int, platform_tokens: int, lots_used: list[list[Any]],
                 thread_id: str | None, chat_mode: str | None, sent_at: datetime) -> None:
        self._spent(fan_id, creator_id, amount_tokens, creator_bps, creator_tokens,
                    platform_tokens, lots_used)
        self.thread_id = thread_id
        self.chat_mode = chat_mode
        self.sent_at = sent_at
        self.acknowledgement: str | None = None

    @classmethod
    def send(cls, *, tip_id: UUID, fan_id: str, creator_id: str, amount_tokens: int,
             creator_bps: int, lots_used: list[list[Any]], thread_id: str | None,
             chat_mode: str | None, sent_at: datetime) -> "Tip":
        if chat_mode is not None and chat_mode not in CHAT_MODES:
            raise InvalidAmountError(f"chat_mode must be one of {', '.join(CHAT_MODES)}")
        shares = split(amount_tokens, creator_bps)
        return cls._create(
            cls.Sent, id=tip_id, fan_id=fan_id, creator_id=creator_id,
            amount_tokens=amount_tokens, creator_bps=creator_bps,
            creator_tokens=shares.creator_tokens, platform_tokens=shares.platform_tokens,
            lots_used=lots_used, thread_id=thread_id, chat_mode=chat_mode, sent_at=sent_at,
        )

    @property
    def is_acknowledged(self) -> bool:
        return self.acknowledgement is not None

    def acknowledge(self, text: str, at: datetime) -> None:
        """The persona's one brief thank-you; a tip is acknowledged once, never again."""
        if not self.is_acknowledged:
            self._acknowledged(text=text, at=at)

    class Acknowledged(Aggregate.Event):
        text: str
        at: datetime

    @event(Acknowledged)
    def _acknowledged(self, text: str, at: datetime) -> None:
        self.acknowledgement = text
