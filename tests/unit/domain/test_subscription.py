"""Subscription: what access a term gives, and when a second subscribe is refused."""

from datetime import UTC, datetime, timedelta

import pytest

from domain.aggregates.subscription import AlreadySubscribedError, Subscription
from domain.aggregates.subscription_invoice import SubscriptionInvoice

T0 = datetime(2026, 1, 1, tzinfo=UTC)
GRACE = timedelta(days=3)
MONTH = timedelta(days=30)


def subscribed() -> Subscription:
    subscription = Subscription(fan_id="f", persona_id="p", creator_id="c", price_minor=999,
                                currency="gbp", included_messages=100,
                                checkout_session_id="cs_1", at=T0)
    subscription.record_period_paid("in_1", "sub_1", T0, T0 + MONTH, T0)
    return subscription


def test_access_follows_the_paid_period_and_the_grace_after_a_failure() -> None:
    subscription = subscribed()
    assert subscription.has_access(T0 + MONTH + GRACE - timedelta(seconds=1), GRACE)
    assert not subscription.has_access(T0 + MONTH + GRACE, GRACE)
    subscription.record_payment_failed("in_2", "sub_1", T0 + MONTH)
    assert subscription.status == "past_due"
    assert subscription.has_access(T0 + MONTH + timedelta(days=2), GRACE)
    assert not subscription.has_access(T0 + MONTH + GRACE, GRACE)
    subscription.record_period_paid("in_2", "sub_1", T0 + MONTH, T0 + 2 * MONTH, T0 + MONTH)
    assert subscription.status == "active" and subscription.has_access(T0 + MONTH * 1.5, GRACE)
    subscription.end("sub_1", "canceled", T0 + MONTH * 1.5)
    assert not subscription.has_access(T0 + MONTH * 1.5, GRACE)


def test_a_live_subscription_refuses_a_second_and_an_ended_one_starts_a_new_term() -> None:
    subscription = subscribed()
    with pytest.raises(AlreadySubscribedError):
        subscription.request_again("cs_2", 999, 100, T0)
    subscription.end("sub_1", "canceled", T0 + MONTH)
    assert subscription.request_again("cs_2", 1_499, 50, T0 + MONTH)
    assert (subscription.status, subscription.term, subscription.price_minor) == (
        "pending", 2, 1_499)
    assert not subscription.request_again("cs_2", 1_499, 50, T0 + MONTH)  # the same checkout


def test_an_earlier_terms_late_invoice_pays_but_gives_no_access() -> None:
    subscription = subscribed()
    subscription.end("sub_1", "canceled", T0 + MONTH)
    subscription.request_again("cs_2", 999, 100, T0 + MONTH)
    subscription.record_period_paid("in_9", "sub_2", T0 + MONTH, T0 + 2 * MONTH, T0 + MONTH)
    assert subscription.is_orphan("sub_1")
    subscription.record_period_paid("in_1b", "sub_1", T0 + 2 * MONTH, T0 + 3 * MONTH, T0)
    assert subscription.paid_through == T0 + 2 * MONTH


def test_an_invoice_stands_reversed_by_its_refunds_or_all_of_it_while_disputed() -> None:
    invoice = SubscriptionInvoice(
        stripe_invoice_id="in_1", subscription_id=subscribed().id, stripe_subscription_id="s",
        fan_id="f", persona_id="p", creator_id="c", amount_minor=999, currency="gbp",
        creator_bps=8_000, creator_minor=799, platform_minor=200, payment_intent_id="pi",
        period_start=T0, period_end=T0 + MONTH, at=T0)
    invoice.record_refund(300, T0)
    assert invoice.pending_reversal_minor == 300
    invoice.apply_reversal(300, 239, T0)
    invoice.record_dispute("dp_1", 999, T0)
    assert invoice.pending_reversal_minor == 699
    invoice.apply_reversal(699, 560, T0)
    invoice.record_dispute_closed("dp_1", won=True, fee_minor=0, at=T0)
    assert invoice.pending_reversal_minor == -699  # back to what the refund alone takes
    assert not invoice.record_refund(200, T0)  # cumulative: not news
