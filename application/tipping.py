"""Tips: the fan's wallet debit, a new Tip and a new EarningsHold, recorded in one atomic save.

The creator's stream is never written, so a popular creator is not a hot spot: their totals are a
projection. Commands are planned in batches (a batch of one without group commit) against fresh
aggregates; a version conflict re-plans the batch, so a conflict can never double-spend.
"""

import random
import time
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID, uuid4

from eventsourcing.persistence import IntegrityError

from application.clock import Clock
from application.errors import ConcurrencyExhaustedError, IdempotencyConflictError
from application.group_commit import GroupCommitter
from application.ledger import Ledger
from domain import ids
from domain.aggregates.creator import Creator
from domain.aggregates.earnings_hold import EarningsHold
from domain.aggregates.tip import CHAT_MODES, Tip
from domain.aggregates.wallet import Wallet
from domain.catalogue import TIP_MAX_TOKENS, TIP_MIN_TOKENS
from domain.errors import (
    CreatorCannotReceiveError,
    DomainError,
    InsufficientFundsError,
    InvalidAmountError,
    SelfTipError,
    UnknownCreatorError,
)
from domain.fees import FeeSchedule

TIP_SOURCE = "tip"
CACHE_SIZE = 100_000


class LRU:
    def __init__(self, max_size: int) -> None:
        self.entries: OrderedDict[UUID, Any] = OrderedDict()
        self._max_size = max_size

    def trim(self) -> None:
        while len(self.entries) > self._max_size:
            self.entries.popitem(last=False)
MAX_ATTEMPTS = 30


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
    def __init__(self, ledger: Ledger, fees: FeeSchedule, clock: Clock,
                 window_s: float = 0.0, max_batch: int = 256) -> None:
        self._ledger = ledger
        self._fees = fees
        self._clock = clock
        self._committer: GroupCommitter[SendTip, TipSent] | None = None
        # Wallets and creators as last read or written by the single group-commit writer; a
        # stale entry is fast-forwarded when read, and a failed save evicts what it touched.
        self._cache: LRU | None = None
        if window_s > 0:
            self._cache = LRU(CACHE_SIZE)
            self._committer = GroupCommitter(self.execute_batch, window_s, max_batch, "tips")

    def send(self, command: SendTip) -> TipSent:
        validate(command)
        if self._committer is not None:
            return self._committer.submit(command).result()
        outcome = self.execute_batch([command])[0]
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome

    def close(self) -> None:
        if self._committer is not None:
            self._committer.close()

    def execute_batch(self, commands: Sequence[SendTip]) -> list[TipSent | BaseException]:
        for attempt in range(MAX_ATTEMPTS):
            if attempt:
                time.sleep(random.uniform(0, min(0.05, 0.001 * 2 ** attempt)))  # jittered backoff
            try:
                outcomes, aggregates = self._plan(commands)
                if not aggregates:
                    return self._finish(outcomes, position=self._ledger.max_position())
                recordings = self._ledger.record(aggregates)
            except IntegrityError:
                self._forget(commands)
                if len(commands) > 1:  # isolate the conflicting command rather than starve all
                    return [out for c in commands for out in self.execute_batch([c])]
                continue
            except BaseException:
                self._forget(commands)
                raise
            return self._finish(outcomes, max(r.notification.id for r in recordings))
        return [ConcurrencyExhaustedError("the wallet kept changing; try again")] * len(commands)

    def _forget(self, commands: Sequence[SendTip]) -> None:
        if self._cache is not None:
            for command in commands:
                self._cache.entries.pop(ids.wallet_id(command.fan_id), None)

    @staticmethod
    def _finish(outcomes: list[Any], position: int) -> list[TipSent | BaseException]:
        return [o if isinstance(o, BaseException) else TipSent(**{**o, "position": position})
                for o in outcomes]

    def _plan(self, commands: Sequence[SendTip]) -> tuple[list[Any], list[Any]]:
        """Apply every command to fresh aggregates in order; return outcomes and what to save."""
        now = self._clock()
        wanted = [key for c in commands for key in (
            ids.wallet_id(c.fan_id), ids.creator_id(c.creator_id), *([c.tip_id] if c.keyed else []))]
        cache = self._cache.entries if self._cache is not None else None
        loaded = self._ledger.get_many(wanted, cache=cache)
        if self._cache is not None:
            self._cache.trim()
        wallets = creators = existing = loaded
        touched: dict[UUID, Any] = {}
        outcomes: list[Any] = []
        for command in commands:
            try:
                outcomes.append(self._plan_one(command, wallets, creators, existing, touched, now))
            except DomainError as error:
                outcomes.append(error)
        return outcomes, list(touched.values())

    def _plan_one(self, command: SendTip, wallets: dict[UUID, Any], creators: dict[UUID, Any],
                  existing: dict[UUID, Any], touched: dict[UUID, Any], now: Any) -> dict[str, Any]:
        tip_id = command.tip_id
        wallet_key = ids.wallet_id(command.fan_id)
        prior = existing.get(tip_id) or touched.get(tip_id)
        if prior is not None:
            self._check_same_input(prior, command)
            wallet = wallets.get(wallet_key)
            return _outcome(prior, wallet.balance_tokens if wallet else 0, replayed=True)
        creator: Creator | None = creators.get(ids.creator_id(command.creator_id))
        if creator is None:
            raise UnknownCreatorError(f"no creator {command.creator_id}")
        if not creator.can_receive_money:
            raise CreatorCannotReceiveError("this creator cannot receive tips right now")
        wallet: Wallet | None = wallets.get(wallet_key)
        if wallet is None:
            raise InsufficientFundsError(f"balance 0 tokens is less than {command.amount_tokens}")
        lots_used = wallet.spend(command.amount_tokens, f"{TIP_SOURCE}:{tip_id}", now)
        tip = Tip.send(tip_id=tip_id, fan_id=command.fan_id, creator_id=command.creator_id,
                       amount_tokens=command.amount_tokens, creator_bps=self._fees.tip_creator_bps,
                       lots_used=lots_used, thread_id=command.thread_id,
                       chat_mode=command.chat_mode, sent_at=now)
        hold = EarningsHold.hold(source_kind=TIP_SOURCE, source_id=tip_id,
                                 creator_id=command.creator_id, amount_tokens=tip.creator_tokens,
                                 source_amount_tokens=tip.amount_tokens, earned_at=now,
                                 hold_period=self._fees.hold_period)
        touched[wallet.id] = wallet
        touched[tip.id] = tip
        touched[hold.id] = hold
        return _outcome(tip, wallet.balance_tokens, replayed=False)

    @staticmethod
    def _check_same_input(tip: Tip, command: SendTip) -> None:
        same = (tip.fan_id, tip.creator_id, tip.amount_tokens, tip.thread_id, tip.chat_mode) == (
            command.fan_id, command.creator_id, command.amount_tokens, command.thread_id,
            command.chat_mode)
        if not same:
            raise IdempotencyConflictError(
                "this Idempotency-Key was already used for a different tip")


def _outcome(tip: Tip, balance_tokens: int, replayed: bool) -> dict[str, Any]:
    return {"tip_id": tip.id, "amount_tokens": tip.amount_tokens,
            "creator_tokens": tip.creator_tokens, "platform_tokens": tip.platform_tokens,
            "new_balance_tokens": balance_tokens, "replayed": replayed}
