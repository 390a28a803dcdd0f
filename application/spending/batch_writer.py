"""Plans and records a batch of spends in one transaction; one writer per group-commit partition.

A writer plans every command against fresh aggregates, in order, then records all the touched
aggregates with one atomic save. A version conflict (someone else wrote a wallet, or the same
unlock was bought at the same moment) re-plans, so a conflict can never double-spend; a batch
that keeps conflicting is split so one busy wallet does not starve the others.
"""

import random
import time
from collections import OrderedDict
from collections.abc import Iterator, Mapping, MutableMapping, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.persistence import IntegrityError

from adapters.eventstore.ledger import ConcurrencyExhaustedError, Ledger
from application.clock import Clock
from application.spending.commands import Spend, Spent
from application.spending.kinds import Loaded, SpendKind
from domain import ids
from domain.aggregates.earnings_hold import EarningsHold
from domain.aggregates.token_spend import TokenSpend
from domain.aggregates.wallet import Wallet
from domain.errors import DomainError, InsufficientFundsError
from domain.fees import FeeSchedule

MAX_ATTEMPTS = 30
Planned = dict[str, Any] | BaseException
Outcome = Spent | BaseException


def approximate_bytes(aggregate: Any) -> int:
    """What an aggregate holds in memory, roughly (measured with bench/wallet_depth.py's deep
    size: a wallet is about 320 bytes per spend its lots keep unpacked, a byte per byte of the
    ones still packed as read from a snapshot, and 600 per lot)."""
    if isinstance(aggregate, Wallet):
        return 1_000 + sum(600 + (320 * len(lot.spends) if lot.spends is not None else
                                  len(lot.packed or "") + 320 * len(lot.added))
                           for lot in aggregate.lots.values())
    return 1_000


class SizedEntries(MutableMapping[UUID, Any]):
    """An ordered map that keeps the approximate bytes of what it holds (sized when stored: a
    wallet is stored again, and so sized again, each time it is read or fast-forwarded)."""

    def __init__(self) -> None:
        self._items: OrderedDict[UUID, tuple[Any, int]] = OrderedDict()
        self.total_bytes = 0

    def __getitem__(self, key: UUID) -> Any:
        return self._items[key][0]

    def __setitem__(self, key: UUID, value: Any) -> None:
        self.pop(key, None)
        size = approximate_bytes(value)
        self._items[key] = (value, size)
        self.total_bytes += size

    def __delitem__(self, key: UUID) -> None:
        _, size = self._items.pop(key)
        self.total_bytes -= size

    def __iter__(self) -> Iterator[UUID]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def evict_oldest(self) -> None:
        _, (_, size) = self._items.popitem(last=False)
        self.total_bytes -= size


class AggregateCache:
    """Aggregates as this writer last read or wrote them, bounded by the memory they hold (a
    loyal fan's wallet weighs more than a new one's), least recently stored evicted first. Only
    its own thread touches it: a stale entry is fast-forwarded when read, and a failed save
    evicts what it touched."""

    def __init__(self, max_bytes: int = 64 * 2**20) -> None:
        self.entries = SizedEntries()
        self.max_bytes = max_bytes

    def trim(self) -> None:
        while self.entries.total_bytes > self.max_bytes and self.entries:
            self.entries.evict_oldest()


class SpendBatchWriter:
    def __init__(self, ledger: Ledger, fees: FeeSchedule, clock: Clock,
                 kinds: Mapping[str, SpendKind], cache: AggregateCache | None = None) -> None:
        self._ledger = ledger
        self._fees = fees
        self._clock = clock
        self._kinds = kinds
        self._cache = cache

    def execute(self, commands: Sequence[Spend]) -> list[Outcome]:
        """Outcomes in command order: what was spent (with its position) or the error."""
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

    def _forget(self, commands: Sequence[Spend]) -> None:
        if self._cache is not None:
            for command in commands:
                self._cache.entries.pop(ids.wallet_id(command.fan_id), None)
                self._cache.entries.pop(command.spend_id, None)

    def _load(self, commands: Sequence[Spend]) -> Loaded:
        """Everything the batch reads, in as few queries as the kinds' dependencies allow."""
        cache = self._cache.entries if self._cache is not None else None
        loaded: Loaded = {}
        wanted = list(dict.fromkeys(key for c in commands for key in (
            ids.wallet_id(c.fan_id), *([c.spend_id] if c.keyed else []),
            *self._kinds[c.kind].reads(c, loaded))))  # what a kind knows up front: one query
        while wanted:
            loaded.update(self._ledger.get_many(wanted, cache))
            asked = set(loaded) | set(wanted)
            wanted = list(dict.fromkeys(
                key for c in commands for key in self._kinds[c.kind].reads(c, loaded)
                if key not in asked))
        if self._cache is not None:
            self._cache.trim()
        return loaded

    def _plan(self, commands: Sequence[Spend]) -> tuple[list[Planned], list[Any]]:
        now = self._clock()
        loaded = self._load(commands)
        touched: dict[UUID, Any] = {}
        outcomes: list[Planned] = []
        for command in commands:
            try:
                outcomes.append(self._plan_one(command, loaded, touched, now))
            except DomainError as error:
                outcomes.append(error)
        return outcomes, list(touched.values())

    def _plan_one(self, command: Spend, loaded: Loaded, touched: dict[UUID, Any],
                  now: datetime) -> dict[str, Any]:
        kind = self._kinds[command.kind]
        command = kind.resolve(command, lambda key: touched.get(key) or loaded.get(key))
        wallet: Wallet | None = touched.get(ids.wallet_id(command.fan_id)) or loaded.get(
            ids.wallet_id(command.fan_id))
        prior = touched.get(command.spend_id) or (loaded.get(command.spend_id)
                                                  if command.keyed else None)
        if prior is not None:
            kind.repeat(prior, command)
            return _outcome(prior, wallet.balance_tokens if wallet else 0, replayed=True)
        terms = kind.terms(command, loaded, self._fees)
        if wallet is None:
            raise InsufficientFundsError(f"balance 0 tokens is less than {terms.amount_tokens}")
        lots_used = wallet.spend(terms.amount_tokens, f"{kind.name}:{command.spend_id}", now)
        wallet.archive_settled_lots(now, self._fees.lot_archive_after)  # keep its state small
        bought = kind.buy(command, terms, lots_used, now)
        hold = EarningsHold.hold(source_kind=kind.name, source_id=bought.id,
                                 creator_id=terms.creator_id, amount_tokens=bought.creator_tokens,
                                 source_amount_tokens=bought.amount_tokens, earned_at=now,
                                 hold_period=self._fees.hold_period)
        touched[wallet.id] = wallet
        touched[bought.id] = bought
        touched[hold.id] = hold
        return _outcome(bought, wallet.balance_tokens, replayed=False)


def _outcome(bought: TokenSpend, balance_tokens: int, replayed: bool) -> dict[str, Any]:
    return {"spend_id": bought.id, "kind": bought.kind, "amount_tokens": bought.amount_tokens,
            "creator_tokens": bought.creator_tokens, "platform_tokens": bought.platform_tokens,
            "new_balance_tokens": balance_tokens, "replayed": replayed}


def _with_position(outcomes: list[Planned], position: int) -> list[Outcome]:
    return [o if isinstance(o, BaseException) else Spent(**o, position=position)
            for o in outcomes]
