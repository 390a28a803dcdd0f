"""From sign-up to approved through the API alone, then moderation, all in the audit log."""

import httpx
import pytest


def onboard(api, user_id: str = "creator-9") -> httpx.Client:
    """Drive the five steps through HTTP; returns the creator's client, submitted for review."""
    me = api.as_user(user_id, "creator")
    assert me.get("/api/creator/onboarding").json()["status"] == "not_started"
    step = me.put("/api/creator/onboarding", json={"display_name": "Nova",
                                                   "account_type": "individual"}).json()
    assert step["next_step"] == "identity"
    step = me.put("/api/creator/onboarding", json={"identity": {
        "legal_name": "Ada Lovelace", "date_of_birth": "1990-02-03", "country": "gb"}}).json()
    assert step["next_step"] == "stripe_connect"
    connect = me.post("/api/creator/stripe-connect").json()
    assert connect["account_id"].startswith("acct_sim_")
    assert httpx.post(f"{api.base}/simulator/connect/{connect['account_id']}/complete").json()[
        "response"]["outcome"] == "stripe_status_recorded"
    texts = me.get("/api/creator/declarations").json()["declarations"]
    assert len(texts) == 5
    step = me.put("/api/creator/onboarding", json={"declarations": [
        {"kind": t["kind"], "version": t["version"], "text_sha256": t["sha256"]} for t in texts],
        "submit": True}).json()
    assert step["status"] == "submitted" and step["next_step"] is None
    assert step["stripe"]["charges_enabled"] is True
    return me


def test_signup_to_approved_and_paid_through_the_api(api) -> None:
    onboard(api)
    admin = api.as_user("adm-1", "admin")
    queue = admin.get("/api/admin/creators", params={"min_position": api.head()}).json()["creators"]
    assert [c["creator_id"] for c in queue] == ["creator-9"]
    assert queue[0]["payouts_enabled"] and len(queue[0]["declarations"]) == 5
    assert admin.get("/api/admin/stats").json()["pending_creators"] == 1
    assert admin.post("/api/admin/creators/creator-9/approve",
                      json={"reason": "documents verified"}).json()["status"] == "approved"
    fan = api.as_user("fan-1", "fan")
    session = fan.post("/api/tokens/checkout", json={"pack_sku": "pack_500"}).json()
    httpx.post(f"{api.base}/simulator/checkout/{session['checkout_session_id']}/pay")
    assert fan.post("/api/tips", json={"creator_id": "creator-9",
                                       "amount_tokens": 100}).status_code == 201
    audit = admin.get("/api/admin/audit", params={"creator_id": "creator-9",
                                                  "min_position": api.head()}).json()["entries"]
    actions = [(e["action"], e["actor"]) for e in reversed(audit)]
    assert ("Creator.Started", "creator-9") in actions
    assert ("Declaration.Signed", "creator-9") in actions
    assert ("Creator.Approved", "adm-1") in actions
    assert ("Tip.Sent", "fan-1") in actions
    signed = [e for e in audit if e["action"] == "Declaration.Signed"]
    assert all(len(e["details"]["text_sha256"]) == 64 and e["details"]["ip"] for e in signed)


def test_an_unapproved_creator_cannot_receive_tips(api) -> None:
    onboard(api)
    fan = api.as_user("fan-1", "fan")
    session = fan.post("/api/tokens/checkout", json={"pack_sku": "pack_500"}).json()
    httpx.post(f"{api.base}/simulator/checkout/{session['checkout_session_id']}/pay")
    head = api.head()
    response = fan.post("/api/tips", json={"creator_id": "creator-9", "amount_tokens": 100})
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "creator_cannot_receive"
    assert api.head() == head


def test_an_admin_cannot_approve_themselves(api) -> None:
    onboard(api, "adm-2")
    self_admin = api.as_user("adm-2", "admin", "creator")
    head = api.head()
    response = self_admin.post("/api/admin/creators/adm-2/approve", json={"reason": "me"})
    assert response.status_code == 403 and response.json()["error"]["code"] == "self_moderation"
    assert api.head() == head


@pytest.mark.parametrize("body, status, code", [
    ({"display_name": "Kid", "identity": {"legal_name": "Kid Person", "date_of_birth": "2015-01-01",
                                          "country": "GB"}}, 422, "underage"),
    ({"display_name": "X", "account_type": "charity"}, 422, "invalid_request"),
    ({"account_type": "individual"}, 422, "invalid_onboarding_data"),  # no display name yet
    ({"display_name": "X", "submit": True}, 409, "onboarding_incomplete"),
    ({"display_name": "X", "declarations": [{"kind": "age_18_plus", "version": 1,
                                             "text_sha256": "0" * 64}]}, 409,
     "declaration_mismatch"),
])
def test_bad_onboarding_input_is_refused_and_writes_nothing(api, body, status, code) -> None:
    head = api.head()
    response = api.as_user("new-1", "fan").put("/api/creator/onboarding", json=body)
    assert response.status_code == status and response.json()["error"]["code"] == code
    assert api.head() == head


def test_reject_then_fix_and_resubmit(api) -> None:
    me = onboard(api)
    admin = api.as_user("adm-1", "admin")
    assert admin.post("/api/admin/creators/creator-9/reject", json={"reason": ""}).status_code == 422
    admin.post("/api/admin/creators/creator-9/reject", json={"reason": "name mismatch"})
    view = me.get("/api/creator/onboarding", params={"min_position": api.head()}).json()
    assert view["status"] == "rejected" and view["review_reason"] == "name mismatch"
    view = me.put("/api/creator/onboarding", json={"identity": {
        "legal_name": "Ada King", "date_of_birth": "1990-02-03", "country": "GB"},
        "submit": True}).json()
    assert view["status"] == "submitted"


def test_reports_strikes_appeals_and_suspension(api) -> None:
    admin = api.as_user("adm-1", "admin")
    admin.post("/api/admin/creators", json={"user_id": "creator-1", "display_name": "Luna"})
    reporter = api.as_user("fan-7", "fan")
    report_ids = []
    for n in range(3):
        created = reporter.post("/api/reports", json={
            "target_kind": "persona", "target_id": f"persona-{n}", "creator_id": "creator-1",
            "category": "spam", "text": f"repeated spam messages {n}"})
        assert created.status_code == 201
        report_ids.append(created.json()["report_id"])
    assert reporter.post("/api/reports", json={"target_kind": "persona", "target_id": "p",
                                               "creator_id": "creator-1", "category": "bad",
                                               "text": "x"}).status_code == 422
    queue = admin.get("/api/admin/reports", params={"min_position": api.head()}).json()["reports"]
    assert len(queue) == 3 and admin.get("/api/admin/stats").json()["open_reports"] == 3

    first = admin.post(f"/api/admin/reports/{report_ids[0]}/resolve",
                       json={"resolution": "strike", "note": "confirmed"}).json()
    assert first["active_strikes"] == 1 and not first["suspended"]
    admin.post(f"/api/admin/reports/{report_ids[1]}/resolve", json={"resolution": "warn"})
    strike_id = first["entries"][0]["strike_id"]
    appealed = admin.post(f"/api/admin/creators/creator-1/strikes/{strike_id}/revoke",
                          json={"reason": "appeal upheld"}).json()
    assert appealed["active_strikes"] == 0
    for _ in range(2):
        admin.post("/api/admin/creators/creator-1/strikes", json={"severity": "strike",
                                                                  "reason": "spam"})
    third = admin.post(f"/api/admin/reports/{report_ids[2]}/resolve",
                       json={"resolution": "strike"}).json()
    assert third["active_strikes"] == 3 and third["suspended"] is True
    again = admin.post(f"/api/admin/reports/{report_ids[2]}/resolve", json={"resolution": "dismiss"})
    assert again.status_code == 409

    fan = api.as_user("fan-1", "fan")
    tip = fan.post("/api/tips", json={"creator_id": "creator-1", "amount_tokens": 1})
    assert tip.json()["error"]["code"] in ("creator_cannot_receive", "insufficient_funds")
    audit = admin.get("/api/admin/audit", params={"kind": "Creator.Suspended",
                                                  "min_position": api.head()}).json()["entries"]
    assert audit[0]["actor"] == "adm-1" and audit[0]["details"]["source"] == "strike_policy"
    assert admin.post("/api/admin/creators/creator-1/reinstate").json()["suspended"] is False


def test_moderation_routes_need_the_admin_role(api) -> None:
    fan = api.as_user("fan-1", "fan")
    for method, path in (("get", "/api/admin/stats"), ("get", "/api/admin/creators"),
                         ("post", "/api/admin/creators/x/approve"), ("get", "/api/admin/reports"),
                         ("post", "/api/admin/creators/x/strikes"), ("get", "/api/admin/audit")):
        response = getattr(fan, method)(path, **({"json": {"reason": "r", "severity": "strike"}}
                                                 if method == "post" else {}))
        assert response.status_code == 403, path
    assert api.as_user("aud-1", "auditor").get("/api/admin/audit").status_code == 200
