"""Stripe Billing through the real SDK against the loopback fake, with real signed webhooks:
a subscription's life, duplicate and reordered deliveries, and what is refused or flagged."""

import itertools
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapters.stripe.gateway import StripeGateway
from adapters.stripe.webhooks import sign
from domain import ids
from projections.trial_balance import trial_balance
from tests.fakes.servers import FakeStripe
from tests.helpers import stripe_event
from tests.integration.test_spending import published_persona

SECRET = "whsec_test_billing"
PRICE = 999
CREATOR = 799
DAY = 86_400
T0 = int(datetime(2026, 1, 1, 12, tzinfo=UTC).timestamp())
_ids = itertools.count(1)


@pytest.fixture
def billing(make_core):
    fake = FakeStripe()
    with fake.running() as base:
        core = make_core(gateway=StripeGateway("sk_test_fake", SECRET, api_base=base),
                         stripe_webhook_secret=SECRET)
        yield fake, core, str(published_persona(core))


def deliver(core, event: dict[str, Any]) -> str:
    """As Stripe does: a signed payload, verified by the SDK, then handled."""
    payload = json.dumps(event)
    return core.stripe_events.handle(core.gateway.parse_webhook(payload.encode(),
                                                                sign(payload, SECRET)))


def metadata(fan: str, persona: str) -> dict[str, str]:
    return {"lyra_kind": "subscription", "fan_id": fan, "persona_id": persona}


def checkout_completed(session_id: str, sub: str, fan: str, persona: str) -> dict[str, Any]:
    return stripe_event("checkout.session.completed", {
        "id": session_id, "object": "checkout.session", "mode": "subscription",
        "payment_status": "paid", "subscription": sub, "metadata": metadata(fan, persona)})


def invoice(kind: str, invoice_id: str, sub: str, fan: str, persona: str, period: int,
            amount: int = PRICE, currency: str = "gbp") -> dict[str, Any]:
    start = T0 + period * 30 * DAY
    return stripe_event(kind, {
        "id": invoice_id, "object": "invoice", "currency": currency,
        "amount_paid": amount if kind == "invoice.paid" else 0, "amount_due": amount,
        "payment_intent": f"pi_{invoice_id}",
        "parent": {"subscription_details": {"subscription": sub,
                                            "metadata": metadata(fan, persona)}},
        "lines": {"data": [{"period": {"start": start, "end": start + 30 * DAY}}]}})


def updated(sub: str, fan: str, persona: str, cancel: bool, created: int,
            status: str = "active") -> dict[str, Any]:
    event = stripe_event("customer.subscription.updated", {
        "id": sub, "object": "subscription", "status": status, "cancel_at_period_end": cancel,
        "current_period_end": T0 + 120 * DAY, "metadata": metadata(fan, persona)})
    return {**event, "created": created}


def deleted(sub: str, fan: str, persona: str) -> dict[str, Any]:
    return stripe_event("customer.subscription.deleted", {
        "id": sub, "object": "subscription", "status": "canceled",
        "metadata": metadata(fan, persona)})


def refunded_by_payment_intent(invoice_id: str, amount: int) -> dict[str, Any]:
    """Stripe's current API: the charge names its payment intent, not its invoice."""
    return stripe_event("charge.refunded", {
        "id": f"ch_{invoice_id}", "object": "charge", "amount": PRICE,
        "amount_refunded": amount, "payment_intent": f"pi_{invoice_id}"})


def held_and_reversed(core, invoice_ids: list[str]) -> tuple[int, int]:
    holds = [core.ledger.repository.get(ids.hold_id("subscription", ids.invoice_id(i)))
             for i in invoice_ids]
    return sum(h.held_minor for h in holds), sum(h.reversed_minor for h in holds)


def test_the_lifecycle_through_the_sdk_with_duplicates_and_reordering(billing) -> None:
    fake, core, persona = billing
    session = core.subscriptions.subscribe("fan-1", persona, "fan-1:sub:1")
    created = fake.sessions[session.id]
    assert created["mode"] == "subscription"
    assert created["line_items"]["0"]["price_data"] == {
        "currency": "gbp", "unit_amount": "999", "recurring": {"interval": "month"},
        "product_data": {"name": "Luna Vale: monthly subscription"}}
    assert created["subscription_data"]["metadata"] == metadata("fan-1", persona)
    fake.subscriptions["sub_1"] = {"id": "sub_1", "object": "subscription", "status": "active",
                                   "cancel_at_period_end": False}

    first = invoice("invoice.paid", "in_1", "sub_1", "fan-1", persona, 0)
    # The first invoice arrives before the checkout's completion, and twice.
    assert deliver(core, first) == "period_paid"
    assert deliver(core, first) == "duplicate"
    assert deliver(core, checkout_completed(session.id, "sub_1", "fan-1", persona)) == (
        "already_active")
    assert core.subscriptions.access("fan-1", persona).subscribed
    for n in (2, 3):
        assert deliver(core, invoice("invoice.paid", f"in_{n}", "sub_1", "fan-1", persona,
                                     n - 1)) == "period_paid"
    # The fourth renewal fails, then Stripe's retry succeeds (the same invoice); the failure's
    # late redelivery changes nothing.
    failed = invoice("invoice.payment_failed", "in_4", "sub_1", "fan-1", persona, 3)
    assert deliver(core, failed) == "past_due"
    assert deliver(core, invoice("invoice.paid", "in_4", "sub_1", "fan-1", persona, 3)) == (
        "period_paid")
    assert deliver(core, {**failed, "id": "evt_failed_again"}) == "no_change"
    assert core.subscriptions.access("fan-1", persona).status == "active"

    # Cancel at the period's end through the SDK; Stripe's confirming webhook changes nothing,
    # and an older update (cancel=false) delivered late does not undo it.
    now = int(core.subscriptions._clock().timestamp())
    assert core.subscriptions.cancel("fan-1", persona).status == "canceling"
    assert fake.subscriptions["sub_1"]["cancel_at_period_end"] is True
    assert fake.requests[-1][2]["Idempotency-Key"].endswith(":cancel:True")
    assert deliver(core, updated("sub_1", "fan-1", persona, True, now + 1)) == "no_change"
    assert deliver(core, updated("sub_1", "fan-1", persona, False, now - 60)) == "no_change"
    assert core.subscriptions.access("fan-1", persona).status == "canceling"
    assert deliver(core, deleted("sub_1", "fan-1", persona)) == "ended"
    assert not core.subscriptions.access("fan-1", persona).subscribed

    invoices = ["in_1", "in_2", "in_3", "in_4"]
    assert held_and_reversed(core, invoices) == (4 * CREATOR, 0)
    # A partial refund of the second invoice, found through its payment intent.
    core.projections.catch_up()
    assert deliver(core, refunded_by_payment_intent("in_2", 500)) == "invoice_refunded"
    assert held_and_reversed(core, invoices) == (4 * CREATOR - 399, 399)  # floor(799*500/999)
    assert deliver(core, refunded_by_payment_intent("in_2", PRICE)) == "invoice_refunded"
    assert held_and_reversed(core, invoices) == (3 * CREATOR, CREATOR)
    core.projections.catch_up()
    report = trial_balance(core.read_db)
    assert report.balanced, report.imbalances
    assert report.pence["subscriptions_received"] == 4 * PRICE
    assert report.earnings_minor["reversed"] == CREATOR


def test_what_cannot_be_placed_is_flagged_and_credits_nothing(billing) -> None:
    _, core, persona = billing
    core.subscriptions.subscribe("fan-1", persona, "fan-1:sub:1")
    head = core.ledger.max_position()
    assert deliver(core, invoice("invoice.paid", "in_x", "sub_x", "fan-9", persona, 0)) == (
        "unmatched")
    assert deliver(core, invoice("invoice.paid", "in_y", "sub_1", "fan-1", persona, 0,
                                 amount=1)) == "amount_mismatch"
    assert deliver(core, invoice("invoice.paid", "in_z", "sub_1", "fan-1", persona, 0,
                                 currency="usd")) == "currency_mismatch"
    # A refund of a charge we do not know may be an invoice's that Stripe has not told us of
    # yet: it waits on the charge's payment, and finance sees it until the invoice comes.
    assert deliver(core, refunded_by_payment_intent("in_unknown", 100)) == "waiting_for_invoice"
    assert core.ledger.max_position() == head + 6  # four receipts, and the waiting payment
    assert held_and_reversed(core, []) == (0, 0)
    core.projections.catch_up()
    outcomes = sorted(f["outcome"] for f in core.queries.finance_flags(limit=10))
    assert outcomes == ["amount_mismatch", "currency_mismatch", "unmatched",
                        "waiting_for_invoice"]


@given(st.data())
def test_any_arrival_order_ends_in_the_same_place(billing, data) -> None:
    """Stripe delivers out of order and twice: every order of one subscription's events ends in
    the same money, the same paid periods and the same status, even when an invoice's refund or
    dispute comes before the invoice itself."""
    _, core, persona = billing
    n = next(_ids)
    fan, sub = f"fan-p{n}", f"sub_p{n}"
    session = core.subscriptions.subscribe(fan, persona, f"{fan}:sub")
    paid = [invoice("invoice.paid", f"in_p{n}_{k}", sub, fan, persona, k) for k in range(3)]
    dispute = {"id": f"dp_p{n}", "amount": PRICE, "payment_intent": f"pi_in_p{n}_1"}
    events = [checkout_completed(session.id, sub, fan, persona), *paid,
              invoice("invoice.payment_failed", f"in_p{n}_2", sub, fan, persona, 2),
              updated(sub, fan, persona, True, T0 + 10), updated(sub, fan, persona, False, T0 + 5),
              deleted(sub, fan, persona),
              refunded_by_payment_intent(f"in_p{n}_0", PRICE),  # all of the first period
              stripe_event("charge.dispute.created", {**dispute, "status": "needs_response"}),
              stripe_event("charge.dispute.closed", {**dispute, "status": "lost",
                                                     "balance_transactions": [{"fee": 1_500}]})]
    order = data.draw(st.permutations(events))
    repeats = data.draw(st.lists(st.sampled_from(events), max_size=3))
    for event in [*order, *repeats]:
        deliver(core, event)
    subscription = core.ledger.repository.get(ids.subscription_id(fan, persona))
    assert subscription.status == "ended"
    assert subscription.paid_through == datetime.fromtimestamp(T0 + 90 * DAY, UTC)
    assert subscription.invoice_ids == {e["data"]["object"]["id"] for e in paid}
    assert subscription.cancel_at is not None  # the later report (cancel) stands
    # The first period refunded and the second disputed and lost, whichever came first.
    assert held_and_reversed(core, [e["data"]["object"]["id"] for e in paid]) == (
        CREATOR, 2 * CREATOR)
    assert not core.subscriptions.access(fan, persona).subscribed
    core.projections.catch_up()
    assert not [f for f in core.queries.finance_flags(limit=100)
                if f["object_id"] in (f"ch_in_p{n}_0", f"dp_p{n}")]  # each placed in the end
    assert timedelta(0) < core.subscriptions.grace


def test_a_refund_before_its_invoice_waits_and_is_applied_when_the_invoice_comes(billing) -> None:
    _, core, persona = billing
    session = core.subscriptions.subscribe("fan-1", persona, "fan-1:sub:early")
    assert deliver(core, checkout_completed(session.id, "sub_e", "fan-1", persona)) == "subscribed"
    assert deliver(core, refunded_by_payment_intent("in_e0", 500)) == "waiting_for_invoice"
    assert deliver(core, refunded_by_payment_intent("in_e1", 5_000)) == "waiting_for_invoice"
    core.projections.catch_up()
    assert sorted(f["outcome"] for f in core.queries.finance_flags(limit=10)) == [
        "waiting_for_invoice", "waiting_for_invoice"]

    assert deliver(core, invoice("invoice.paid", "in_e0", "sub_e", "fan-1", persona, 0)) == (
        "period_paid")
    held, reversed_minor = held_and_reversed(core, ["in_e0"])
    assert reversed_minor > 0 and held + reversed_minor == CREATOR  # half refunded, in proportion
    same = deliver(core, refunded_by_payment_intent("in_e0", 500))  # the same total again
    assert same == "no_change" and held_and_reversed(core, ["in_e0"]) == (held, reversed_minor)
    # A refund larger than its invoice is never applied: it stays on finance's list.
    assert deliver(core, invoice("invoice.paid", "in_e1", "sub_e", "fan-1", persona, 1)) == (
        "period_paid")
    assert held_and_reversed(core, ["in_e1"]) == (CREATOR, 0)
    core.projections.catch_up()
    assert [(f["object_id"], f["outcome"]) for f in core.queries.finance_flags(limit=10)] == [
        ("ch_in_e1", "waiting_for_invoice")]
