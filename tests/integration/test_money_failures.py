"""Failures on the way to money: nothing is lost, nothing is counted twice."""

import pytest

from adapters.stripe.gateway import StripeGateway
from application.ports import PaymentProviderError
from application.spending.commands import send_tip
from domain import ids
from tests.fakes.servers import FakeStripe
from tests.helpers import charge_refunded, fund, session_completed


class Boom(Exception):
    pass


def crash(*_args: object, **_kwargs: object) -> None:
    raise Boom()


def test_a_refused_checkout_records_no_purchase(make_core) -> None:
    fake = FakeStripe()
    with fake.running() as base:
        core = make_core(gateway=StripeGateway("sk_test_wrong", "whsec_x", api_base=base))
        head = core.ledger.max_position()
        with pytest.raises(PaymentProviderError):
            core.purchases.start_checkout("fan-1", "pack_500", "k-1")
        assert core.ledger.max_position() == head


def test_a_crash_while_recording_a_webhook_leaves_no_trace_and_redelivery_credits_once(
        core, monkeypatch) -> None:
    session = core.purchases.start_checkout("fan-1", "pack_1200", "k")
    event = session_completed(session.id, "fan-1", "pack_1200", 999, "pi_1", event_id="evt_once")
    head = core.ledger.max_position()
    real_save = core.ledger.save
    monkeypatch.setattr(core.ledger, "save", crash)
    with pytest.raises(Boom):
        core.stripe_events.handle(event)  # Stripe sees a 500 and will deliver again
    assert core.ledger.max_position() == head
    monkeypatch.setattr(core.ledger, "save", real_save)
    assert core.stripe_events.handle(event) == "credited"
    assert core.stripe_events.handle(event) == "duplicate"
    assert core.ledger.repository.get(ids.wallet_id("fan-1")).balance_tokens == 1_200


def test_a_crash_while_recording_a_tip_batch_spends_nothing(make_core, monkeypatch) -> None:
    core = make_core(group_commit_window_ms=5)
    core.creators.register("creator-1", "Luna", "adm")
    fund(core, "fan-1", "pack_500")
    head = core.ledger.max_position()
    real_record = core.ledger.record
    monkeypatch.setattr(core.ledger, "record", crash)
    with pytest.raises(Boom):
        core.spending.send(send_tip(fan_id="fan-1", creator_id="creator-1", amount_tokens=300))
    assert core.ledger.max_position() == head
    monkeypatch.setattr(core.ledger, "record", real_record)
    # The writer forgot its unsaved copy of the wallet: the full balance is still there.
    sent = core.spending.send(send_tip(fan_id="fan-1", creator_id="creator-1", amount_tokens=500))
    assert sent.new_balance_tokens == 0
    assert core.ledger.repository.get(ids.wallet_id("fan-1")).spent_tokens == 500


def test_a_crash_while_reversing_a_refund_keeps_earnings_and_tokens_unchanged(core, monkeypatch) -> None:
    core.creators.register("creator-1", "Luna", "adm")
    pi = fund(core, "fan-1", "pack_500")
    sent = core.spending.send(send_tip(fan_id="fan-1", creator_id="creator-1", amount_tokens=400))
    real_save = core.ledger.save
    monkeypatch.setattr(core.ledger, "save", crash)
    with pytest.raises(Boom):
        core.stripe_events.handle(charge_refunded(pi, 499, 499, event_id="evt_refund"))
    monkeypatch.setattr(core.ledger, "save", real_save)
    hold = core.ledger.repository.get(ids.hold_id("tip", sent.spend_id))
    assert hold.held_tokens == 280 and hold.reversed_tokens == 0
    assert core.stripe_events.handle(charge_refunded(pi, 499, 499, event_id="evt_refund")) == "refunded"
    hold = core.ledger.repository.get(ids.hold_id("tip", sent.spend_id))
    wallet = core.ledger.repository.get(ids.wallet_id("fan-1"))
    tip = core.ledger.repository.get(sent.spend_id)
    assert (hold.reversed_tokens, wallet.reversed_tokens, wallet.balance_tokens) == (280, 500, 0)
    assert (wallet.spends_reversed_tokens, tip.reversed_platform_tokens) == (400, 120)
