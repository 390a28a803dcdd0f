"""Tips: the fan's wallet debit, a new Tip and a new EarningsHold, recorded in one atomic save.

The creator's stream is only read, so a popular creator is not a hot spot: their totals are a
projection. With group commit, commands are routed by fan to one of several writers; each writer
owns its fans' wallets, so writers never conflict with each other, and while one waits on the
database another plans its next batch.
"""

import zlib
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID, uuid4

from application.clock import Clock
from application.group_commit import GroupCommitter
from application.ledger import Ledger
from application.tip_batches import AggregateCache, Outcome, TipBatchWriter
from domain import ids
from domain.aggregates.tip import CHAT_MODES
from domain.catalogue import TIP_MAX_TOKENS, TIP_MIN_TOKENS
from domain.errors import InvalidAmountError, SelfTipError, UnknownCreatorError
from domain.fees import FeeSchedule


@dataclass(frozen=True)
class SendTip:
    """The tip id is fixed when the command is made, so every retry of it is the same tip."""

    fan_id: str
    creator_id: str
    amount_tokens: int
    thread_id: str | None = None
    chat_mode: str | None = None
    tip_id: UUID = field(default_factory=uuid4)
    keyed: bool = False  # a random id cannot exist yet, so only a keyed one is looked up

    @classmethod
    def with_key(cls, idempotency_key: str | None, **fields: Any) -> "SendTip":
        if idempotency_key:
            return cls(tip_id=ids.tip_id_for_key(fields["fan_id"], idempotency_key), keyed=True,
                       **fields)
        return cls(**fields)


@dataclass(frozen=True)
class TipSent:
    tip_id: UUID
    amount_tokens: int
    creator_tokens: int
    platform_tokens: int
    new_balance_tokens: int
    position: int
    replayed: bool = False


def validate(command: SendTip) -> None:
    amount = command.amount_tokens
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise InvalidAmountError("amount_tokens must be a whole number of tokens")
    if not TIP_MIN_TOKENS <= amount <= TIP_MAX_TOKENS:
        raise InvalidAmountError(
            f"amount_tokens must be between {TIP_MIN_TOKENS} and {TIP_MAX_TOKENS}")
    if not command.creator_id:
        raise UnknownCreatorError("creator_id is required")
    if command.creator_id == command.fan_id:
        raise SelfTipError("you cannot tip yourself")
    if command.chat_mode is not None and command.chat_mode not in CHAT_MODES:
        raise InvalidAmountError(f"chat_mode must be one of {', '.join(CHAT_MODES)}")


class Tipping:
    def __init__(self, ledger: Ledger, fees: FeeSchedule, clock: Clock, window_s: float = 0.0,
                 max_batch: int = 256, writers: int = 2) -> None:
        self._direct = TipBatchWriter(ledger, fees, clock)
        self._committers: list[GroupCommitter[SendTip, dict[str, Any]]] = []
        if window_s > 0:
            for n in range(writers):
                writer = TipBatchWriter(ledger, fees, clock, AggregateCache())
                self._committers.append(
                    GroupCommitter(writer.execute, window_s, max_batch, f"tips-{n}"))

    def send(self, command: SendTip) -> TipSent:
        validate(command)
        if self._committers:
            shard = zlib.crc32(command.fan_id.encode()) % len(self._committers)
            return TipSent(**self._committers[shard].submit(command).result())
        outcome: Outcome = self._direct.execute([command])[0]
        if isinstance(outcome, BaseException):
            raise outcome
        return TipSent(**outcome)

    def close(self) -> None:
        for committer in self._committers:
            committer.close()
