"""A fan's token wallet: credited in lots, spent oldest lot first, frozen while a reversal leaves it short.

Each lot keeps a log of what consumed it (spends, cover for another lot's reversal, debt settlement),
so a refund of the purchase behind a lot can be traced to exactly the tips it funded.
"""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain import ids
from domain.errors import InsufficientFundsError, InvalidAmountError, WalletFrozenError

SPEND = "spend"
REVERSAL_COVER = "reversal_cover"
DEBT_SETTLEMENT = "debt_settlement"


@dataclass
class Consumption:
    ref_id: str
    kind: str
    tokens: int
    clawed_tokens: int = 0


@dataclass
class Lot:
    purchase_id: str
    credited_tokens: int
    remaining_tokens: int
    credited_at: datetime
    reversed_tokens: int = 0
    consumptions: list[Consumption] = field(default_factory=list)


class Wallet(Aggregate):
    @staticmethod
    def create_id(fan_id: str) -> UUID:
        return ids.wallet_id(fan_id)

    class Opened(Aggregate.Created):
        fan_id: str

    @event(Opened)
    def __init__(self, fan_id: str) -> None:
        self.fan_id = fan_id
        self.lots: dict[str, Lot] = {}
        self.debt_tokens = 0
        self.credited_tokens = 0
        self.spent_tokens = 0
        self.reversed_tokens = 0

    @property
    def balance_tokens(self) -> int:
        return sum(lot.remaining_tokens for lot in self.lots.values()) - self.debt_tokens

    @property
    def is_frozen(self) -> bool:
        return self.debt_tokens > 0

    # -- commands ---------------------------------------------------------------------------

    def credit(self, purchase_id: str, amount_tokens: int, at: datetime) -> None:
        if amount_tokens <= 0:
            raise InvalidAmountError("a credit must be a positive number of tokens")
        if purchase_id in self.lots:
            return  # one lot per purchase: a second credit is a no-op, never a second lot
        settled = min(self.debt_tokens, amount_tokens)
        self._credited(purchase_id=purchase_id, amount_tokens=amount_tokens,
                       settled_debt_tokens=settled, at=at)

    def spend(self, amount_tokens: int, ref_id: str, at: datetime) -> list[list[Any]]:
        """Debit oldest lots first; returns the [lot, tokens] pairs used, as stored in the event."""
        if amount_tokens <= 0:
            raise InvalidAmountError("amount_tokens must be a positive whole number")
        if self.is_frozen:
            raise WalletFrozenError(
                f"wallet is frozen until {self.debt_tokens} tokens owed after a refund are repaid"
            )
        if self.balance_tokens < amount_tokens:
            raise InsufficientFundsError(
                f"balance {self.balance_tokens} tokens is less than {amount_tokens}"
            )
        lots_used = self._take_oldest_first(amount_tokens, exclude=None)
        self._spent(amount_tokens=amount_tokens, ref_id=ref_id, lots_used=lots_used, at=at)
        return lots_used

    def reverse_purchase(self, purchase_id: str, amount_tokens: int, reason: str,
                         at: datetime) -> list[list[Any]]:
        """Take back tokens of a refunded or disputed purchase.

        Unspent tokens of its lot go first. The rest was consumed: those consumptions (most recent
        first, since recent earnings are the likeliest still held) are returned as clawed
        [index, ref_id, kind, tokens] so their earnings can be reversed, and the wallet covers
        them from other lots or owes them as debt.
        """
        lot = self.lots.get(purchase_id)
        if lot is None:
            raise InvalidAmountError(f"no lot for purchase {purchase_id}")
        if amount_tokens <= 0 or lot.reversed_tokens + amount_tokens > lot.credited_tokens:
            raise InvalidAmountError("reversal must be positive and within the lot")
        from_lot = min(lot.remaining_tokens, amount_tokens)
        excess = amount_tokens - from_lot
        clawed = self._claw(lot, excess)
        available_elsewhere = sum(
            other.remaining_tokens for key, other in self.lots.items() if key != purchase_id
        )
        cover = min(excess, available_elsewhere)
        covered = self._take_oldest_first(cover, exclude=purchase_id) if cover else []
        self._reversed(purchase_id=purchase_id, amount_tokens=amount_tokens, from_lot_tokens=from_lot,
                       covered=covered, debt_added_tokens=excess - cover, clawed=clawed,
                       reason=reason, at=at)
        return clawed

    # -- helpers (pure planning, no state change) -------------------------------------------

    def _take_oldest_first(self, amount_tokens: int, exclude: str | None) -> list[list[Any]]:
        taken: list[list[Any]] = []
        needed = amount_tokens
        for key, lot in self.lots.items():
            if needed == 0:
                break
            if key == exclude or lot.remaining_tokens == 0:
                continue
            take = min(lot.remaining_tokens, needed)
            taken.append([key, take])
            needed -= take
        return taken

    @staticmethod
    def _claw(lot: Lot, excess: int) -> list[list[Any]]:
        clawed: list[list[Any]] = []
        needed = excess
        for index in range(len(lot.consumptions) - 1, -1, -1):
            if needed == 0:
                break
            consumption = lot.consumptions[index]
            take = min(consumption.tokens - consumption.clawed_tokens, needed)
            if take:
                clawed.append([index, consumption.ref_id, consumption.kind, take])
                needed -= take
        return clawed

    # -- events -----------------------------------------------------------------------------

    class TokensCredited(Aggregate.Event):
        purchase_id: str
        amount_tokens: int
        settled_debt_tokens: int
        at: datetime

    @event(TokensCredited)
    def _credited(self, purchase_id: str, amount_tokens: int, settled_debt_tokens: int,
                  at: datetime) -> None:
        lot = Lot(purchase_id=purchase_id, credited_tokens=amount_tokens,
                  remaining_tokens=amount_tokens - settled_debt_tokens, credited_at=at)
        if settled_debt_tokens:
            lot.consumptions.append(Consumption("", DEBT_SETTLEMENT, settled_debt_tokens))
        self.lots[purchase_id] = lot
        self.debt_tokens -= settled_debt_tokens
        self.credited_tokens += amount_tokens

    class TokensSpent(Aggregate.Event):
        amount_tokens: int
        ref_id: str
        lots_used: list[list[Any]]
        at: datetime

    @event(TokensSpent)
    def _spent(self, amount_tokens: int, ref_id: str, lots_used: list[list[Any]],
               at: datetime) -> None:
        for key, tokens in lots_used:
            lot = self.lots[key]
            lot.remaining_tokens -= tokens
            lot.consumptions.append(Consumption(ref_id, SPEND, tokens))
        self.spent_tokens += amount_tokens

    class PurchaseReversed(Aggregate.Event):
        purchase_id: str
        amount_tokens: int
        from_lot_tokens: int
        covered: list[list[Any]]
        debt_added_tokens: int
        clawed: list[list[Any]]
        reason: str
        at: datetime

    @event(PurchaseReversed)
    def _reversed(self, purchase_id: str, amount_tokens: int, from_lot_tokens: int,
                  covered: list[list[Any]], debt_added_tokens: int, clawed: list[list[Any]],
                  reason: str, at: datetime) -> None:
        lot = self.lots[purchase_id]
        lot.remaining_tokens -= from_lot_tokens
        lot.reversed_tokens += amount_tokens
        for index, _ref_id, _kind, tokens in clawed:
            lot.consumptions[index].clawed_tokens += tokens
        for key, tokens in covered:
            other = self.lots[key]
            other.remaining_tokens -= tokens
            other.consumptions.append(Consumption(purchase_id, REVERSAL_COVER, tokens))
        self.debt_tokens += debt_added_tokens
        self.reversed_tokens += amount_tokens
