"""Tips and purchases through HTTP: shapes, error codes, and nothing written on refusal."""

import json

import httpx
import pytest

from adapters.stripe.webhooks import sign


def funded_fan(api, fan_id: str = "fan-1", pack: str = "pack_500"):
    fan = api.as_user(fan_id, "fan")
    session = fan.post("/api/tokens/checkout", json={"pack_sku": pack}).json()
    paid = httpx.post(f"{api.base}/simulator/checkout/{session['checkout_session_id']}/pay")
    assert paid.json()["response"]["outcome"] == "credited"
    return fan, session["checkout_session_id"]


def test_packs_and_tip_config_follow_the_spec(api) -> None:
    packs = httpx.get(f"{api.base}/api/tokens/packs").json()["packs"]
    assert [(p["price_minor"], p["tokens"]) for p in packs] == [
        (499, 500), (999, 1_200), (1_999, 2_600), (3_999, 5_500)]
    assert [p["sku"] for p in packs if p["best_value"]] == ["pack_1200"]
    config = httpx.get(f"{api.base}/api/tips").json()
    assert config["presets_tokens"] == [250, 500, 1_250, 2_500]
    assert (config["creator_bps"], config["platform_fee_bps"]) == (7_000, 3_000)


def test_buy_then_tip_returns_the_spec_shape(api) -> None:
    api.as_user("adm", "admin").post("/api/admin/creators",
                                     json={"user_id": "creator-1", "display_name": "Luna"})
    fan, _ = funded_fan(api)
    response = fan.post("/api/tips/send", json={"creator_id": "creator-1", "amount_tokens": 250,
                                                "thread_id": "t-1", "chat_mode": "companion"})
    assert response.status_code == 201
    body = response.json()
    assert body["success"] is True and body["new_balance"] == 250
    assert (body["creator_tokens"], body["platform_tokens"]) == (175, 75)
    wallet = fan.get("/api/wallet", params={"min_position": body["position"]}).json()
    assert wallet["balance_tokens"] == 250 and wallet["balance_minor"] == 100
    history = fan.get("/api/tokens/history", params={"min_position": body["position"]}).json()
    kinds = [(t["kind"], t["amount_tokens"], t["counterparty_id"]) for t in history["transactions"]]
    assert kinds == [("tip", -250, "creator-1"), ("purchase", 500, None)]


@pytest.mark.parametrize("body, status, code", [
    ({"creator_id": "creator-1", "amount_tokens": 501}, 402, "insufficient_funds"),
    ({"creator_id": "nobody", "amount_tokens": 5}, 404, "unknown_creator"),
    ({"creator_id": "creator-1", "amount_tokens": 0}, 422, "invalid_amount"),
    ({"creator_id": "creator-1", "amount_tokens": 2.5}, 422, "invalid_request"),
    ({"creator_id": "creator-1", "amount_tokens": "250"}, 422, "invalid_request"),
    ({"creator_id": "creator-1"}, 422, "invalid_request"),
    ({"creator_id": "fan-1", "amount_tokens": 5}, 422, "self_tip"),
    ({"creator_id": "creator-1", "amount_tokens": 5, "chat_mode": "x"}, 422, "invalid_request"),
])
def test_bad_tips_get_a_coded_4xx_and_write_nothing(api, body, status, code) -> None:
    api.as_user("adm", "admin").post("/api/admin/creators",
                                     json={"user_id": "creator-1", "display_name": "Luna"})
    fan, _ = funded_fan(api)
    head = api.head()
    response = fan.post("/api/tips", json=body)
    assert response.status_code == status
    assert response.json()["error"]["code"] == code and response.json()["error"]["message"]
    assert api.head() == head


def test_idempotency_key_replays_and_refuses_reuse(api) -> None:
    api.as_user("adm", "admin").post("/api/admin/creators",
                                     json={"user_id": "creator-1", "display_name": "Luna"})
    fan, _ = funded_fan(api)
    body = {"creator_id": "creator-1", "amount_tokens": 100}
    first = fan.post("/api/tips", json=body, headers={"Idempotency-Key": "abc"}).json()
    again = fan.post("/api/tips", json=body, headers={"Idempotency-Key": "abc"}).json()
    assert again["tip_id"] == first["tip_id"] and again["replayed"] is True
    head = api.head()
    clash = fan.post("/api/tips", json={**body, "amount_tokens": 101},
                     headers={"Idempotency-Key": "abc"})
    assert clash.status_code == 409 and clash.json()["error"]["code"] == "idempotency_key_reused"
    assert api.head() == head


def test_unknown_pack_is_refused_without_writing(api) -> None:
    head = api.head()
    response = api.as_user("fan-1", "fan").post("/api/tokens/checkout", json={"pack_sku": "free"})
    assert response.status_code == 422 and response.json()["error"]["code"] == "unknown_pack"
    assert api.head() == head


def test_webhook_with_a_bad_signature_is_400_and_writes_nothing(api) -> None:
    head = api.head()
    payload = json.dumps({"id": "evt_x", "type": "checkout.session.completed",
                          "data": {"object": {"id": "cs_x", "payment_status": "paid",
                                              "metadata": {"lyra_kind": "token_pack",
                                                           "fan_id": "fan-1",
                                                           "pack_sku": "pack_5500"}}}})
    for header in ("t=1,v1=00", sign(payload, "whsec_wrong"), ""):
        response = httpx.post(f"{api.base}/api/webhooks/stripe", content=payload,
                              headers={"Stripe-Signature": header})
        assert response.status_code == 400
        assert response.json()["error"]["code"] == "invalid_signature"
    assert api.head() == head


def test_signed_duplicate_webhook_over_http_credits_once(api) -> None:
    fan = api.as_user("fan-1", "fan")
    session = fan.post("/api/tokens/checkout", json={"pack_sku": "pack_500"}).json()
    payload = json.dumps({"id": "evt_twice", "type": "checkout.session.completed",
                          "data": {"object": {"id": session["checkout_session_id"],
                                              "payment_status": "paid", "amount_total": 499,
                                              "payment_intent": "pi_twice",
                                              "metadata": {"lyra_kind": "token_pack",
                                                           "fan_id": "fan-1",
                                                           "pack_sku": "pack_500"}}}})
    secret = api.core.settings.stripe_webhook_secret
    outcomes = [httpx.post(f"{api.base}/api/webhooks/stripe", content=payload,
                           headers={"Stripe-Signature": sign(payload, secret)}).json()["outcome"]
                for _ in range(2)]
    assert outcomes == ["credited", "duplicate"]
    assert fan.get("/api/wallet", params={"min_position": api.head()}).json()["balance_tokens"] == 500


def test_the_tipping_fan_gets_one_acknowledgement(api) -> None:
    api.as_user("adm", "admin").post("/api/admin/creators",
                                     json={"user_id": "creator-1", "display_name": "Luna"})
    fan, _ = funded_fan(api)
    tip = fan.post("/api/tips", json={"creator_id": "creator-1", "amount_tokens": 250}).json()
    first = fan.post(f"/api/tips/{tip['tip_id']}/acknowledgement").json()["text"]
    assert first and fan.post(f"/api/tips/{tip['tip_id']}/acknowledgement").json()["text"] == first
    other = api.as_user("fan-2", "fan").post(f"/api/tips/{tip['tip_id']}/acknowledgement")
    assert other.status_code == 404 and other.json()["error"]["code"] == "unknown_tip"
