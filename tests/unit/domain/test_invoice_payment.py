"""An invoice's payment keeps the refunds and disputes that came before the invoice, in order,
until the invoice is attached; then it keeps nothing more."""

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain import ids
from domain.aggregates.invoice_payment import EarlyChange, InvoicePayment

AT = datetime(2026, 1, 1, tzinfo=UTC)
changes = st.builds(EarlyChange, kind=st.sampled_from(["refund", "dispute_opened",
                                                         "dispute_closed"]),
                    amount_minor=st.integers(0, 10_000), dispute_id=st.text(max_size=8),
                    won=st.booleans(), fee_minor=st.integers(0, 2_000),
                    stripe_event_id=st.uuids().map(str))


@given(waiting=st.lists(changes, max_size=6))
def test_what_waited_is_handed_over_in_arrival_order_and_survives_a_reload(waiting) -> None:
    payment = InvoicePayment(payment_intent_id="pi_1")
    assert payment.id == ids.invoice_payment_id("pi_1")
    for change in waiting:
        payment.wait(change, AT)
    reloaded = _reloaded(payment)
    assert reloaded.waiting == waiting
    placed = [c.stripe_event_id for c in waiting[::2]]
    assert reloaded.attach("in_1", placed, AT)
    assert (reloaded.stripe_invoice_id, reloaded.waiting) == ("in_1", [])
    assert not reloaded.attach("in_2", [], AT)  # one invoice per payment
    with pytest.raises(ValueError, match="invoice is known"):
        reloaded.wait(waiting[0] if waiting else EarlyChange("refund", 1, "", False, 0, "e"), AT)
    events = reloaded.collect_events()
    assert [type(e).__name__ for e in events] == ["InvoiceAttached"]
    assert events[0].placed_event_ids == placed


def _reloaded(payment: InvoicePayment) -> InvoicePayment:
    """The aggregate rebuilt from its events, as the ledger would load it."""
    events = payment.collect_events()
    rebuilt = None
    for domain_event in events:
        rebuilt = domain_event.mutate(rebuilt)
    assert isinstance(rebuilt, InvoicePayment)
    return rebuilt
