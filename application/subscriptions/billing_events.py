"""Stripe Billing's webhooks, applied to subscriptions, invoices and the creator's earnings.

- checkout.session.completed (subscription mode): the term is active.
- invoice.paid: the period is paid for; the invoice's money is split 80/20 and the creator's share
  held 14 days, in pence, in one save with the invoice and the subscription.
- invoice.payment_failed: past due (access for the grace period).
- customer.subscription.updated / .deleted: cancel at period end, taken back, ended.
- a refund or dispute of an invoice's charge: that period's earning reversed (reinstated if the
  dispute is won). One that arrives before its invoice.paid waits on the charge's payment
  (InvoicePayment) and is applied in the save that records the invoice.

Each is handled once (StripeEvents keeps the receipt), and arrival order does not change where the
money ends up. What cannot be placed (an invoice of no subscription we know, an amount that is not
the price) is recorded, answered 200, and flagged for finance: never credited blindly.
"""

from datetime import UTC, datetime
from typing import Any

from adapters.eventstore.ledger import Ledger
from application.clock import Clock
from application.ports import InvoiceIndex
from application.stripe_charges import (
    DISPUTE_CLOSED,
    DISPUTE_OPENED,
    DISPUTE_STILL_OPEN,
    REFUND,
    ChargeChange,
    charge_change,
)
from domain import ids
from domain.aggregates.earnings_hold import EarningsHold
from domain.aggregates.invoice_payment import EarlyChange, InvoicePayment
from domain.aggregates.stripe_event import NEEDS_FINANCE_REVIEW
from domain.aggregates.subscription import Subscription
from domain.aggregates.subscription_invoice import SOURCE_KIND, SubscriptionInvoice
from domain.fees import FeeSchedule
from domain.money import split_minor

SUBSCRIPTION_KIND = "subscription"
Plan = tuple[str, list[Any]]


class BillingEvents:
    def __init__(self, ledger: Ledger, fees: FeeSchedule, clock: Clock, index: InvoiceIndex,
                 dispute_fee_minor: int) -> None:
        self._ledger = ledger
        self._fees = fees
        self._clock = clock
        self._index = index
        self._dispute_fee_minor = dispute_fee_minor

    def plan_stripe_event(self, event: dict[str, Any]) -> Plan | None:
        kind = event["type"]
        obj = event.get("data", {}).get("object", {}) or {}
        now = self._clock()
        if kind in ("checkout.session.completed", "checkout.session.async_payment_succeeded"):
            return self._on_checkout(obj, now) if obj.get("mode") == "subscription" else None
        if kind in ("invoice.paid", "invoice.payment_succeeded"):  # Stripe sends both
            return self._on_invoice_paid(obj, now)
        if kind == "invoice.payment_failed":
            return self._on_payment_failed(obj, now)
        if kind in ("customer.subscription.updated", "customer.subscription.deleted"):
            return self._on_subscription_changed(kind, obj, _time(event.get("created")) or now,
                                                 now)
        change = charge_change(event, self._dispute_fee_minor)
        if change is not None:
            return self._on_charge_change(change, str(event["id"]), now)
        return None

    # -- the subscription's life -----------------------------------------------------------

    def _on_checkout(self, session: dict[str, Any], now: datetime) -> Plan:
        subscription = self._subscription(session.get("metadata"))
        stripe_id = session.get("subscription")
        if subscription is None or not stripe_id:
            return "unmatched", []
        if subscription.stripe_subscription_id == stripe_id:
            return "already_active", []
        if not subscription.activate(stripe_id, now):
            # A second checkout of the same term paid: Stripe bills a subscription we do not
            # follow; finance cancels and refunds it.
            return "orphan_subscription", []
        return "subscribed", [subscription]

    def _on_payment_failed(self, invoice: dict[str, Any], now: datetime) -> Plan:
        subscription = self._subscription(_invoice_metadata(invoice))
        stripe_id = _invoice_subscription(invoice)
        if subscription is None or stripe_id is None:
            return "unmatched", []
        if not subscription.record_payment_failed(invoice["id"], stripe_id, now):
            return "no_change", []
        return "past_due", [subscription]

    def _on_subscription_changed(self, kind: str, obj: dict[str, Any], as_of: datetime,
                                 now: datetime) -> Plan:
        subscription = self._subscription(obj.get("metadata"))
        stripe_id = obj.get("id")
        if subscription is None or not stripe_id:  # nothing to adopt without the id
            return "unmatched", []
        if kind == "customer.subscription.deleted" or obj.get("status") in ("canceled",
                                                                             "incomplete_expired"):
            if not subscription.end(stripe_id, obj.get("status") or "canceled", now):
                return "no_change", []
            return "ended", [subscription]
        cancel = bool(obj.get("cancel_at_period_end")) or obj.get("cancel_at") is not None
        cancel_at = _time(obj.get("cancel_at")) or _time(obj.get("current_period_end"))
        if not subscription.set_cancel_at_period_end(stripe_id, cancel, cancel_at, as_of, now):
            return "no_change", []
        return ("cancel_scheduled" if cancel else "cancel_withdrawn"), [subscription]

    # -- money ------------------------------------------------------------------------------

    def _on_invoice_paid(self, invoice: dict[str, Any], now: datetime) -> Plan:
        subscription = self._subscription(_invoice_metadata(invoice))
        stripe_id = _invoice_subscription(invoice)
        if subscription is None or not stripe_id:
            return "unmatched", []
        if self._ledger.get_or_none(ids.invoice_id(invoice["id"])) is not None:
            return "already_recorded", []
        amount_minor = int(invoice.get("amount_paid") or 0)
        if (invoice.get("currency") or "").lower() != subscription.currency:
            return "currency_mismatch", []
        if amount_minor != subscription.price_minor:
            return "amount_mismatch", []  # a price we never agreed: finance looks, nothing earns
        start, end = _invoice_period(invoice, now)
        parts = split_minor(amount_minor, self._fees.subscription_creator_bps)
        paid = SubscriptionInvoice(
            stripe_invoice_id=invoice["id"], subscription_id=subscription.id,
            stripe_subscription_id=stripe_id, fan_id=subscription.fan_id,
            persona_id=subscription.persona_id, creator_id=subscription.creator_id,
            amount_minor=amount_minor, currency=subscription.currency,
            creator_bps=self._fees.subscription_creator_bps, creator_minor=parts.creator_minor,
            platform_minor=parts.platform_minor, payment_intent_id=_invoice_payment_intent(invoice),
            period_start=start, period_end=end, at=now)
        hold = EarningsHold.hold_minor(
            source_kind=SOURCE_KIND, source_id=paid.id, creator_id=subscription.creator_id,
            amount_minor=parts.creator_minor, source_amount_minor=amount_minor, earned_at=now,
            hold_period=self._fees.hold_period)
        # The fan paid, so the creator earns either way; an orphan's invoice is flagged so
        # finance can refund it and cancel the subscription behind it.
        orphan = subscription.is_orphan(stripe_id)
        subscription.record_period_paid(invoice["id"], stripe_id, start, end, now)
        aggregates: list[Any] = [subscription, paid, hold]
        if paid.payment_intent_id:
            aggregates.append(self._attach_payment(paid, hold, now))
        return ("orphan_invoice_paid" if orphan else "period_paid"), aggregates

    def _attach_payment(self, paid: SubscriptionInvoice, hold: EarningsHold,
                        now: datetime) -> InvoicePayment:
        """The charge's payment learns its invoice; refunds and disputes that came first are
        applied to the new invoice and hold now, in the order they arrived."""
        assert paid.payment_intent_id is not None
        payment = self._payment(paid.payment_intent_id)
        placed = []
        for early in payment.waiting:
            change = ChargeChange(early.kind, paid.payment_intent_id, paid.stripe_invoice_id,
                                  early.amount_minor, early.dispute_id, early.won,
                                  early.fee_minor)
            outcome, _ = self._apply(paid, change, now, hold)
            if outcome not in NEEDS_FINANCE_REVIEW:
                placed.append(early.stripe_event_id)
        payment.attach(paid.stripe_invoice_id, placed, now)
        return payment

    def _on_charge_change(self, change: ChargeChange, event_id: str, now: datetime) -> Plan | None:
        """A refund or dispute of an invoice's charge. One whose invoice is not recorded yet
        waits for it on the charge's payment (finance sees it flagged until then). None if it
        cannot be an invoice's (no payment intent to wait on)."""
        payment = self._payment(change.payment_intent_id) if change.payment_intent_id else None
        invoice = self._invoice(change, payment)
        if invoice is not None:
            return self._apply(invoice, change, now)
        if payment is None or change.kind == DISPUTE_STILL_OPEN:
            return None
        payment.wait(EarlyChange(change.kind, change.amount_minor, change.dispute_id, change.won,
                                 change.fee_minor, event_id), now)
        return "waiting_for_invoice", [payment]

    def _apply(self, invoice: SubscriptionInvoice, change: ChargeChange, now: datetime,
               hold: EarningsHold | None = None) -> Plan:
        """The change on the invoice, and its hold brought to the new target (the hold given,
        when it is being created in the same save)."""
        if change.amount_minor > invoice.amount_minor:
            return ("refund_exceeds_payment" if change.kind == REFUND
                    else "dispute_exceeds_payment"), []
        if change.kind == REFUND:
            if not invoice.record_refund(change.amount_minor, now):
                return "no_change", []
            outcome = "invoice_refunded"
        elif change.kind == DISPUTE_OPENED:
            if not invoice.record_dispute(change.dispute_id, change.amount_minor, now):
                return "dispute_already_recorded", []
            outcome = "invoice_disputed"
        elif change.kind == DISPUTE_STILL_OPEN:
            return "dispute_still_open", []
        else:
            assert change.kind == DISPUTE_CLOSED
            if not invoice.record_dispute_closed(change.dispute_id, change.won, change.fee_minor,
                                                 now):
                return "dispute_already_closed", []
            outcome = "invoice_dispute_won" if change.won else "invoice_dispute_lost"
        return outcome, [invoice, *self._bring_hold_to_target(invoice, outcome, now, hold)]

    def _bring_hold_to_target(self, invoice: SubscriptionInvoice, reason: str, now: datetime,
                              hold: EarningsHold | None = None) -> list[Any]:
        delta_minor = invoice.pending_reversal_minor
        if delta_minor == 0:
            return []
        if hold is None:
            hold = self._ledger.repository.get(ids.hold_id(SOURCE_KIND, invoice.id))
        if delta_minor > 0:
            creator_minor = hold.reverse_source(delta_minor, reason, now)
            invoice.apply_reversal(delta_minor, creator_minor, now)
        else:
            creator_minor = hold.reinstate_source(-delta_minor, reason, now)
            invoice.apply_reinstatement(-delta_minor, creator_minor, now)
        return [hold]

    # -- lookups ----------------------------------------------------------------------------

    def _subscription(self, metadata: dict[str, Any] | None) -> Subscription | None:
        metadata = metadata or {}
        if metadata.get("lyra_kind") != SUBSCRIPTION_KIND or not metadata.get("fan_id") \
                or not metadata.get("persona_id"):
            return None
        found = self._ledger.get_or_none(ids.subscription_id(str(metadata["fan_id"]),
                                                             str(metadata["persona_id"])))
        return found if isinstance(found, Subscription) else None

    def _payment(self, payment_intent_id: str) -> InvoicePayment:
        """The charge's payment as recorded, or a new one (saved only if something is planned
        on it)."""
        found = self._ledger.get_or_none(ids.invoice_payment_id(payment_intent_id))
        return found if isinstance(found, InvoicePayment) else InvoicePayment(
            payment_intent_id=payment_intent_id)

    def _invoice(self, change: ChargeChange,
                 payment: InvoicePayment | None) -> SubscriptionInvoice | None:
        """By the charge's invoice id, else its payment (written with the invoice), else the
        payment-intent index (invoices recorded before payments were)."""
        stripe_invoice_id = change.invoice_id
        if stripe_invoice_id is None and payment is not None:
            stripe_invoice_id = payment.stripe_invoice_id
        if stripe_invoice_id is None and change.payment_intent_id:
            stripe_invoice_id = self._index.invoice_for_payment_intent(change.payment_intent_id)
        if stripe_invoice_id is None:
            return None
        found = self._ledger.get_or_none(ids.invoice_id(stripe_invoice_id))
        return found if isinstance(found, SubscriptionInvoice) else None


# Stripe moved an invoice's subscription under `parent` (API 2025-03); older versions had it at
# the top level. Both are read, so the handler does not depend on the account's API version.

def _invoice_details(invoice: dict[str, Any]) -> dict[str, Any]:
    parent = invoice.get("parent") or {}
    return parent.get("subscription_details") or invoice.get("subscription_details") or {}


def _invoice_metadata(invoice: dict[str, Any]) -> dict[str, Any]:
    return _invoice_details(invoice).get("metadata") or {}


def _invoice_subscription(invoice: dict[str, Any]) -> str | None:
    found = _invoice_details(invoice).get("subscription") or invoice.get("subscription")
    return str(found) if found else None


def _invoice_payment_intent(invoice: dict[str, Any]) -> str | None:
    if invoice.get("payment_intent"):
        return str(invoice["payment_intent"])
    for row in (invoice.get("payments") or {}).get("data") or []:
        intent = (row.get("payment") or {}).get("payment_intent")
        if intent:
            return str(intent)
    return None


def _invoice_period(invoice: dict[str, Any], now: datetime) -> tuple[datetime, datetime]:
    """The subscription line's period (the invoice's own period fields name the previous one)."""
    for line in (invoice.get("lines") or {}).get("data") or []:
        period = line.get("period") or {}
        start, end = _time(period.get("start")), _time(period.get("end"))
        if start and end:
            return start, end
    start = _time(invoice.get("period_start")) or now
    end = _time(invoice.get("period_end")) or now
    return start, max(start, end)


def _time(value: Any) -> datetime | None:
    if value in (None, ""):
        return None
    try:
        return datetime.fromtimestamp(int(value), tz=UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return None
