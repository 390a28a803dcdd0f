"""As a user would run it: buy a pack, tip, wait out the hold, see earnings become available.

Then the bank reverses the fan's payment: finance sees the earning come back out.
"""

import httpx

from tests.api.conftest import api  # noqa: F401  (the served API fixture)


def test_buy_tip_hold_release_and_refund(api) -> None:  # noqa: F811
    admin = api.as_user("adm-1", "admin")
    assert admin.post("/api/admin/creators",
                      json={"user_id": "creator-1", "display_name": "Luna"}).status_code == 201
    fan = api.as_user("fan-1", "fan")
    creator = api.as_user("creator-1", "creator")

    checkout = fan.post("/api/tokens/checkout", json={"pack_sku": "pack_1200"},
                        headers={"Idempotency-Key": "buy-1"}).json()
    page = httpx.get(checkout["url"])
    assert page.status_code == 200 and "£9.99" in page.text
    assert httpx.post(f"{checkout['url']}/pay").json()["response"]["outcome"] == "credited"

    tip = fan.post("/api/tips", json={"creator_id": "creator-1", "amount_tokens": 1_000}).json()
    assert tip["new_balance"] == 200 and tip["creator_tokens"] == 700
    earnings = creator.get("/api/creator/earnings", params={"min_position": tip["position"]}).json()
    assert (earnings["held_tokens"], earnings["available_tokens"]) == (700, 0)
    assert earnings["holds"][0]["status"] == "held"

    api.clock.advance(days=13, hours=23)
    assert admin.post("/api/admin/holds/release").json() == {"released": 0}
    api.clock.advance(hours=1)
    assert admin.post("/api/admin/holds/release").json() == {"released": 1}
    earnings = creator.get("/api/creator/earnings", params={"min_position": api.head()}).json()
    assert (earnings["held_tokens"], earnings["available_tokens"]) == (0, 700)
    assert (earnings["available_tokens_as_minor"], earnings["carried_tokens"]) == (280, 0)

    refunded = httpx.post(f"{checkout['url']}/refund").json()
    assert refunded["response"]["outcome"] == "refunded"
    earnings = creator.get("/api/creator/earnings", params={"min_position": api.head()}).json()
    assert (earnings["available_tokens"], earnings["reversed_tokens"]) == (0, 700)
    wallet = fan.get("/api/wallet", params={"min_position": api.head()}).json()
    # The tip is reversed, not charged again: the wallet is empty, never negative.
    assert (wallet["balance_tokens"], wallet["spends_reversed_tokens"], wallet["frozen"]) == (
        0, 1_000, False)
    history = fan.get("/api/wallet/transactions").json()["transactions"]
    tip_row = next(t for t in history if t["kind"] == "tip")
    assert (tip_row["reversed_tokens"], tip_row["reversal_reason"]) == (1_000, "refund")
    blocked = fan.post("/api/tips", json={"creator_id": "creator-1", "amount_tokens": 1})
    assert blocked.status_code == 402 and blocked.json()["error"]["code"] == "insufficient_funds"
    lag = httpx.get(f"{api.base}/api/projections/status").json()["projections"]
    assert all(p["lag_events"] == 0 for p in lag)
