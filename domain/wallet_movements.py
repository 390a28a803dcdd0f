"""What each wallet event does to the fan's balance and counters: the one reading of wallet events
that the wallets read model and the scoped as-of replay both use."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from domain.aggregates.wallet import Wallet


@dataclass(frozen=True)
class Movement:
    kind: str  # purchase, tip, unlock, message, refund, dispute, dispute_won, no_reply
    delta_tokens: int  # the change to the balance
    ref_id: str
    purchased_tokens: int = 0
    spent_tokens: int = 0
    reversed_tokens: int = 0
    spends_reversed_tokens: int = 0
    debt_tokens: int = 0


def movement(cls: type, event: Any) -> Movement | None:
    """What an event of this wallet event class moved; None for those that move no tokens
    (opened, frozen, unfrozen). The class is given apart from the event because the event may be
    a typed structure read from the ledger rather than an instance of it."""
    read = _MOVEMENTS.get(cls)
    return read(event) if read is not None else None


def _credited(event: Any) -> Movement:
    return Movement("purchase", event.amount_tokens, f"purchase:{event.purchase_id}",
                    purchased_tokens=event.amount_tokens, debt_tokens=-event.settled_debt_tokens)


def _spent(event: Any) -> Movement:
    return Movement(event.ref_id.split(":", 1)[0], -event.amount_tokens, event.ref_id,
                    spent_tokens=event.amount_tokens)


def _lot_reversed(event: Any) -> Movement:
    return Movement(event.reason, -(event.from_lot_tokens + sum(r[4] for r in event.resourced)),
                    f"purchase:{event.purchase_id}", reversed_tokens=event.amount_tokens,
                    spends_reversed_tokens=sum(r[3] for r in event.reversed_spends))


def _lot_reinstated(event: Any) -> Movement:
    return Movement(event.reason, sum(r[1] for r in event.freed), f"purchase:{event.purchase_id}",
                    reversed_tokens=-event.amount_tokens,
                    spends_reversed_tokens=-sum(r[4] for r in event.reinstated_spends))


def _spend_returned(event: Any) -> Movement:
    return Movement(event.reason, event.amount_tokens, event.ref_id,
                    spends_reversed_tokens=event.amount_tokens)


def _purchase_reversed(event: Any) -> Movement:
    return Movement(event.reason, -event.amount_tokens, f"purchase:{event.purchase_id}",
                    reversed_tokens=event.amount_tokens, debt_tokens=event.debt_added_tokens)


_MOVEMENTS: dict[type, Callable[[Any], Movement]] = {
    Wallet.TokensCredited: _credited, Wallet.TokensSpent: _spent,
    Wallet.LotReversed: _lot_reversed, Wallet.LotReinstated: _lot_reinstated,
    Wallet.SpendReturned: _spend_returned, Wallet.PurchaseReversed: _purchase_reversed}
MOVING = tuple(_MOVEMENTS)  # the wallet event classes that move tokens
