"""A receipt per Stripe event id: saved with the event's effects, so a second delivery finds it."""

from datetime import datetime
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain import ids


class StripeEventReceipt(Aggregate):
    @staticmethod
    def create_id(event_id: str, **_: object) -> UUID:
        return ids.stripe_event_id(event_id)

    class Recorded(Aggregate.Created):
        event_id: str
        event_type: str
        object_id: str
        outcome: str
        received_at: datetime

    @event(Recorded)
    def __init__(self, event_id: str, event_type: str, object_id: str, outcome: str,
                 received_at: datetime) -> None:
        self.event_id = event_id
        self.event_type = event_type
        self.object_id = object_id
        self.outcome = outcome


# Outcomes that applied nothing to money but need a person: finance reviews each one.
NEEDS_FINANCE_REVIEW = frozenset({
    "unmatched", "refund_exceeds_payment", "dispute_exceeds_payment", "amount_mismatch",
    "currency_mismatch", "orphan_subscription", "orphan_invoice_paid",
    "waiting_for_invoice",  # cleared once the invoice comes and the change is applied to it
})
MONEY_EVENT_PREFIXES = ("charge.", "checkout.session.", "payment_intent.", "invoice.",
                        "customer.subscription.", "transfer.", "payout.")
