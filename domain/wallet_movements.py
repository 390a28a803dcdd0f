"""What each wallet event does to the fan's balance and counters: the one reading of wallet events
that the wallets read model and the scoped as-of replay both use."""

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


def movement(event: Any) -> Movement | None:
    """None for wallet events that move no tokens (opened, frozen, unfrozen)."""
    match event:
        case Wallet.TokensCredited():
            return Movement("purchase", event.amount_tokens, f"purchase:{event.purchase_id}",
                            purchased_tokens=event.amount_tokens,
                            debt_tokens=-event.settled_debt_tokens)
        case Wallet.TokensSpent():
            return Movement(event.ref_id.split(":", 1)[0], -event.amount_tokens, event.ref_id,
                            spent_tokens=event.amount_tokens)
        case Wallet.LotReversed():
            return Movement(event.reason,
                            -(event.from_lot_tokens + sum(r[4] for r in event.resourced)),
                            f"purchase:{event.purchase_id}", reversed_tokens=event.amount_tokens,
                            spends_reversed_tokens=sum(r[3] for r in event.reversed_spends))
        case Wallet.LotReinstated():
            return Movement(event.reason, sum(r[1] for r in event.freed),
                            f"purchase:{event.purchase_id}", reversed_tokens=-event.amount_tokens,
                            spends_reversed_tokens=-sum(r[4] for r in event.reinstated_spends))
        case Wallet.SpendReturned():
            return Movement(event.reason, event.amount_tokens, event.ref_id,
                            spends_reversed_tokens=event.amount_tokens)
        case Wallet.PurchaseReversed():
            return Movement(event.reason, -event.amount_tokens, f"purchase:{event.purchase_id}",
                            reversed_tokens=event.amount_tokens,
                            debt_tokens=event.debt_added_tokens)
    return None
