"""Rate limits through HTTP on the whole app: a fan over their money budget is refused with when
to come back and nothing written, their keyed tip retried after the wait is there once, another
fan is untouched, and staff see who was refused (pages: tests/browser/test_limited_pages.py)."""

import time

import httpx
import pytest

from tests.api.test_tips_http import funded_fan


def tip(fan: httpx.Client, key: str, amount_tokens: int = 100) -> httpx.Response:
    return fan.post("/api/tips", headers={"Idempotency-Key": key},
                    json={"creator_id": "creator-1", "amount_tokens": amount_tokens})


@pytest.mark.settings(rate_limit_money="2/second;4/minute")
def test_a_refused_tip_writes_nothing_and_its_retry_is_recorded_once(api, studio) -> None:
    fan, _ = funded_fan(api, "fan-1", "pack_1200")
    other, _ = funded_fan(api, "fan-2", "pack_500")
    assert [tip(fan, f"t-{n}").status_code for n in range(2)] == [201, 201]
    refused = tip(fan, "t-2")
    assert refused.status_code == 429
    body = refused.json()["error"]
    assert (body["code"], body["limit"]) == ("rate_limited", "money")
    wait_s = int(refused.headers["Retry-After"])
    assert 1 <= wait_s <= 2 and body["retry_after_seconds"] == wait_s
    assert tip(other, "o-1").status_code == 201  # another fan's budget is theirs
    head = api.head()
    wallet = fan.get("/api/wallet", params={"min_position": head}).json()
    assert wallet["balance_tokens"] == 1_000  # two tips, not three

    time.sleep(wait_s)
    retried = tip(fan, "t-2")
    assert retried.status_code == 201
    assert tip(fan, "t-2").json()["tip_id"] == retried.json()["tip_id"]  # the key: once
    head = api.head()
    assert fan.get("/api/wallet", params={"min_position": head}).json()["balance_tokens"] == 900
    tips = [t for t in fan.get("/api/wallet/transactions").json()["transactions"]
            if t["kind"] == "tip"]
    assert len(tips) == 3
    finance = api.as_user("fin-1", "finance")
    assert finance.get("/api/finance/trial-balance",
                       params={"min_position": head}).json()["balanced"] is True

    # The per-minute window holds after the per-second one has room again.
    time.sleep(1)
    assert tip(fan, "t-3").json()["error"]["limit"] == "money"

    admin = api.as_user("adm-1", "admin")
    refused_most = admin.get("/api/admin/limits").json()
    assert refused_most["refused"][0]["who"] == "user:fan-1"
    assert refused_most["refused"][0]["limit"] == "money"
    assert refused_most["limits"]["money"] == "2/second;4/minute"
    assert fan.get("/api/admin/limits").status_code == 403


@pytest.mark.settings(rate_limit_reads="5/minute")
def test_one_fan_flooding_reads_leaves_another_fan_alone(api) -> None:
    flooder, quiet = api.as_user("fan-1", "fan"), api.as_user("fan-2", "fan")
    codes = [flooder.get("/api/wallet").status_code for _ in range(30)]
    assert codes[:5] == [200] * 5 and set(codes[5:]) == {429}
    assert [quiet.get("/api/wallet").status_code for _ in range(5)] == [200] * 5
    assert httpx.get(f"{api.base}/healthz").status_code == 200  # never limited


@pytest.mark.settings(rate_limit_per_address="8/minute")
def test_an_address_without_a_user_has_a_budget(api) -> None:
    codes = [httpx.get(f"{api.base}/api/tokens/packs").status_code for _ in range(10)]
    assert codes.count(200) == 8 and codes[-1] == 429


@pytest.mark.settings(rate_limits_enabled=False)
def test_limits_can_be_off(api) -> None:
    fan = api.as_user("fan-1", "fan")
    assert {fan.get("/api/wallet").status_code for _ in range(50)} == {200}
    assert api.as_user("adm-1", "admin").get("/api/admin/limits").json()["limits"][
        "enabled"] is False
