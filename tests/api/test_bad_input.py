"""Input no handler should ever see: refused at once with a clear 4xx, and nothing written."""

import time

import httpx


def test_nul_in_query_path_or_json_body_is_refused_and_writes_nothing(api) -> None:
    fan = api.as_user("fan-1", "fan")
    head = api.head()
    attempts = [
        fan.get("/api/models", params={"category": "\x00"}),
        fan.get("/api/models/abc%00def"),
        fan.post("/api/reports", content=b'{"target_kind": "creator", "target_id": "c\\u0000",'
                 b' "creator_id": "c", "category": "spam", "text": "x"}',
                 headers={"content-type": "application/json"}),
        fan.post("/api/tips", content=b'{"creator_id": "c\x00", "amount_tokens": 5}',
                 headers={"content-type": "application/json"}),
    ]
    for response in attempts:
        assert response.status_code == 422
        assert response.json()["error"]["code"] == "invalid_request"
    assert api.head() == head
    # An escaped backslash before "u0000" is ordinary text, not a NUL.
    ok = httpx.get(f"{api.base}/api/models", params={"q": "\\u0000"})
    assert ok.status_code == 200


def test_a_position_beyond_the_ledger_is_refused_at_once_not_waited_on(api) -> None:
    fan = api.as_user("fan-1", "fan")
    for far in (api.head() + 1_000, 2**63 - 1):
        started = time.monotonic()
        response = fan.get("/api/wallet", params={"min_position": far})
        assert time.monotonic() - started < 1
        assert response.status_code == 422
        assert response.json()["error"]["code"] == "position_not_recorded"
    for overflow in (2**63, 2**64 + 7, -1):
        response = api.as_user("adm", "admin").get("/api/admin/reports",
                                                   params={"min_position": overflow})
        assert response.status_code == 422 and response.json()["error"]["code"] == "invalid_request"


def test_every_read_of_a_read_model_takes_min_position(api) -> None:
    """Read-your-writes is promised for any read: each of these answers from projections."""
    staff = api.as_user("adm-1", "admin", "finance")
    persona = "00000000-0000-0000-0000-000000000001"
    for path in ("/api/models", f"/api/models/{persona}", f"/api/models/{persona}/ppv",
                 "/api/admin/stats", "/api/admin/creators/creator-1",
                 "/api/admin/wallets/frozen"):
        response = staff.get(path, params={"min_position": api.head() + 1})
        assert response.status_code == 422, path
        assert response.json()["error"]["code"] == "position_not_recorded", path
