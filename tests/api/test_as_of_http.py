"""A creator's balances as of a moment, over HTTP: the replay worker answers, and the creator's
hold index is current for the moment asked about."""

import time
from datetime import UTC, datetime

from tests.api.test_tips_http import funded_fan


def test_as_of_now_sees_a_tip_just_sent_and_a_past_moment_does_not(api) -> None:
    admin = api.as_user("adm-1", "admin")
    admin.post("/api/admin/creators", json={"user_id": "creator-1", "display_name": "Luna"})
    fan, _ = funded_fan(api, "fan-1", "pack_500")
    time.sleep(0.01)
    before = datetime.now(UTC).isoformat()
    time.sleep(0.01)
    assert fan.post("/api/tips", json={"creator_id": "creator-1",
                                       "amount_tokens": 250}).status_code == 201
    auditor = api.as_user("aud-1", "auditor")
    now = auditor.get("/api/audit/as-of", params={
        "at": datetime.now(UTC).isoformat(), "creator_id": "creator-1", "fan_id": "fan-1"})
    assert now.status_code == 200, now.text
    assert now.json()["earnings"]["held_tokens"] == 175
    assert now.json()["wallet"]["balance_tokens"] == 250
    then = auditor.get("/api/audit/as-of", params={"at": before, "creator_id": "creator-1"})
    assert then.json()["earnings"]["held_tokens"] == 0
