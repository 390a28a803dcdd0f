"""Staff's queue of frozen wallets, through HTTP: a dispute puts the fan's wallet on it, clearing
the freeze takes it off, and only admin and finance see it."""

import httpx

from tests.api.test_disputes_http import setup_spent_pack


def frozen(api) -> list[dict]:
    response = api.as_user("fin-1", "finance").get("/api/admin/wallets/frozen")
    assert response.status_code == 200, response.text
    return list(response.json()["wallets"])


def test_a_disputed_wallet_waits_on_the_queue_until_staff_clear_it(api) -> None:
    _, session_id = setup_spent_pack(api)
    assert frozen(api) == []
    httpx.post(f"{api.base}/simulator/checkout/{session_id}/dispute")
    api.core.projections.catch_up()
    [wallet] = frozen(api)
    assert (wallet["fan_id"], wallet["balance_tokens"], wallet["debt_tokens"]) == ("fan-1", 0, 0)
    assert wallet["frozen_reason"]
    admin = api.as_user("adm-1", "admin")
    assert admin.get("/api/admin/stats").json()["frozen_wallets"] == 1

    cleared = admin.post("/api/admin/wallets/fan-1/unfreeze", json={"reason": "bank sided with us"})
    assert cleared.status_code == 200 and cleared.json()["frozen"] is False
    api.core.projections.catch_up()
    assert frozen(api) == []


def test_only_admin_and_finance_see_the_queue_and_bad_paging_is_refused(api) -> None:
    fan = api.as_user("fan-1", "fan")
    refused = fan.get("/api/admin/wallets/frozen")
    assert refused.status_code == 403 and refused.json()["error"]["code"]
    staff = api.as_user("adm-1", "admin")
    for params in ({"limit": 0}, {"limit": 201}, {"offset": -1},
                   {"offset": 16453036535818542848}, {"limit": "many"}):
        bad = staff.get("/api/admin/wallets/frozen", params=params)
        assert bad.status_code == 422 and bad.json()["error"]["code"], params
