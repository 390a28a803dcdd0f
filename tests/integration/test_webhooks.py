"""Stripe webhooks through the application: duplicates, reordering, refunds traced to tips."""


from application.spending.commands import send_tip
from domain import ids
from tests.helpers import charge_refunded, fund, session_completed, stripe_event


def wallet(core, fan: str = "fan-1"):
    return core.ledger.repository.get(ids.wallet_id(fan))


def test_duplicate_delivery_credits_once(core) -> None:
    session = core.purchases.start_checkout("fan-1", "pack_1200", "k")
    event = session_completed(session.id, "fan-1", "pack_1200", 999, "pi_1", event_id="evt_dup")
    assert core.stripe_events.handle(event) == "credited"
    assert core.stripe_events.handle(event) == "duplicate"
    # Stripe can also resend the same fact under a new event id.
    again = session_completed(session.id, "fan-1", "pack_1200", 999, "pi_1", event_id="evt_new")
    assert core.stripe_events.handle(again) == "already_completed"
    assert wallet(core).balance_tokens == 1_200


def test_refund_arriving_before_completion_ends_in_the_same_state(core) -> None:
    session = core.purchases.start_checkout("fan-1", "pack_500", "k")
    pi = core.simulator.session(session.id).payment_intent_id
    assert core.stripe_events.handle(charge_refunded(pi, 499, 499)) == "refunded"
    assert core.ledger.get_or_none(ids.wallet_id("fan-1")) is None  # nothing to take back yet
    assert core.stripe_events.handle(
        session_completed(session.id, "fan-1", "pack_500", 499, pi)) == "credited"
    w = wallet(core)
    assert (w.balance_tokens, w.credited_tokens, w.reversed_tokens) == (0, 500, 500)


def test_completion_without_a_recorded_start_is_rebuilt_from_stripe_metadata(core) -> None:
    event = session_completed("cs_unknown", "fan-9", "pack_2600", 1_999, "pi_9")
    assert core.stripe_events.handle(event) == "credited"
    assert wallet(core, "fan-9").balance_tokens == 2_600


def test_amount_mismatch_credits_nothing(core) -> None:
    session = core.purchases.start_checkout("fan-1", "pack_5500", "k")
    event = session_completed(session.id, "fan-1", "pack_5500", 1, "pi_1")
    assert core.stripe_events.handle(event) == "amount_mismatch"
    assert core.ledger.get_or_none(ids.wallet_id("fan-1")) is None


def test_payment_failure_marks_failed_and_a_late_failure_never_undoes_a_payment(core) -> None:
    session = core.purchases.start_checkout("fan-1", "pack_500", "k")
    pi = core.simulator.session(session.id).payment_intent_id
    failed = stripe_event("payment_intent.payment_failed",
                          {"id": pi, "last_payment_error": {"message": "card declined"}})
    assert core.stripe_events.handle(failed) == "failed"
    assert core.ledger.repository.get(ids.purchase_id(session.id)).status == "failed"
    core.stripe_events.handle(session_completed(session.id, "fan-1", "pack_500", 499, pi))
    late = stripe_event("payment_intent.payment_failed", {"id": pi, "last_payment_error": {}})
    core.stripe_events.handle(late)
    assert core.ledger.repository.get(ids.purchase_id(session.id)).status == "completed"
    assert wallet(core).balance_tokens == 500


def test_refund_reverses_the_held_earnings_and_the_tip_it_funded_and_charges_nothing_twice(
        core, clock) -> None:
    core.creators.register("creator-1", "Luna", "admin")
    pi = fund(core, "fan-1", "pack_500")
    sent = core.spending.send(send_tip(fan_id="fan-1", creator_id="creator-1", amount_tokens=400))
    assert core.stripe_events.handle(charge_refunded(pi, 499, 499)) == "refunded"
    hold = core.ledger.repository.get(ids.hold_id("tip", sent.spend_id))
    assert (hold.held_tokens, hold.reversed_tokens) == (0, 280)
    tip = core.ledger.repository.get(sent.spend_id)
    assert (tip.reversed_creator_tokens, tip.reversed_platform_tokens) == (280, 120)
    w = wallet(core)
    assert (w.balance_tokens, w.spends_reversed_tokens, w.is_frozen) == (0, 400, False)


def test_partial_refunds_are_cumulative_and_idempotent(core) -> None:
    core.creators.register("creator-1", "Luna", "admin")
    pi = fund(core, "fan-1", "pack_500")
    core.spending.send(send_tip(fan_id="fan-1", creator_id="creator-1", amount_tokens=500))
    second = charge_refunded(pi, 499, 499)
    first = charge_refunded(pi, 499, 200)
    core.stripe_events.handle(second)  # the larger cumulative amount arrives first
    core.stripe_events.handle(first)
    core.stripe_events.handle(second)
    assert wallet(core).reversed_tokens == 500


def test_dispute_after_payout_becomes_a_clawback(core, clock) -> None:
    core.creators.register("creator-1", "Luna", "admin")
    pi = fund(core, "fan-1", "pack_500")
    sent = core.spending.send(send_tip(fan_id="fan-1", creator_id="creator-1", amount_tokens=500))
    hold = core.ledger.repository.get(ids.hold_id("tip", sent.spend_id))
    clock.advance(days=14)
    hold.release(clock())
    hold.reserve("po_1", hold.available, 0, clock())  # paid out directly, without a run
    hold.settle("po_1", clock())
    core.ledger.save(hold)
    dispute = stripe_event("charge.dispute.created",
                           {"id": "dp_1", "amount": 499, "payment_intent": pi})
    assert core.stripe_events.handle(dispute) == "disputed"
    hold = core.ledger.repository.get(hold.id)
    assert (hold.paid_tokens, hold.clawback_tokens) == (350, 350)
    core.projections.catch_up()
    earnings = core.queries.earnings("creator-1")
    assert (earnings["paid_tokens"], earnings["clawback_tokens"]) == (350, 350)


def test_refund_lookup_uses_the_projection_index_when_stripe_has_no_answer(core) -> None:
    event = session_completed("cs_elsewhere", "fan-2", "pack_500", 499, "pi_elsewhere")
    core.stripe_events.handle(event)
    core.projections.catch_up()
    assert core.stripe_events.handle(charge_refunded("pi_elsewhere", 499, 499)) == "refunded"
    assert wallet(core, "fan-2").balance_tokens == 0


def test_unrelated_events_are_recorded_and_ignored(core) -> None:
    head = core.ledger.max_position()
    assert core.stripe_events.handle(stripe_event("customer.created", {"id": "cus_1"})) == "ignored"
    assert core.ledger.max_position() == head + 1  # only the receipt


def test_hold_release_job_releases_only_due_holds(core, clock) -> None:
    core.creators.register("creator-1", "Luna", "admin")
    fund(core, "fan-1", "pack_1200")
    early = core.spending.send(send_tip(fan_id="fan-1", creator_id="creator-1", amount_tokens=100))
    clock.advance(days=7)
    late = core.spending.send(send_tip(fan_id="fan-1", creator_id="creator-1", amount_tokens=100))
    clock.advance(days=7)
    core.projections.catch_up()
    assert core.holds.release_due() == 1
    assert core.holds.release_due() == 0
    assert core.ledger.repository.get(ids.hold_id("tip", early.spend_id)).status == "available"
    assert core.ledger.repository.get(ids.hold_id("tip", late.spend_id)).status == "held"
    clock.advance(days=7)
    core.projections.catch_up()
    assert core.holds.release_due() == 1
