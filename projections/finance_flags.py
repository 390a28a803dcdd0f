"""Stripe events that moved no money because something did not add up: finance's review queue.

A refund or dispute for a purchase we cannot find, for more than was paid, or a checkout whose
amount does not match its pack is recorded, answered 200 to Stripe, and listed here. A refund or
dispute that came before its subscription invoice is listed until the invoice comes and it is
applied.
"""

from typing import Any

from domain.aggregates.invoice_payment import InvoicePayment
from domain.aggregates.stripe_event import (
    MONEY_EVENT_PREFIXES,
    NEEDS_FINANCE_REVIEW,
    StripeEventReceipt,
)
from projections.fold import KEYED, Fold, State, Table, on

FLAGS = Table("rm_finance_flags", KEYED, ("position",), (
    "position", "stripe_event_id", "event_type", "object_id", "outcome", "received_at"))


class FinanceFlagsProjection(Fold):
    name = "finance_flags"
    ddl = (
        """CREATE TABLE IF NOT EXISTS rm_finance_flags (
            position BIGINT PRIMARY KEY,
            stripe_event_id TEXT NOT NULL,
            event_type TEXT NOT NULL,
            object_id TEXT NOT NULL,
            outcome TEXT NOT NULL,
            received_at TEXT NOT NULL)""",
    )

    schema = (FLAGS,)

    @on(StripeEventReceipt.Recorded)
    def _recorded(self, event: Any, position: int, s: State) -> None:
        if event.outcome in NEEDS_FINANCE_REVIEW and event.event_type.startswith(
                MONEY_EVENT_PREFIXES):
            s[FLAGS].put({"position": position, "stripe_event_id": event.event_id,
                          "event_type": event.event_type, "object_id": event.object_id,
                          "outcome": event.outcome,
                          "received_at": event.received_at.isoformat()})

    @on(InvoicePayment.InvoiceAttached)
    def _attached(self, event: Any, position: int, s: State) -> None:
        """The refunds and disputes waiting for this invoice are applied now: no longer listed."""
        flags = s[FLAGS]
        for stripe_event_id in event.placed_event_ids:
            for row in flags.where("stripe_event_id", stripe_event_id):
                flags.delete(row["position"])
