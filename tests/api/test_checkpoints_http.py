"""Checkpoints published over HTTP for anyone to mirror; a creator's export downloaded by
finance and verified by the standalone verifier; bad requests refused with their codes."""

import base64
import json

import httpx

from tests.api.test_tips_http import funded_fan
from tools.lyra_verify import verify


def test_checkpoints_are_public_and_extend_each_other(api) -> None:
    assert httpx.get(f"{api.base}/api/ledger/checkpoints/latest").json()["error"]["code"] == \
        "checkpoint_not_found"
    funded_fan(api)
    assert api.as_user("fan-1", "fan").post("/api/ledger/checkpoints").status_code == 403
    finance = api.as_user("fin-1", "finance")
    first = finance.post("/api/ledger/checkpoints").json()
    funded_fan(api, "fan-2")
    second = finance.post("/api/ledger/checkpoints").json()
    assert (first["sequence"], second["sequence"]) == (1, 2)
    listed = httpx.get(f"{api.base}/api/ledger/checkpoints").json()
    assert [c["sequence"] for c in listed["checkpoints"]] == [2, 1]
    assert listed["public_key"]["algorithm"] == "Ed25519"
    mirrored = httpx.get(f"{api.base}/api/ledger/checkpoints.jsonl").text.splitlines()
    assert [json.loads(line)["root_hash"] for line in mirrored] == \
        [first["root_hash"], second["root_hash"]]
    proof = httpx.get(f"{api.base}/api/ledger/checkpoints/consistency",
                      params={"first": first["tree_size"], "second": second["tree_size"]}).json()
    assert (proof["first_root"], proof["second_root"]) == (first["root_hash"],
                                                           second["root_hash"])
    bad = httpx.get(f"{api.base}/api/ledger/checkpoints/consistency",
                    params={"first": second["tree_size"], "second": first["tree_size"]})
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid_checkpoint_range"


def test_finance_downloads_an_export_the_verifier_accepts(api, tmp_path) -> None:
    api.as_user("adm", "admin").post("/api/admin/creators",
                                     json={"user_id": "creator-1", "display_name": "Luna"})
    fan, _ = funded_fan(api)
    for _ in range(3):
        assert fan.post("/api/tips/send", json={"creator_id": "creator-1",
                                                "amount_tokens": 100}).status_code == 201
    auditor = api.as_user("aud-1", "auditor")
    response = auditor.get("/api/audit/export", params={"creator_id": "creator-1"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/zip"
    assert "attachment" in response.headers["content-disposition"]
    path = tmp_path / "export.zip"
    path.write_bytes(response.content)
    key = base64.b64decode(httpx.get(f"{api.base}/api/ledger/public-key").json()["public_key"])
    report = verify(str(path), key)
    assert report["agrees"], report["first_discrepancy"]
    assert report["checked"]["holds"] == 3
    assert fan.get("/api/audit/export", params={"creator_id": "creator-1"}).status_code == 403
    wallet = auditor.get("/api/audit/export", params={"fan_id": "fan-1"})
    path.write_bytes(wallet.content)
    report = verify(str(path), key)
    assert report["agrees"] and report["checked"]["wallet"]["spent_tokens"] == 300
    both = auditor.get("/api/audit/export", params={"fan_id": "fan-1", "creator_id": "c"})
    assert both.status_code == 422 and both.json()["error"]["code"] == "invalid_request"
    unknown = auditor.get("/api/audit/export", params={"creator_id": "nobody"})
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "unknown_creator"
    early = auditor.get("/api/audit/export", params={"creator_id": "creator-1",
                                                     "until": "2001-01-01T00:00:00Z"})
    assert early.status_code == 422 and early.json()["error"]["code"] == "before_first_event"
