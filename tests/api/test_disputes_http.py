"""Disputes end, through HTTP: signed webhooks parsed by the Stripe SDK, from the simulator or
built here when the order must be one the simulator would not produce.

Won: every token and earning the dispute reversed comes back exactly once (the wallet stays
frozen until staff clear it). Lost: the reversal stands and Stripe's fee is the platform's cost.
"""

import json
from itertools import count
from uuid import UUID

import httpx

from adapters.stripe.webhooks import sign
from domain import ids
from tests.api.test_tips_http import funded_fan

_ids = count(1)


def post_event(api, kind: str, obj: dict) -> str:
    payload = json.dumps({"id": f"evt_dsp_{next(_ids)}", "object": "event", "type": kind,
                          "data": {"object": obj}})
    secret = api.core.settings.stripe_webhook_secret
    response = httpx.post(f"{api.base}/api/webhooks/stripe", content=payload,
                          headers={"Stripe-Signature": sign(payload, secret)})
    assert response.status_code == 200
    return str(response.json()["outcome"])


def dispute_obj(api, session_id: str, status: str, fee_minor: int | None = None) -> dict:
    session = api.core.simulator.session(session_id)
    transactions = [] if fee_minor is None else [{"fee": fee_minor, "amount": -999}]
    return {"id": f"dp_{session_id}", "object": "dispute", "amount": session.amount_total_minor,
            "payment_intent": session.payment_intent_id, "status": status,
            "balance_transactions": transactions}


def setup_spent_pack(api, fan_id: str = "fan-1"):
    """A 1,200 pack with 1,000 of it tipped in two tips (700 to the creator)."""
    api.as_user("adm-1", "admin").post("/api/admin/creators",
                                       json={"user_id": "creator-1", "display_name": "Luna"})
    fan, session_id = funded_fan(api, fan_id, "pack_1200")
    for _ in range(2):
        assert fan.post("/api/tips", json={"creator_id": "creator-1",
                                           "amount_tokens": 500}).status_code == 201
    return fan, session_id


def views(api, fan, fan_id: str = "fan-1") -> tuple[dict, dict, dict]:
    staff = api.as_user("fin-1", "finance", "admin")
    head = {"min_position": api.head()}
    wallet = fan.get("/api/wallet", params=head).json()
    earnings = staff.get("/api/creator/earnings", params={"creator_id": "creator-1", **head}).json()
    balance = staff.get("/api/finance/trial-balance").json()
    assert balance["balanced"], balance
    return wallet, earnings, balance


def test_open_then_won_puts_every_token_and_earning_back_once(api) -> None:
    fan, session_id = setup_spent_pack(api)
    sim = f"{api.base}/simulator/checkout/{session_id}"
    assert httpx.post(f"{sim}/dispute").json()["response"]["outcome"] == "disputed"
    wallet, earnings, _ = views(api, fan)
    assert (wallet["balance_tokens"], wallet["spends_reversed_tokens"], wallet["frozen"]) == (
        0, 1_000, True)
    assert (earnings["held_tokens"], earnings["reversed_tokens"]) == (0, 700)

    won = httpx.post(f"{sim}/dispute/close", params={"outcome": "won"}).json()
    assert won["response"]["outcome"] == "dispute_won"
    wallet, earnings, balance = views(api, fan)
    assert (wallet["balance_tokens"], wallet["reversed_tokens"], wallet["spends_reversed_tokens"],
            wallet["frozen"]) == (200, 0, 0, True)  # stays frozen until staff clear it
    assert (earnings["held_tokens"], earnings["reversed_tokens"]) == (700, 0)
    holds = earnings["holds"]
    assert {h["release_at"] for h in holds} == {h["earned_at"].replace("2026-01-01", "2026-01-15")
                                               for h in holds}  # the original release time
    assert balance["tokens"]["standing_creator_shares"] == 700
    assert balance["pence"]["dispute_fees"] == 0
    history = fan.get("/api/wallet/transactions").json()["transactions"]
    assert [t["kind"] for t in history[:2]] == ["dispute_won", "dispute"]
    assert all(t["reversed_tokens"] == 0 for t in history if t["kind"] == "tip")

    again = httpx.post(f"{sim}/dispute/close", params={"outcome": "lost"}).json()
    assert again["response"]["outcome"] == "dispute_already_closed"  # the first outcome stands
    blocked = fan.post("/api/tips", json={"creator_id": "creator-1", "amount_tokens": 1})
    assert blocked.json()["error"]["code"] == "wallet_frozen"
    api.as_user("adm-1", "admin").post("/api/admin/wallets/fan-1/unfreeze",
                                       json={"reason": "the bank sided with us"})
    assert fan.post("/api/tips", json={"creator_id": "creator-1",
                                       "amount_tokens": 200}).status_code == 201


def test_open_then_lost_keeps_the_reversal_and_costs_the_platform_the_fee(api) -> None:
    fan, session_id = setup_spent_pack(api)
    sim = f"{api.base}/simulator/checkout/{session_id}"
    httpx.post(f"{sim}/dispute")
    lost = httpx.post(f"{sim}/dispute/close", params={"outcome": "lost", "fee_minor": 1_500})
    assert lost.json()["response"]["outcome"] == "dispute_lost"
    wallet, earnings, balance = views(api, fan)
    assert (wallet["balance_tokens"], wallet["spends_reversed_tokens"]) == (0, 1_000)
    assert (earnings["held_tokens"], earnings["reversed_tokens"]) == (0, 700)  # no fee here
    assert balance["pence"]["dispute_fees"] == 1_500
    finance = api.as_user("fin-1", "finance")
    diff = finance.get("/api/finance/earnings-diff",
                       params={"since": "2026-01-01T00:00:00Z"}).json()
    purchase = next(p for p in diff["purchases_changed"] if p["checkout_session_id"] == session_id)
    assert purchase["after"]["dispute_status"] == "lost"
    assert purchase["after"]["dispute_fee_minor"] == 1_500


def test_a_close_before_its_open_is_applied_alone_and_the_late_open_changes_nothing(api) -> None:
    fan, session_id = setup_spent_pack(api)
    assert post_event(api, "charge.dispute.closed",
                      dispute_obj(api, session_id, "lost", fee_minor=2_000)) == "dispute_lost"
    assert post_event(api, "charge.dispute.created",
                      dispute_obj(api, session_id, "needs_response")) == "dispute_already_recorded"
    wallet, earnings, balance = views(api, fan)
    assert (wallet["balance_tokens"], wallet["spends_reversed_tokens"], wallet["frozen"]) == (
        0, 1_000, True)
    assert balance["pence"]["dispute_fees"] == 2_000

    fan2, session2 = funded_fan(api, "fan-2", "pack_500")
    assert post_event(api, "charge.dispute.closed",
                      dispute_obj(api, session2, "won")) == "dispute_won"
    assert post_event(api, "charge.dispute.funds_withdrawn",
                      dispute_obj(api, session2, "needs_response")) == "dispute_already_recorded"
    wallet, _, _ = views(api, fan2, "fan-2")
    assert (wallet["balance_tokens"], wallet["reversed_tokens"]) == (500, 0)


def test_duplicates_and_an_inquiry_closed_as_a_warning(api) -> None:
    fan, session_id = setup_spent_pack(api)
    created = dispute_obj(api, session_id, "warning_needs_response")
    payload = json.dumps({"id": "evt_dup_1", "object": "event", "type": "charge.dispute.created",
                          "data": {"object": created}})
    secret = api.core.settings.stripe_webhook_secret
    outcomes = [httpx.post(f"{api.base}/api/webhooks/stripe", content=payload,
                           headers={"Stripe-Signature": sign(payload, secret)}).json()["outcome"]
                for _ in range(2)]
    assert outcomes == ["disputed", "duplicate"]
    assert post_event(api, "charge.dispute.closed",
                      dispute_obj(api, session_id, "warning_closed")) == "dispute_won"
    assert post_event(api, "charge.dispute.funds_reinstated",
                      dispute_obj(api, session_id, "won")) == "dispute_already_closed"
    wallet, earnings, _ = views(api, fan)
    assert (wallet["balance_tokens"], wallet["reversed_tokens"]) == (200, 0)
    assert earnings["held_tokens"] == 700


def test_won_after_the_hold_was_released_and_after_it_was_paid(api) -> None:
    fan, session_id = setup_spent_pack(api)
    admin = api.as_user("adm-1", "admin")
    api.clock.advance(days=14)
    assert admin.post("/api/admin/holds/release").json() == {"released": 2}
    # One of the two earnings is paid out.
    hold_id = admin.get("/api/creator/earnings",
                        params={"creator_id": "creator-1", "min_position": api.head()}
                        ).json()["holds"][0]["hold_id"]
    hold = api.core.ledger.repository.get(UUID(hold_id))
    hold.reserve("po_test", hold.available, 0, api.clock())  # paid out directly, without a run
    hold.settle("po_test", api.clock())
    api.core.ledger.save(hold)
    sim = f"{api.base}/simulator/checkout/{session_id}"
    httpx.post(f"{sim}/dispute")
    _, earnings, _ = views(api, fan)
    assert (earnings["available_tokens"], earnings["paid_tokens"], earnings["reversed_tokens"],
            earnings["negative_adjustment_tokens"]) == (0, 350, 350, 350)
    httpx.post(f"{sim}/dispute/close", params={"outcome": "won"})
    wallet, earnings, balance = views(api, fan)
    # Available again where it was available; the paid one's negative adjustment is cancelled.
    assert (earnings["available_tokens"], earnings["paid_tokens"], earnings["reversed_tokens"],
            earnings["negative_adjustment_tokens"]) == (350, 350, 0, 0)
    assert balance["earnings_tokens"]["negative_adjustments"] == 0
    assert api.core.ledger.repository.get(ids.wallet_id("fan-1")).balance_tokens == 200
