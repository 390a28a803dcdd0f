"""The payout run through the real SDK against the loopback fake: killed at every step and run
again, Stripe refusing or unreachable, a creator suspended between runs. Nothing is paid twice
and nothing is lost."""

from datetime import UTC, datetime

import pytest

from adapters.stripe.gateway import StripeGateway
from application.reconciliation import reconcile
from application.spending.commands import send_tip
from domain import ids
from projections.reconciliation import LedgerMoney
from replay.trial_balance import trial_balance_now
from tests.fakes.servers import FakeStripe
from tests.helpers import session_completed

SECRET = "whsec_test_payouts"


class Killed(BaseException):
    """The process dies here (not an error anything would catch)."""


@pytest.fixture
def setup(make_core, clock):
    fake = FakeStripe()
    with fake.running() as base:
        core = make_core(gateway=StripeGateway("sk_test_fake", SECRET, api_base=base),
                         stripe_webhook_secret=SECRET)
        connected_creator(core, "creator-1", "acct_test_1")
        for n in range(2):  # two fans tip 1,000 each: 1,400 tokens = 560p
            fan = f"fan-{n}"
            session = core.purchases.start_checkout(fan, "pack_1200", f"{fan}:k")
            assert core.stripe_events.handle(session_completed(
                session.id, fan, "pack_1200", 999,
                fake.sessions[session.id]["payment_intent"])) == "credited"
            core.spending.send(send_tip(fan_id=fan, creator_id="creator-1", amount_tokens=1_000))
        clock.advance(days=15)
        core.payouts.minimum_minor = 500
        yield fake, core


def connected_creator(core, user_id: str, account_id: str) -> None:
    core.creators.register(user_id, "Luna", "adm-1")
    creator = core.ledger.repository.get(ids.creator_id(user_id))
    creator.link_stripe_account(account_id, core.payouts._clock())
    creator.record_stripe_status(True, True, [], core.payouts._clock())
    core.ledger.save(creator)


def payout_of(core, run_key: str = "w1"):
    return core.ledger.get_or_none(ids.payout_id("creator-1", run_key))


def assert_paid_once(fake, core, run_key: str = "w1") -> None:
    payout = payout_of(core, run_key)
    assert payout.status == "bank_payout_requested" and payout.amount_minor == 560
    assert [t["amount"] for t in fake.transfers.values()] == [560]
    assert [p["amount"] for p in fake.bank_payouts.values()] == [560]
    assert [p["account"] for p in fake.bank_payouts.values()] == ["acct_test_1"]
    holds = core.ledger.get_many(payout.hold_ids).values()
    assert sum(h.in_payout for h in holds) == 1_400
    assert trial_balance_now(core.projections).balanced


STEPS = ["save", "before_transfer", "after_transfer", "before_bank_payout", "after_bank_payout"]


@pytest.mark.parametrize("step", STEPS)
def test_a_run_killed_at_any_step_pays_once_when_run_again(setup, monkeypatch, step) -> None:
    fake, core = setup
    gateway = core.payouts._gateway
    real = {"transfer": gateway.create_transfer, "bank": gateway.create_bank_payout}

    def crash_around(name: str, after: bool):
        def call(**kwargs):
            if after:
                real[name](**kwargs)
            raise Killed(step)
        return call

    if step == "save":
        monkeypatch.setattr(core.payouts, "_create",
                            lambda *a, **k: (_ for _ in ()).throw(Killed(step)))
    elif step.endswith("transfer"):
        monkeypatch.setattr(gateway, "create_transfer",
                            crash_around("transfer", step.startswith("after")))
    else:
        monkeypatch.setattr(gateway, "create_bank_payout",
                            crash_around("bank", step.startswith("after")))
    with pytest.raises(Killed):
        core.payouts.run("w1")
    monkeypatch.undo()
    report = core.payouts.run("w1")
    assert report.payouts == {"creator-1": "bank_payout_requested"}
    assert_paid_once(fake, core)
    assert core.payouts.run("w1").payouts == {"creator-1": "bank_payout_requested"}
    assert_paid_once(fake, core)


def test_stripe_unreachable_leaves_the_payout_to_resume(setup) -> None:
    fake, core = setup
    fake.fail_with_500 = 3  # the SDK's own retries (2) run out
    assert core.payouts.run("w1").payouts == {"creator-1": "created"}
    assert fake.transfers == {}
    assert core.payouts.run("w1").payouts == {"creator-1": "bank_payout_requested"}
    assert_paid_once(fake, core)


def test_a_refused_transfer_fails_the_payout_and_returns_its_earnings(setup) -> None:
    fake, core = setup
    fake.refuse_transfers = True
    assert core.payouts.run("w1").payouts == {"creator-1": "failed"}
    assert "transfer_refused" in payout_of(core).failure
    holds = core.ledger.get_many(payout_of(core).hold_ids).values()
    assert (sum(h.available for h in holds), sum(h.in_payout for h in holds)) == (1_400, 0)
    fake.refuse_transfers = False
    assert core.payouts.run("w2").payouts == {"creator-1": "bank_payout_requested"}
    assert payout_of(core, "w2").amount_minor == 560


def test_a_creator_suspended_before_the_transfer_is_not_paid(setup, monkeypatch) -> None:
    fake, core = setup
    gateway = core.payouts._gateway
    monkeypatch.setattr(gateway, "create_transfer",
                        lambda **_: (_ for _ in ()).throw(Killed("before_transfer")))
    with pytest.raises(Killed):
        core.payouts.run("w1")
    monkeypatch.undo()
    core.moderation.suspend("adm-1", "creator-1", "under review")
    report = core.payouts.run("w1")
    assert report.payouts == {"creator-1": "failed"}
    assert (payout_of(core).failure, fake.transfers) == ("creator_not_in_good_standing", {})
    holds = core.ledger.get_many(payout_of(core).hold_ids).values()
    assert sum(h.available for h in holds) == 1_400  # kept for when they are reinstated


def test_reconciliation_reads_every_page_of_stripe_s_balance(setup) -> None:
    fake, core = setup
    assert core.payouts.run("w1").payouts == {"creator-1": "bank_payout_requested"}
    core.projections.catch_up()
    payment_intents = [s["payment_intent"] for s in fake.sessions.values()]
    [transfer] = fake.transfers.values()
    booked = [{"id": f"txn_{n}", "type": "charge", "amount": 999,
               "source": {"id": f"ch_{n}", "object": "charge", "payment_intent": pi}}
              for n, pi in enumerate(payment_intents)]
    booked.append({"id": "txn_t", "type": "transfer", "amount": -560,
                   "source": {"id": transfer["id"], "object": "transfer"}})
    booked += [{"id": f"txn_x{n}", "type": "charge", "amount": 499,
                "source": {"id": f"ch_x{n}", "object": "charge", "payment_intent": f"pi_x{n}"}}
               for n in range(230)]  # three pages of charges the ledger never heard of
    fake.balance = booked
    result = reconcile(core.gateway, LedgerMoney(core.read_db),
                       datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 3, 1, tzinfo=UTC))
    assert result["matched"] == 3 and len(result["missing_in_ledger"]) == 230
    assert result["missing_at_stripe"] == [] and result["amount_mismatches"] == []
    pages = [r for r in fake.requests if r[1].startswith("/v1/balance_transactions")]
    assert len(pages) == 3 and "expand" in pages[0][1]


def test_a_transfer_reversal_the_ledger_does_not_hold_is_reported(setup) -> None:
    """Stripe took a transfer back (a reversal booked as `transfer_refund`) but the ledger's
    payout is not reversed: an amount mismatch, the ledger's side being nothing taken back."""
    fake, core = setup
    assert core.payouts.run("w1").payouts == {"creator-1": "bank_payout_requested"}
    core.projections.catch_up()
    [transfer] = fake.transfers.values()
    fake.balance = [
        {"id": "txn_t", "type": "transfer", "amount": -560,
         "source": {"id": transfer["id"], "object": "transfer"}},
        {"id": "txn_r", "type": "transfer_refund", "amount": 560,
         "source": {"id": "trr_1", "object": "transfer_reversal", "transfer": transfer["id"]}}]
    result = reconcile(core.gateway, LedgerMoney(core.read_db),
                       datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 3, 1, tzinfo=UTC))
    assert result["amount_mismatches"] == [
        {"stripe_id": None, "type": "transfer_reversal", "key": transfer["id"],
         "amount_minor": 560, "ledger_minor": 0}]
    assert result["reconciled"] is False
