"""TokenPurchase: the same Stripe events in any order lead to the same final state."""

from datetime import UTC, datetime
from itertools import permutations

from domain.aggregates.token_purchase import TokenPurchase

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def purchase() -> TokenPurchase:
    return TokenPurchase(checkout_session_id="cs_1", fan_id="f", pack_sku="pack_500", tokens=500,
                         price_minor=499, currency="gbp", at=NOW)


def apply(p: TokenPurchase, step: str) -> None:
    if step == "complete":
        p.complete("pi_1", 499, NOW)
    elif step == "refund_half":
        p.record_refund(250, NOW)
    elif step == "refund_all":
        p.record_refund(499, NOW)
    elif step == "fail":
        p.fail("card_declined", NOW)


def test_arrival_order_does_not_change_the_outcome() -> None:
    outcomes = set()
    for order in permutations(["complete", "refund_half", "refund_all", "fail", "complete"]):
        p = purchase()
        for step in order:
            apply(p, step)
        outcomes.add((p.status, p.refunded_minor, p.reversal_target_tokens))
    # A failure seen before completion is superseded by the later success.
    assert outcomes <= {("completed", 499, 500), ("failed", 499, 500)}


def test_partial_refund_reverses_proportionally_rounding_against_the_refund() -> None:
    p = purchase()
    p.complete("pi_1", 499, NOW)
    p.record_refund(1, NOW)
    assert p.pending_reversal_tokens == 2  # ceil(500 * 1 / 499)
    p.record_refund(499, NOW)
    assert p.pending_reversal_tokens == 500


def test_reversal_waits_for_the_credit() -> None:
    p = purchase()
    p.record_refund(499, NOW)
    assert p.pending_reversal_tokens == 0
    p.complete("pi_1", 499, NOW)
    assert p.pending_reversal_tokens == 500
