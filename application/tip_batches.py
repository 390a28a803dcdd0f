"""Plans and records a batch of tips in one transaction; one writer per group-commit partition.

A writer plans every command against fresh aggregates, in order, then records all the touched
aggregates with one atomic save. A version conflict (someone else wrote a wallet) re-plans, so a
conflict can never double-spend; a batch that keeps conflicting is split so one busy wallet does
not starve the others.
"""

import random
import time
from collections import OrderedDict
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

from eventsourcing.persistence import IntegrityError

from application.clock import Clock
from application.errors import ConcurrencyExhaustedError, IdempotencyConflictError
from application.ledger import Ledger
from domain import ids
from domain.aggregates.creator import Creator
from domain.aggregates.earnings_hold import EarningsHold
from domain.aggregates.tip import Tip
from domain.aggregates.wallet import Wallet
from domain.errors import (
    CreatorCannotReceiveError,
    DomainError,
    InsufficientFundsError,
    UnknownCreatorError,
)
from domain.fees import FeeSchedule

if TYPE_CHECKING:
    from application.tipping import SendTip

TIP_SOURCE = "tip"
MAX_ATTEMPTS = 30
Outcome = dict[str, Any] | BaseException


class AggregateCache:
    """Aggregates as this writer last read or wrote them. Only its own thread touches it: a
    stale entry is fast-forwarded when read, and a failed save evicts what it touched."""

    def __init__(self, max_size: int = 100_000) -> None:
        self.entries: OrderedDict[UUID, Any] = OrderedDict()
        self._max_size = max_size

    def trim(self) -> None:
        while len(self.entries) > self._max_size:
            self.entries.popitem(last=False)


class TipBatchWriter:
    def __init__(self, ledger: Ledger, fees: FeeSchedule, clock: Clock,
                 cache: AggregateCache | None = None) -> None:
        self._ledger = ledger
        self._fees = fees
        self._clock = clock
        self._cache = cache

    def execute(self, commands: Sequence["SendTip"]) -> list[Outcome]:
        """Outcomes in command order: a dict for TipSent (with its position) or the error."""
        for attempt in range(MAX_ATTEMPTS):
            if attempt:
                time.sleep(random.uniform(0, min(0.05, 0.001 * 2 ** attempt)))  # jittered backoff
            try:
                outcomes, aggregates = self._plan(commands)
                if not aggregates:
                    return _with_position(outcomes, self._ledger.max_position())
                recordings = self._ledger.record(aggregates)
            except IntegrityError:
                self._forget(commands)
                if len(commands) > 1:
                    return [out for c in commands for out in self.execute([c])]
                continue
            except BaseException:
                self._forget(commands)
                raise
            return _with_position(outcomes, max(r.notification.id for r in recordings))
        return [ConcurrencyExhaustedError("the wallet kept changing; try again")] * len(commands)

    def _forget(self, commands: Sequence["SendTip"]) -> None:
        if self._cache is not None:
            for command in commands:
                self._cache.entries.pop(ids.wallet_id(command.fan_id), None)

    def _plan(self, commands: Sequence["SendTip"]) -> tuple[list[Outcome], list[Any]]:
        now = self._clock()
        wanted = [key for c in commands for key in (
            ids.wallet_id(c.fan_id), ids.creator_id(c.creator_id), *([c.tip_id] if c.keyed else []))]
        loaded = self._ledger.get_many(wanted, self._cache.entries if self._cache else None)
        if self._cache is not None:
            self._cache.trim()
        touched: dict[UUID, Any] = {}
        outcomes: list[Outcome] = []
        for command in commands:
            try:
                outcomes.append(self._plan_one(command, loaded, touched, now))
            except DomainError as error:
                outcomes.append(error)
        return outcomes, list(touched.values())

    def _plan_one(self, command: "SendTip", loaded: dict[UUID, Any], touched: dict[UUID, Any],
                  now: datetime) -> dict[str, Any]:
        wallet: Wallet | None = loaded.get(ids.wallet_id(command.fan_id))
        prior: Tip | None = loaded.get(command.tip_id) or touched.get(command.tip_id)
        if prior is not None:
            _check_same_input(prior, command)
            return _outcome(prior, wallet.balance_tokens if wallet else 0, replayed=True)
        creator: Creator | None = loaded.get(ids.creator_id(command.creator_id))
        if creator is None:
            raise UnknownCreatorError(f"no creator {command.creator_id}")
        if not creator.can_receive_money:
            raise CreatorCannotReceiveError("this creator cannot receive tips right now")
        if wallet is None:
            raise InsufficientFundsError(f"balance 0 tokens is less than {command.amount_tokens}")
        lots_used = wallet.spend(command.amount_tokens, f"{TIP_SOURCE}:{command.tip_id}", now)
        tip = Tip.send(tip_id=command.tip_id, fan_id=command.fan_id,
                       creator_id=command.creator_id, amount_tokens=command.amount_tokens,
                       creator_bps=self._fees.tip_creator_bps, lots_used=lots_used,
                       thread_id=command.thread_id, chat_mode=command.chat_mode, sent_at=now)
        hold = EarningsHold.hold(source_kind=TIP_SOURCE, source_id=tip.id,
                                 creator_id=command.creator_id, amount_tokens=tip.creator_tokens,
                                 source_amount_tokens=tip.amount_tokens, earned_at=now,
                                 hold_period=self._fees.hold_period)
        touched[wallet.id] = wallet
        touched[tip.id] = tip
        touched[hold.id] = hold
        return _outcome(tip, wallet.balance_tokens, replayed=False)


def _check_same_input(tip: Tip, command: "SendTip") -> None:
    same = (tip.fan_id, tip.creator_id, tip.amount_tokens, tip.thread_id, tip.chat_mode) == (
        command.fan_id, command.creator_id, command.amount_tokens, command.thread_id,
        command.chat_mode)
    if not same:
        raise IdempotencyConflictError("this Idempotency-Key was already used for a different tip")


def _outcome(tip: Tip, balance_tokens: int, replayed: bool) -> dict[str, Any]:
    return {"tip_id": tip.id, "amount_tokens": tip.amount_tokens,
            "creator_tokens": tip.creator_tokens, "platform_tokens": tip.platform_tokens,
            "new_balance_tokens": balance_tokens, "replayed": replayed}


def _with_position(outcomes: list[Outcome], position: int) -> list[Outcome]:
    return [o if isinstance(o, BaseException) else {**o, "position": position} for o in outcomes]
