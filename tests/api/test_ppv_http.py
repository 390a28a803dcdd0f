"""Pay-per-view through HTTP: offers, unlocks through the one spend path, and what a refund or
dispute does to an unlock (the entitlement goes with the tokens, and comes back if the dispute
is won)."""

import httpx

from tests.api.test_personas_http import published
from tests.api.test_tips_http import funded_fan


def offer(api, studio, price: int = 400, title: str = "Behind the scenes") -> tuple[str, str]:
    creator, _ = studio
    persona_id = published(api, studio)
    made = creator.post("/api/creator/ppv", json={"persona_id": persona_id, "title": title,
                                                  "price_tokens": price})
    assert made.status_code == 201, made.text
    return persona_id, made.json()["offer_id"]


def test_unlock_splits_80_20_once_and_a_second_unlock_charges_nothing(api, studio) -> None:
    persona_id, offer_id = offer(api, studio)
    fan, _ = funded_fan(api, "fan-1", "pack_500")
    bought = fan.post(f"/api/ppv/{offer_id}/purchase", json={"price_tokens": 400},
                      headers={"Idempotency-Key": "u-1"})
    assert bought.status_code == 201
    body = bought.json()
    assert (body["creator_tokens"], body["platform_tokens"], body["new_balance"]) == (320, 80, 100)
    again = fan.post(f"/api/ppv/{offer_id}/purchase", json={"price_tokens": 400},
                     headers={"Idempotency-Key": "u-1"})
    assert again.status_code == 201 and again.json()["replayed"] is True  # the same request
    head = api.head()
    twice = fan.post(f"/api/ppv/{offer_id}/purchase", json={"price_tokens": 400})
    assert twice.status_code == 409 and twice.json()["error"]["code"] == "already_unlocked"
    assert api.head() == head
    wallet = fan.get("/api/wallet", params={"min_position": head}).json()
    assert wallet["balance_tokens"] == 100
    unlocks = fan.get("/api/ppv/unlocks").json()["unlocks"]
    assert [(u["offer_id"], u["entitled"]) for u in unlocks] == [(offer_id, True)]
    creator, _ = studio
    mine = creator.get("/api/creator/ppv", params={"min_position": head}).json()["offers"]
    assert [(o["offer_id"], o["unlocks"], o["creator_tokens"]) for o in mine] == [
        (offer_id, 1, 320)]
    sale = httpx.get(f"{api.base}/api/models/{persona_id}/ppv").json()["offers"]
    assert [o["offer_id"] for o in sale] == [offer_id]
    earnings = creator.get("/api/creator/earnings").json()
    assert earnings["held_tokens"] == 320
    unlock = earnings["by_source"]["unlock"]
    assert list(earnings["by_source"]) == ["unlock"] and unlock["earnings_count"] == 1
    assert {k: v for k, v in unlock.items() if v} == {"earnings_count": 1, "held_tokens": 320}
    stats = creator.get("/api/creator/stats").json()
    assert stats["by_source"]["unlock"]["held_tokens"] == 320
    assert (stats["unlocks"], stats["revenue_by_source"]["unlock"]) == (
        1, {"earned_tokens": 320, "earned_minor": 0})


def test_bad_offers_and_bad_unlocks_are_refused_and_write_nothing(api, studio) -> None:
    creator, _ = studio
    persona_id, offer_id = offer(api, studio)
    fan, _ = funded_fan(api, "fan-1", "pack_500")
    head = api.head()
    refusals = [
        (creator.post("/api/creator/ppv", json={"persona_id": persona_id, "title": "x",
                                                "price_tokens": 10}), 422, "invalid_offer"),
        (creator.post("/api/creator/ppv", json={"persona_id": persona_id, "title": "x",
                                                "price_tokens": 10**6}), 422, "invalid_offer"),
        (api.as_user("other", "creator").post("/api/creator/ppv", json={
            "persona_id": persona_id, "title": "x", "price_tokens": 100}), 403,
         "creator_not_approved"),
        (fan.post(f"/api/ppv/{offer_id}/purchase", json={"price_tokens": 300}), 409,
         "price_changed"),
        (fan.post("/api/ppv/00000000-0000-0000-0000-000000000000/purchase"), 404,
         "unknown_offer"),
        (fan.post(f"/api/ppv/{persona_id}/purchase", json={"price_tokens": 400}), 404,
         "unknown_offer"),  # a persona's id is not an offer's
        (creator.post(f"/api/ppv/{offer_id}/purchase", json={"price_tokens": 400}), 422,
         "self_tip"),
    ]
    for response, status, code in refusals:
        assert (response.status_code, response.json()["error"]["code"]) == (status, code)
    assert api.head() == head
    creator.post(f"/api/creator/models/{persona_id}/unpublish")
    hidden = fan.post(f"/api/ppv/{offer_id}/purchase", json={"price_tokens": 400})
    assert hidden.status_code == 404 and hidden.json()["error"]["code"] == "unknown_persona"
    creator.post(f"/api/creator/models/{persona_id}/publish")
    creator.post(f"/api/creator/ppv/{offer_id}/withdraw")
    gone = fan.post(f"/api/ppv/{offer_id}/purchase", json={"price_tokens": 400})
    assert gone.status_code == 404 and gone.json()["error"]["code"] == "unknown_offer"
    wallet = fan.get("/api/wallet", params={"min_position": api.head()}).json()
    assert wallet["balance_tokens"] == 500 and wallet["spent_tokens"] == 0


def test_a_dispute_revokes_the_unlock_and_winning_it_gives_it_back(api, studio) -> None:
    _, offer_id = offer(api, studio, price=500)
    fan, session_id = funded_fan(api, "fan-1", "pack_500")
    assert fan.post(f"/api/ppv/{offer_id}/purchase").status_code == 201  # the offer's own price
    sim = f"{api.base}/simulator/checkout/{session_id}"
    httpx.post(f"{sim}/dispute")
    unlocks = fan.get("/api/ppv/unlocks", params={"min_position": api.head()}).json()["unlocks"]
    assert [(u["entitled"], u["reversal_reason"]) for u in unlocks] == [(False, "dispute")]
    history = fan.get("/api/wallet/transactions").json()["transactions"]
    unlock_row = next(t for t in history if t["kind"] == "unlock")
    assert (unlock_row["reversed_tokens"], unlock_row["reversal_reason"]) == (500, "dispute")
    # Staff may let the fan spend while the dispute is open, but not buy the offer again: won,
    # the dispute gives the unlock back, and the fan would have paid for it twice.
    admin = api.as_user("adm-1", "admin")
    assert admin.post("/api/admin/wallets/fan-1/unfreeze",
                      json={"reason": "reviewed"}).status_code == 200
    funded_fan(api, "fan-1", "pack_500")
    head = api.head()
    refused = fan.post(f"/api/ppv/{offer_id}/purchase")
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "unlock_revoked"
    assert api.head() == head
    httpx.post(f"{sim}/dispute/close", params={"outcome": "won"})
    unlocks = fan.get("/api/ppv/unlocks", params={"min_position": api.head()}).json()["unlocks"]
    assert [(u["entitled"], u["reversal_reason"]) for u in unlocks] == [(True, None)]
    again = fan.post(f"/api/ppv/{offer_id}/purchase")
    assert again.status_code == 409 and again.json()["error"]["code"] == "already_unlocked"
    balance = api.as_user("fin", "finance").get("/api/finance/trial-balance").json()
    assert balance["balanced"] and balance["tokens"]["standing_creator_shares"] == 400


def test_an_unlock_a_lost_dispute_revoked_can_be_bought_again(api, studio) -> None:
    _, offer_id = offer(api, studio, price=500)
    fan, session_id = funded_fan(api, "fan-1", "pack_500")
    first = fan.post(f"/api/ppv/{offer_id}/purchase").json()["unlock_id"]
    sim = f"{api.base}/simulator/checkout/{session_id}"
    httpx.post(f"{sim}/dispute")
    httpx.post(f"{sim}/dispute/close", params={"outcome": "lost"})
    api.as_user("adm-1", "admin").post("/api/admin/wallets/fan-1/unfreeze",
                                       json={"reason": "reviewed"})
    funded_fan(api, "fan-1", "pack_500")
    again = fan.post(f"/api/ppv/{offer_id}/purchase")
    assert again.status_code == 201, again.text
    assert again.json()["unlock_id"] != first and again.json()["new_balance"] == 0
    unlocks = fan.get("/api/ppv/unlocks", params={"min_position": api.head()}).json()["unlocks"]
    assert sorted((u["entitled"], u["reversal_reason"] or "") for u in unlocks) == [
        (False, "dispute"), (True, "")]
    balance = api.as_user("fin", "finance").get("/api/finance/trial-balance").json()
    assert balance["balanced"] and balance["tokens"]["standing_creator_shares"] == 400
