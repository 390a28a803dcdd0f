"""One tip: a fact with its split fixed at the moment it was sent, at the rate then in force."""

from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.errors import InvalidAmountError
from domain.money import split

CHAT_MODES = ("companion", "intimate")


class Tip(Aggregate):
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
        self.fan_id = fan_id
        self.creator_id = creator_id
        self.amount_tokens = amount_tokens
        self.creator_bps = creator_bps
        self.creator_tokens = creator_tokens
        self.platform_tokens = platform_tokens
        self.lots_used = lots_used
        self.thread_id = thread_id
        self.chat_mode = chat_mode
        self.sent_at = sent_at
        self.acknowledgement: str | None = None
        self.reversed_source_tokens = 0
        self.reversed_creator_tokens = 0
        self.reversed_platform_tokens = 0

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
    def standing_tokens(self) -> int:
        return self.amount_tokens - self.reversed_source_tokens

    def reverse(self, source_tokens: int, creator_tokens: int, reason: str, at: datetime) -> None:
        """Part of this tip is reversed with the purchase that funded it: both shares come back.

        The creator's part is what its earnings hold reversed (cumulative flooring there); the
        platform gives back the rest, so the two reversed shares always sum to the tokens.
        """
        if not 0 < source_tokens <= self.standing_tokens:
            raise InvalidAmountError("a reversal must be positive and within what still stands")
        if not 0 <= creator_tokens <= source_tokens:
            raise InvalidAmountError("the creator's reversed share must be within the tokens")
        self._reversed(source_tokens=source_tokens, creator_tokens=creator_tokens,
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

    def reinstate(self, source_tokens: int, creator_tokens: int, reason: str, at: datetime) -> None:
        """A reversal undone (a dispute won): the tokens stand again, both shares with them."""
        if not 0 < source_tokens <= self.reversed_source_tokens:
            raise InvalidAmountError("a reinstatement must be positive and within what was reversed")
        if not 0 <= creator_tokens <= min(source_tokens, self.reversed_creator_tokens):
            raise InvalidAmountError("the creator's reinstated share must be within what was reversed")
        self._reinstated(source_tokens=source_tokens, creator_tokens=creator_tokens,
                         platform_tokens=source_tokens - creator_tokens, reason=reason, at=at)

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
