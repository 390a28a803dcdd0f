"""One paid Stripe invoice of a subscription: the period's money, its split, and what refunds and
disputes of its charge took back.

The creator's 80% is an EarningsHold in pence, created in the same save as this stream. A refund or
dispute sets a target (domain.card_payment) and the hold is brought to it in the same save: partly
refunded, the earning is reversed in proportion; disputed, all of it until the dispute is won.
"""

from datetime import datetime
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain import ids
from domain.card_payment import RefundsAndDisputes, reversal_target_minor

SOURCE_KIND = "subscription"


class SubscriptionInvoice(RefundsAndDisputes, Aggregate):
    @staticmethod
    def create_id(stripe_invoice_id: str, **_: object) -> UUID:
        return ids.invoice_id(stripe_invoice_id)

    class Paid(Aggregate.Created):
        stripe_invoice_id: str
        subscription_id: UUID
        stripe_subscription_id: str
        fan_id: str
        persona_id: str
        creator_id: str
        amount_minor: int
        currency: str
        creator_bps: int
        creator_minor: int
        platform_minor: int
        payment_intent_id: str | None
        period_start: datetime
        period_end: datetime
        at: datetime

    @event(Paid)
    def __init__(self, stripe_invoice_id: str, subscription_id: UUID,
                 stripe_subscription_id: str, fan_id: str, persona_id: str, creator_id: str,
                 amount_minor: int, currency: str, creator_bps: int, creator_minor: int,
                 platform_minor: int, payment_intent_id: str | None, period_start: datetime,
                 period_end: datetime, at: datetime) -> None:
        self.stripe_invoice_id = stripe_invoice_id
        self.subscription_id = subscription_id
        self.fan_id = fan_id
        self.persona_id = persona_id
        self.creator_id = creator_id
        self.amount_minor = amount_minor
        self.creator_minor = creator_minor
        self.platform_minor = platform_minor
        self.payment_intent_id = payment_intent_id
        self.refunded_minor = 0
        self.dispute_id: str | None = None
        self.dispute_status: str | None = None
        self.dispute_fee_minor = 0
        self.reversal_applied_minor = 0

    @property
    def pending_reversal_minor(self) -> int:
        """Pence still to reverse (negative: to reinstate after a won dispute)."""
        target = reversal_target_minor(self.amount_minor, self.refunded_minor, self.dispute_status)
        return target - self.reversal_applied_minor

    def record_refund(self, refunded_minor_total: int, at: datetime) -> bool:
        refunded = self.refund_news(refunded_minor_total, self.amount_minor)
        if refunded is None:
            return False
        self._refunded(refunded_minor_total=refunded, at=at)
        return True

    def record_dispute(self, dispute_id: str, amount_minor: int, at: datetime) -> bool:
        if not self.dispute_may_open:
            return False
        self._disputed(dispute_id=dispute_id, amount_minor=amount_minor, at=at)
        return True

    def record_dispute_closed(self, dispute_id: str, won: bool, fee_minor: int,
                              at: datetime) -> bool:
        outcome = self.dispute_outcome(won, fee_minor)
        if outcome is None:
            return False
        self._dispute_closed(dispute_id=dispute_id, outcome=outcome[0], fee_minor=outcome[1], at=at)
        return True

    def apply_reversal(self, amount_minor: int, creator_minor: int, at: datetime) -> None:
        """amount_minor of the invoice now stands reversed; creator_minor of it was the
        creator's (the rest the platform's)."""
        self._reversal_applied(amount_minor=amount_minor, creator_minor=creator_minor, at=at)

    def apply_reinstatement(self, amount_minor: int, creator_minor: int, at: datetime) -> None:
        self._reinstatement_applied(amount_minor=amount_minor, creator_minor=creator_minor, at=at)

    class Refunded(Aggregate.Event):
        refunded_minor_total: int
        at: datetime

    @event(Refunded)
    def _refunded(self, refunded_minor_total: int, at: datetime) -> None:
        self.refunded_minor = refunded_minor_total

    class Disputed(Aggregate.Event):
        dispute_id: str
        amount_minor: int
        at: datetime

    @event(Disputed)
    def _disputed(self, dispute_id: str, amount_minor: int, at: datetime) -> None:
        self._dispute_opened_state(dispute_id)

    class DisputeClosed(Aggregate.Event):
        dispute_id: str
        outcome: str
        fee_minor: int
        at: datetime

    @event(DisputeClosed)
    def _dispute_closed(self, dispute_id: str, outcome: str, fee_minor: int, at: datetime) -> None:
        self._dispute_closed_state(dispute_id, outcome, fee_minor)

    class ReversalApplied(Aggregate.Event):
        amount_minor: int
        creator_minor: int
        at: datetime

    @event(ReversalApplied)
    def _reversal_applied(self, amount_minor: int, creator_minor: int, at: datetime) -> None:
        self.reversal_applied_minor += amount_minor

    class ReinstatementApplied(Aggregate.Event):
        amount_minor: int
        creator_minor: int
        at: datetime

    @event(ReinstatementApplied)
    def _reinstatement_applied(self, amount_minor: int, creator_minor: int, at: datetime) -> None:
        self.reversal_applied_minor -= amount_minor
