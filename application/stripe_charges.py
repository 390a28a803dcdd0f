"""Stripe's refund and dispute events, read once into what they change about a card payment.

Packs and subscription invoices are both card payments; whichever a charge paid for, its refunds
and disputes read the same way, so the rules for reading them (what "won" means, where the fee of
a lost dispute is) live here and nowhere else.
"""

from dataclasses import dataclass
from typing import Any

REFUNDED = "charge.refunded"
DISPUTE_EVENTS = ("charge.dispute.created", "charge.dispute.funds_withdrawn",
                  "charge.dispute.closed", "charge.dispute.funds_reinstated")
# An inquiry closed without a chargeback took no money: it ends like a won dispute.
DISPUTE_WON_STATUSES = ("won", "warning_closed")

REFUND = "refund"
DISPUTE_OPENED = "dispute_opened"
DISPUTE_CLOSED = "dispute_closed"
DISPUTE_STILL_OPEN = "dispute_still_open"


@dataclass(frozen=True)
class ChargeChange:
    kind: str  # REFUND, DISPUTE_OPENED, DISPUTE_CLOSED or DISPUTE_STILL_OPEN
    payment_intent_id: str | None
    invoice_id: str | None  # when the charge paid a subscription invoice
    amount_minor: int  # refund: cumulative refunded; dispute: disputed amount
    dispute_id: str = ""
    won: bool = False
    fee_minor: int = 0


def charge_change(event: dict[str, Any], default_fee_minor: int) -> ChargeChange | None:
    """None if the event is not a refund or dispute of a charge."""
    kind = event["type"]
    obj = event.get("data", {}).get("object", {}) or {}
    payment_intent_id = obj.get("payment_intent") or None
    invoice_id = obj.get("invoice") or None
    if kind == REFUNDED:
        return ChargeChange(REFUND, payment_intent_id, invoice_id,
                            int(obj.get("amount_refunded") or 0))
    if kind not in DISPUTE_EVENTS:
        return None
    amount_minor = int(obj.get("amount") or 0)
    if kind in ("charge.dispute.created", "charge.dispute.funds_withdrawn"):
        return ChargeChange(DISPUTE_OPENED, payment_intent_id, invoice_id, amount_minor,
                            dispute_id=obj["id"])
    status = obj.get("status")
    won = kind == "charge.dispute.funds_reinstated" or status in DISPUTE_WON_STATUSES
    if not won and status != "lost":
        return ChargeChange(DISPUTE_STILL_OPEN, payment_intent_id, invoice_id, amount_minor,
                            dispute_id=obj["id"])
    return ChargeChange(DISPUTE_CLOSED, payment_intent_id, invoice_id, amount_minor,
                        dispute_id=obj["id"], won=won,
                        fee_minor=0 if won else _dispute_fee_minor(obj, default_fee_minor))


def _dispute_fee_minor(dispute: dict[str, Any], default_minor: int) -> int:
    """Stripe's fee for a lost dispute, from its balance transactions; else the configured one."""
    transactions = dispute.get("balance_transactions") or []
    fees = [int(t.get("fee") or 0) for t in transactions if isinstance(t, dict)]
    return sum(fees) if fees else default_minor
