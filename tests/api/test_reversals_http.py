"""The reversal rule through HTTP, as a fan, finance and an admin see it (issue: count every token once).

Two 1,200-token packs, three 500-token tips (1,500 spent: all of the first pack, 300 of the
second); the first purchase is refunded 240p (ceil(1,200 x 240 / 999) = 289 tokens) and the
second is disputed. By the rule: the refund's 289 tokens re-source tip 3's last 200 and tip 2's
last 89 onto the second pack (nothing reversed); the dispute takes the second pack's 611 unspent
tokens and reverses the 589 it still funds (tip 2: 89, tip 3: 500). Every token is counted once.
"""

import json
from datetime import UTC, datetime

import httpx

from adapters.stripe.webhooks import sign
from tests.api.test_tips_http import funded_fan


def test_refund_then_dispute_of_spent_packs_counts_every_token_once(api) -> None:
    admin = api.as_user("adm-1", "admin")
    finance = api.as_user("fin-1", "finance")
    admin.post("/api/admin/creators", json={"user_id": "creator-1", "display_name": "Luna"})
    fan, first = funded_fan(api, "fan-1", "pack_1200")
    second = fan.post("/api/tokens/checkout", json={"pack_sku": "pack_1200"}).json()
    second = second["checkout_session_id"]
    httpx.post(f"{api.base}/simulator/checkout/{second}/pay")
    tips = [fan.post("/api/tips", json={"creator_id": "creator-1", "amount_tokens": 500}).json()
            for _ in range(3)]
    assert [t["new_balance"] for t in tips] == [1_900, 1_400, 900]

    refund = httpx.post(f"{api.base}/simulator/checkout/{first}/refund",
                        params={"amount_minor": 240}).json()
    assert refund["response"]["outcome"] == "refunded"
    wallet = fan.get("/api/wallet", params={"min_position": api.head()}).json()
    assert (wallet["balance_tokens"], wallet["spends_reversed_tokens"], wallet["frozen"]) == (
        611, 0, False)

    dispute = httpx.post(f"{api.base}/simulator/checkout/{second}/dispute").json()
    assert dispute["response"]["outcome"] == "disputed"
    wallet = fan.get("/api/wallet", params={"min_position": api.head()}).json()
    assert (wallet["balance_tokens"], wallet["reversed_tokens"], wallet["spends_reversed_tokens"],
            wallet["debt_tokens"], wallet["frozen"]) == (0, 1_489, 589, 0, True)
    assert wallet["frozen_reason"].startswith("dispute")

    creator = admin.get("/api/creator/earnings", params={"creator_id": "creator-1"}).json()
    assert (creator["held_tokens"], creator["reversed_tokens"]) == (638, 412)  # 350 + 62 back
    history = fan.get("/api/wallet/transactions").json()["transactions"]
    reversed_tips = {t["ref_id"]: (t["reversed_tokens"], t["reversal_reason"])
                     for t in history if t["kind"] == "tip"}
    assert sorted(reversed_tips.values()) == [(0, None), (89, "dispute"), (500, "dispute")]

    balance = finance.get("/api/finance/trial-balance").json()
    assert balance["balanced"] and balance["imbalance_count"] == 0
    assert balance["tokens"] | {} == {
        "credited": 2_400, "reversed_with_purchases": 1_489, "wallet_balances": 0,
        "standing_creator_shares": 638, "standing_platform_shares": 273, "spent": 1_500,
        "spends_reversed": 589, "legacy_debt": 0}
    assert balance["earnings_tokens"]["held"] + balance["earnings_tokens"]["reversed"] == 1_050

    blocked = fan.post("/api/tips", json={"creator_id": "creator-1", "amount_tokens": 1})
    assert blocked.status_code == 409 and blocked.json()["error"]["code"] == "wallet_frozen"
    assert fan.post("/api/admin/wallets/fan-1/unfreeze",
                    json={"reason": "x"}).status_code == 403
    missing = admin.post("/api/admin/wallets/fan-1/unfreeze", json={"reason": ""})
    assert missing.status_code == 422
    cleared = admin.post("/api/admin/wallets/fan-1/unfreeze",
                         json={"reason": "dispute reviewed with the bank"})
    assert cleared.status_code == 200 and cleared.json()["frozen"] is False
    audit = admin.get("/api/admin/audit", params={"kind": "Wallet.Unfrozen",
                                                  "min_position": api.head()}).json()
    assert [(e["actor"], e["action"]) for e in audit["entries"]] == [("adm-1", "Wallet.Unfrozen")]
    wallet = fan.get("/api/wallet", params={"min_position": api.head()}).json()
    assert wallet["frozen"] is False and wallet["balance_tokens"] == 0


def test_a_past_trial_balance_and_a_malformed_moment(api) -> None:
    finance = api.as_user("fin-1", "finance")
    before = datetime.now(UTC)
    funded_fan(api, "fan-2", "pack_500")
    past = finance.get("/api/finance/trial-balance", params={"at": before.isoformat()}).json()
    assert past["balanced"] and past["tokens"]["credited"] == 0
    now = finance.get("/api/finance/trial-balance").json()
    assert now["balanced"] and now["tokens"]["credited"] == 500
    for bad in ("yesterday", "2026-13-01T00:00:00Z", "2026-03-03T12:00:00"):
        response = finance.get("/api/finance/trial-balance", params={"at": bad})
        assert response.status_code == 422 and response.json()["error"]["code"] == "invalid_request"
    assert api.as_user("fan-2", "fan").get("/api/finance/trial-balance").status_code == 403


def test_refunds_and_disputes_that_do_not_add_up_are_flagged_and_apply_nothing(api) -> None:
    fan, session_id = funded_fan(api, "fan-3", "pack_500")
    payment_intent = api.core.simulator.session(session_id).payment_intent_id
    secret = api.core.settings.stripe_webhook_secret
    head = api.head()
    events = [
        ("charge.refunded", {"id": "ch_1", "amount": 499, "amount_refunded": 600,
                             "payment_intent": payment_intent}, "refund_exceeds_payment"),
        ("charge.dispute.created", {"id": "dp_1", "amount": 5_000,
                                    "payment_intent": payment_intent}, "dispute_exceeds_payment"),
        # A charge nobody knows may be an invoice's not reported yet: it waits for one.
        ("charge.refunded", {"id": "ch_2", "amount": 499, "amount_refunded": 499,
                             "payment_intent": "pi_nobody_knows"}, "waiting_for_invoice"),
    ]
    for n, (kind, obj, outcome) in enumerate(events):
        payload = json.dumps({"id": f"evt_bad_{n}", "object": "event", "type": kind,
                              "data": {"object": obj}})
        response = httpx.post(f"{api.base}/api/webhooks/stripe", content=payload,
                              headers={"Stripe-Signature": sign(payload, secret)})
        assert response.status_code == 200 and response.json()["outcome"] == outcome
    # Only the receipts were recorded, and the unknown charge's waiting payment (two events).
    assert api.head() == head + len(events) + 2
    wallet = fan.get("/api/wallet", params={"min_position": api.head()}).json()
    assert (wallet["balance_tokens"], wallet["reversed_tokens"], wallet["frozen"]) == (
        500, 0, False)
    flags = api.as_user("fin-1", "finance").get("/api/finance/flags").json()["flags"]
    assert [f["outcome"] for f in flags] == [e[2] for e in reversed(events)]
    assert api.as_user("fin-1", "finance").get("/api/finance/trial-balance").json()["balanced"]
