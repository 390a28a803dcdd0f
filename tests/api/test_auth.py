"""Who may see and do what, through HTTP."""

import httpx

from api.auth import mint_token
from application.settings import Settings


def test_requests_without_a_valid_token_are_401(api) -> None:
    assert httpx.get(f"{api.base}/api/wallet").status_code == 401
    forged = mint_token(Settings(jwt_secret="not-our-secret-but-long-enough-for-hs256"), "fan-1", ["fan"])
    response = httpx.get(f"{api.base}/api/wallet", headers={"Authorization": f"Bearer {forged}"})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"


def test_a_fan_sees_only_their_own_wallet(api) -> None:
    fan = api.as_user("fan-1", "fan")
    assert fan.get("/api/wallet").json()["fan_id"] == "fan-1"
    denied = fan.get("/api/wallet", params={"fan_id": "fan-2"})
    assert denied.status_code == 403 and denied.json()["error"]["code"] == "forbidden"
    assert fan.get("/api/wallet/transactions", params={"fan_id": "fan-2"}).status_code == 403
    auditor = api.as_user("aud-1", "auditor")
    assert auditor.get("/api/wallet", params={"fan_id": "fan-2"}).status_code == 200


def test_earnings_need_the_creator_role_or_staff(api) -> None:
    assert api.as_user("fan-1", "fan").get("/api/creator/earnings").status_code == 403
    assert api.as_user("creator-1", "creator").get("/api/creator/earnings").status_code == 200
    finance = api.as_user("fin-1", "finance")
    assert finance.get("/api/creator/earnings", params={"creator_id": "creator-1"}).status_code == 200


def test_only_admins_register_creators(api) -> None:
    body = {"user_id": "creator-1", "display_name": "Luna"}
    assert api.as_user("fan-1", "fan").post("/api/admin/creators", json=body).status_code == 403
    assert api.as_user("adm-1", "admin").post("/api/admin/creators", json=body).status_code == 201


def test_as_of_replay_is_for_auditors_and_finance(api) -> None:
    params = {"at": "2030-01-01T00:00:00Z", "fan_id": "fan-1"}
    assert api.as_user("fan-1", "fan").get("/api/audit/as-of", params=params).status_code == 403
    response = api.as_user("aud-1", "auditor").get("/api/audit/as-of", params=params)
    assert response.status_code == 200 and response.json()["wallet"]["balance_tokens"] == 0
    naive = api.as_user("aud-1", "auditor").get("/api/audit/as-of",
                                                 params={**params, "at": "2030-01-01T00:00:00"})
    assert naive.status_code == 422


def test_earnings_diff_is_for_finance(api) -> None:
    params = {"since": "2020-01-01T00:00:00Z"}
    assert api.as_user("creator-1", "creator").get("/api/finance/earnings-diff",
                                                    params=params).status_code == 403
    body = api.as_user("fin-1", "finance").get("/api/finance/earnings-diff", params=params).json()
    assert body["creators"] == [] and body["purchases_changed"] == []
