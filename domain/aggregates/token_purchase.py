"""One Stripe Checkout session for a token pack.

Stripe delivers events twice and out of order, so every transition is idempotent and the final
state does not depend on arrival order: refunds and disputes set a target (how many of the pack's
tokens must be reversed), and the wallet is brought to that target once the tokens have been
credited. A dispute's target is the whole pack while it is open or lost; a won dispute drops it
back to what refunds alone ask for, and the difference is reinstated. A dispute's close that
arrives before its open is recorded and stands: the late open changes nothing.
"""

from datetime import datetime
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain import ids
from domain.card_payment import RefundsAndDisputes, is_disputed
from domain.money import proportional_ceil

OPEN = "open"
COMPLETED = "completed"
FAILED = "failed"


class TokenPurchase(RefundsAndDisputes, Aggregate):
    @staticmethod
    def create_id(checkout_session_id: str, **_: object) -> UUID:
        return ids.purchase_id(checkout_session_id)

    class Started(Aggregate.Created):
        checkout_session_id: str
        fan_id: str
        pack_sku: str
        tokens: int
        price_minor: int
        currency: str
        at: datetime

    @event(Started)
    def __init__(self, checkout_session_id: str, fan_id: str, pack_sku: str, tokens: int,
                 price_minor: int, currency: str, at: datetime) -> None:
        self.checkout_session_id = checkout_session_id
        self.fan_id = fan_id
        self.pack_sku = pack_sku
        self.tokens = tokens
        self.price_minor = price_minor
        self.currency = currency
        self.status = OPEN
        self.payment_intent_id: str | None = None
        self.refunded_minor = 0
        self.dispute_id: str | None = None
        self.dispute_status: str | None = None
        self.dispute_fee_minor = 0
        self.reversal_applied_tokens = 0
        self.failure_reason: str | None = None

    @property
    def is_completed(self) -> bool:
        return self.status == COMPLETED

    @property
    def disputed(self) -> bool:
        """A dispute that took (or takes) the pack back: open or lost."""
        return is_disputed(self.dispute_status)

    @property
    def refund_target_tokens(self) -> int:
        return proportional_ceil(self.tokens, self.refunded_minor, self.price_minor)

    @property
    def reversal_target_tokens(self) -> int:
        return self.tokens if self.disputed else self.refund_target_tokens

    @property
    def pending_reversal_tokens(self) -> int:
        """Tokens still to take back from the wallet (negative: to give back after a won
        dispute); only once they have been credited."""
        if not self.is_completed:
            return 0
        return self.reversal_target_tokens - self.reversal_applied_tokens

    def complete(self, payment_intent_id: str | None, amount_minor: int, at: datetime) -> bool:
        """True when this call completed the purchase (and the wallet must be credited)."""
        if self.is_completed:
            return False
        self._completed(payment_intent_id=payment_intent_id, amount_minor=amount_minor, at=at)
        return True

    def fail(self, reason: str, at: datetime) -> None:
        if self.status == OPEN:  # a late failure of an earlier attempt never undoes a payment
            self._failed(reason=reason, at=at)

    def record_refund(self, refunded_minor_total: int, at: datetime) -> None:
        refunded = self.refund_news(refunded_minor_total, self.price_minor)
        if refunded is None:
            return
        target = proportional_ceil(self.tokens, refunded, self.price_minor)
        self._refunded(refunded_minor_total=refunded,
                       reversal_target_tokens=max(target, self.reversal_target_tokens), at=at)

    def record_dispute(self, dispute_id: str, amount_minor: int, at: datetime) -> bool:
        """True when this opened the dispute."""
        if not self.dispute_may_open:
            return False
        self._disputed(dispute_id=dispute_id, amount_minor=amount_minor,
                       reversal_target_tokens=self.tokens, at=at)
        return True

    def record_dispute_closed(self, dispute_id: str, won: bool, fee_minor: int,
                              at: datetime) -> bool:
        """True when this recorded the outcome. Lost, the reversal stands."""
        outcome = self.dispute_outcome(won, fee_minor)
        if outcome is None:
            return False
        self._dispute_closed(dispute_id=dispute_id, outcome=outcome[0], fee_minor=outcome[1], at=at)
        return True

    def apply_reversal(self, amount_tokens: int, at: datetime) -> None:
        self._reversal_applied(amount_tokens=amount_tokens, at=at)

    def apply_reinstatement(self, amount_tokens: int, at: datetime) -> None:
        self._reinstatement_applied(amount_tokens=amount_tokens, at=at)

    class Completed(Aggregate.Event):
        payment_intent_id: str | None
        amount_minor: int
        at: datetime

    @event(Completed)
    def _completed(self, payment_intent_id: str | None, amount_minor: int, at: datetime) -> None:
        self.status = COMPLETED
        self.payment_intent_id = payment_intent_id

    class PaymentFailed(Aggregate.Event):
        reason: str
        at: datetime

    @event(PaymentFailed)
    def _failed(self, reason: str, at: datetime) -> None:
        self.status = FAILED
        self.failure_reason = reason

    class Refunded(Aggregate.Event):
        refunded_minor_total: int
        reversal_target_tokens: int
        at: datetime

    @event(Refunded)
    def _refunded(self, refunded_minor_total: int, reversal_target_tokens: int,
                  at: datetime) -> None:
        self.refunded_minor = refunded_minor_total  # the target follows from it and the dispute

    class Disputed(Aggregate.Event):
        dispute_id: str
        amount_minor: int
        reversal_target_tokens: int
        at: datetime

    @event(Disputed)
    def _disputed(self, dispute_id: str, amount_minor: int, reversal_target_tokens: int,
                  at: datetime) -> None:
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
        amount_tokens: int
        at: datetime

    @event(ReversalApplied)
    def _reversal_applied(self, amount_tokens: int, at: datetime) -> None:
        self.reversal_applied_tokens += amount_tokens

    class ReinstatementApplied(Aggregate.Event):
        amount_tokens: int
        at: datetime

    @event(ReinstatementApplied)
    def _reinstatement_applied(self, amount_tokens: int, at: datetime) -> None:
        self.reversal_applied_tokens -= amount_tokens
