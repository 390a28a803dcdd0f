"""A subscription invoice's card payment, by Stripe's payment intent: which invoice it paid, and
the refunds and disputes of it that Stripe reported before that invoice's `invoice.paid`.

Stripe does not promise the order of its webhooks. A refund or dispute that comes first waits
here, and is applied, in the order it arrived, in the same save that records the invoice; one
that comes after finds the invoice through here, where a read model could still lag behind.
"""

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain import ids


@dataclass(frozen=True)
class EarlyChange:
    """A refund or dispute as Stripe reported it (the fields of a ChargeChange)."""
    kind: str
    amount_minor: int
    dispute_id: str
    won: bool
    fee_minor: int
    stripe_event_id: str


class InvoicePayment(Aggregate):
    @staticmethod
    def create_id(payment_intent_id: str, **_: object) -> UUID:
        return ids.invoice_payment_id(payment_intent_id)

    class Opened(Aggregate.Created):
        payment_intent_id: str

    @event(Opened)
    def __init__(self, payment_intent_id: str) -> None:
        self.payment_intent_id = payment_intent_id
        self.stripe_invoice_id: str | None = None
        self.waiting: list[EarlyChange] = []

    class ChangeArrivedEarly(Aggregate.Event):
        change: dict[str, Any]
        at: datetime

    class InvoiceAttached(Aggregate.Event):
        stripe_invoice_id: str
        placed_event_ids: list[str]
        at: datetime

    def wait(self, change: EarlyChange, at: datetime) -> None:
        """Keep a change that came before its invoice; once the invoice is known, apply to it."""
        if self.stripe_invoice_id is not None:
            raise ValueError("the invoice is known: apply the change to it")
        self._arrived_early(change=asdict(change), at=at)

    @event(ChangeArrivedEarly)
    def _arrived_early(self, change: dict[str, Any], at: datetime) -> None:
        self.waiting.append(EarlyChange(**change))

    def attach(self, stripe_invoice_id: str, placed_event_ids: list[str], at: datetime) -> bool:
        """The invoice this payment paid, recorded with the ids of the waiting changes that were
        applied to it (finance's flags for them are cleared). False, and nothing recorded, when
        an invoice is already attached."""
        if self.stripe_invoice_id is not None:
            return False
        self._attached(stripe_invoice_id=stripe_invoice_id, placed_event_ids=placed_event_ids,
                       at=at)
        return True

    @event(InvoiceAttached)
    def _attached(self, stripe_invoice_id: str, placed_event_ids: list[str], at: datetime) -> None:
        self.stripe_invoice_id = stripe_invoice_id
        self.waiting = []
