"""Auditors verify the hash chain over HTTP and get the head hash to publish."""

from tests.api.test_tips_http import funded_fan


def test_auditor_verifies_the_chain_and_gets_the_head_hash(api) -> None:
    funded_fan(api, "fan-1", "pack_500")
    auditor = api.as_user("aud-1", "auditor")
    report = auditor.get("/api/audit/verify").json()
    assert report["intact"] and report["verified_events"] == api.head()
    assert len(report["head_hash"]) == 64 and report["head_position"] == api.head()
    assert api.as_user("fan-1", "fan").get("/api/audit/verify").status_code == 403
