"""Stripe events that moved no money because something did not add up: finance's review queue.

A refund or dispute for a purchase we cannot find, for more than was paid, or a checkout whose
amount does not match its pack is recorded, answered 200 to Stripe, and listed here. A refund or
dispute that came before its subscription invoice is listed until the invoice comes and it is
applied.
"""

from typing import Any

from eventsourcing.dispatch import singledispatchmethod

from domain.aggregates.invoice_payment import InvoicePayment
from domain.aggregates.stripe_event import (
    MONEY_EVENT_PREFIXES,
    NEEDS_FINANCE_REVIEW,
    StripeEventReceipt,
)
from projections.base import Projection
from projections.db import Tx


class FinanceFlagsProjection(Projection):
    name = "finance_flags"
    tables = ("rm_finance_flags",)
    ddl = (
        """CREATE TABLE IF NOT EXISTS rm_finance_flags (
            position BIGINT PRIMARY KEY,
            stripe_event_id TEXT NOT NULL,
            event_type TEXT NOT NULL,
            object_id TEXT NOT NULL,
            outcome TEXT NOT NULL,
            received_at TEXT NOT NULL)""",
    )

    @singledispatchmethod
    def process(self, event: Any, tx: Tx, position: int) -> None:
        pass

    @process.register
    def _(self, event: StripeEventReceipt.Recorded, tx: Tx, position: int) -> None:
        if event.outcome in NEEDS_FINANCE_REVIEW and event.event_type.startswith(
                MONEY_EVENT_PREFIXES):
            tx.execute("INSERT INTO rm_finance_flags VALUES (%s, %s, %s, %s, %s, %s)",
                       (position, event.event_id, event.event_type, event.object_id,
                        event.outcome, event.received_at.isoformat()))

    @process.register
    def _(self, event: InvoicePayment.InvoiceAttached, tx: Tx, position: int) -> None:
        for stripe_event_id in event.placed_event_ids:
            tx.execute("DELETE FROM rm_finance_flags WHERE stripe_event_id = %s",
                       (stripe_event_id,))
