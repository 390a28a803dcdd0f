"""The three outcomes through HTTP, with Anthropic's SDK streaming from the loopback fake.

Personas: what the rules send to review is shown to the reviewer, approving needs its
acknowledgement (recorded); the model's finding of a minor at the gate needs a second admin.
Chat: a message sent to review reaches the model with a note and lands in the moderation queue;
the model's rating at the gate refuses the turn and gives the paid message back (nothing lost,
nothing charged twice); an unreadable rating leaves the rules' outcome and the reply stands."""

import json

import pytest

from tests.api import test_chat_http as chat
from tests.api.test_chat_http import balance, events, persona, say, trial_balance
from tests.api.test_personas_http import PROFILE, with_
from tests.api.test_tips_http import funded_fan

# The chat tests' fixtures: the API with Anthropic's SDK pointed at the loopback fake.
api, model = chat.api, chat.model

CLEAN = '[[safety {"minor": 0.01, "non_consent": 0.02}]]\n'
REPLY = "That sounds lovely. What do you enjoy most about it?"
COVERT = "A quiet photographer. He set up a camera in her bathroom and she has no idea."


def queued(api, admin):  # type: ignore[no-untyped-def]
    return admin.get("/api/admin/models", params={"min_position": api.head()}).json()["models"]


def test_review_findings_are_shown_and_approving_needs_an_acknowledgement(api, studio,
                                                                          model) -> None:
    fake, _ = model
    fake.next_text = json.dumps({"categories": [], "spans": [], "confidence": 0.1,
                                 "summary": "Nothing stands out."})
    creator, admin = studio
    created = creator.post("/api/creator/models", json=with_(**{"persona.backstory": COVERT}))
    assert created.status_code == 201  # review is not block: the draft is saved
    persona_id = created.json()["id"]
    assert creator.post(f"/api/creator/models/{persona_id}/submit").status_code == 200
    [entry] = queued(api, admin)
    findings = entry["review_findings"]
    assert findings and all(
        (f["outcome"], f["category"], f["layer"], f["language"], f["field"]) ==
        ("review", "non_consensual", "tables", "en", "persona.backstory") for f in findings)
    assert all("camera" in f["span"] for f in findings) and entry["second_review"] is None

    refused = admin.post(f"/api/admin/models/{persona_id}/approve", json={"reason": "ok"})
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "acknowledgement_required"
    assert queued(api, admin)[0]["review"] == "submitted"  # nothing was written
    approved = admin.post(f"/api/admin/models/{persona_id}/approve",
                          json={"reason": "a thriller; nothing shown", "acknowledge_findings": True})
    assert approved.json() == {"id": persona_id, "review": "approved",
                               "awaiting_second_reviewer": False}
    audit = api.as_user("adm-1", "admin").get(
        "/api/admin/audit", params={"min_position": api.head(), "actor": "adm-1"}).json()
    assert "FindingsAcknowledged" in json.dumps(audit)


def test_the_models_finding_of_a_minor_needs_a_second_admin(api, studio, model) -> None:
    fake, _ = model
    fake.next_text = json.dumps({
        "categories": ["underage"], "confidence": 0.9, "summary": "The backstory reads young.",
        "spans": [{"field": "persona.backstory", "quote": "maps the night sky",
                   "category": "underage"}]})
    creator, admin = studio
    persona_id = creator.post("/api/creator/models", json=PROFILE).json()["id"]
    creator.post(f"/api/creator/models/{persona_id}/submit")
    [entry] = queued(api, admin)
    assert entry["second_review"] == {"categories": ["underage"], "confidence": 0.9,
                                      "threshold": 0.6}
    first = admin.post(f"/api/admin/models/{persona_id}/approve", json={"reason": "fine"})
    assert first.json() == {"id": persona_id, "review": "submitted",
                            "awaiting_second_reviewer": True}
    again = admin.post(f"/api/admin/models/{persona_id}/approve", json={"reason": "fine"})
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "second_reviewer_required"
    assert queued(api, admin)[0]["first_approver"] == "adm-1"
    second = api.as_user("adm-2", "admin").post(f"/api/admin/models/{persona_id}/approve",
                                                 json={"reason": "agreed"})
    assert second.json()["review"] == "approved"


def flags(api):  # type: ignore[no-untyped-def]
    return api.as_user("adm-1", "admin").get(
        "/api/admin/reports/chat-flags", params={"min_position": api.head()}).json()["flags"]


def published_with_a_clean_opinion(api, studio, fake) -> str:  # type: ignore[no-untyped-def]
    fake.next_text = json.dumps({"categories": [], "spans": [], "confidence": 0.0,
                                 "summary": "Nothing stands out."})
    return persona(api, studio, included=0)


def test_a_message_sent_to_review_reaches_the_model_with_a_note_and_is_queued(
        api, studio, model) -> None:
    fake, _ = model
    persona_id = published_with_a_clean_opinion(api, studio, fake)
    fan, _ = funded_fan(api, "fan-1", "pack_500")
    fake.next_text = CLEAN + REPLY
    streamed = events(say(fan, persona_id, "Her mum does the school run every morning.", 100))
    assert streamed[-1][0] == "done" and streamed[-1][1]["reply"] == REPLY
    assert "[[safety" not in "".join(b.get("text", "") for _, b in streamed)
    system = fake.requests[-1]["body"]["system"]
    assert "flagged the fan's last message for review (underage)" in system
    assert "[[safety" in system  # asked to rate it, in the same request
    [flag] = flags(api)
    assert (flag["side"], flag["outcome"], flag["fan_id"]) == ("message", "review", "fan-1")
    assert flag["findings"][0]["rule"].startswith("en:childhood")
    assert balance(fan, api) == 400  # the turn went ahead and was charged once


@pytest.mark.parametrize("rating", ['{"minor": 0.92, "non_consent": 0.1}',
                                    '{"minor": 0.0, "non_consent": 0.8}'])
def test_a_rating_at_the_gate_refuses_the_turn_and_gives_it_back(api, studio, model,
                                                                 rating) -> None:
    fake, _ = model
    persona_id = published_with_a_clean_opinion(api, studio, fake)
    fan, _ = funded_fan(api, "fan-1", "pack_500")
    fake.next_text = f"[[safety {rating}]]\n{REPLY}"
    streamed = events(say(fan, persona_id, "A message the rules let through.", 100))
    assert [name for name, _ in streamed] == ["error"]  # not one word of the reply was sent
    error = streamed[-1][1]
    assert error["code"] == "message_refused"
    assert error["given_back"] == {"paid_by": "tokens", "tokens": 100}
    assert balance(fan, api) == 500
    entry = fan.get(f"/api/sfw-chat/{persona_id}").json()["entries"][-1]
    assert (entry["status"], entry["failure"]) == ("failed", "message_refused")
    [flag] = flags(api)
    assert flag["outcome"] == "refused" and flag["findings"][0]["layer"] == "model"
    assert trial_balance(api)["balanced"]
    kinds = [t["kind"] for t in fan.get("/api/wallet/transactions", params={
        "min_position": api.head()}).json()["transactions"]]
    assert kinds.count("message") == 1 and kinds.count("no_reply") == 1


def test_an_unreadable_rating_leaves_the_rules_outcome(api, studio, model) -> None:
    fake, _ = model
    persona_id = published_with_a_clean_opinion(api, studio, fake)
    fan, _ = funded_fan(api, "fan-1", "pack_500")
    fake.next_text = "[[safety {oops}]]\n" + REPLY
    streamed = events(say(fan, persona_id, "Tell me about your day.", 100))
    assert streamed[-1][0] == "done" and streamed[-1][1]["reply"] == REPLY
    assert flags(api) == []  # recorded in the thread's events, not queued
    assert balance(fan, api) == 400


def test_a_reply_sent_to_review_is_delivered_whole_and_queued(api, studio, model) -> None:
    fake, _ = model
    persona_id = published_with_a_clean_opinion(api, studio, fake)
    fan, _ = funded_fan(api, "fan-1", "pack_500")
    reply = "In my story the detective finds a hidden camera in the hotel room."
    fake.next_text = CLEAN + reply
    streamed = events(say(fan, persona_id, "Tell me a mystery story.", 100))
    assert streamed[-1][0] == "done" and streamed[-1][1]["reply"] == reply  # not cut
    [flag] = flags(api)
    assert (flag["side"], flag["outcome"]) == ("reply", "review")
    assert flag["findings"][0]["category"] == "non_consensual"


def test_a_reply_a_language_table_blocks_is_replaced(api, studio, model) -> None:
    """Not only the term list: an age a table reads, in German, never reaches the fan."""
    fake, _ = model
    persona_id = published_with_a_clean_opinion(api, studio, fake)
    fan, _ = funded_fan(api, "fan-1", "pack_500")
    fake.next_text = CLEAN + "Gern erzähle ich dir mehr. Ich bin 15 Jahre alt und mag Musik."
    streamed = events(say(fan, persona_id, "Erzähl mir von dir.", 100))
    sent = "".join(body.get("text", "") for name, body in streamed if name == "delta")
    assert "15" not in sent
    assert [name for name, _ in streamed][-2:] == ["replaced", "done"]
    assert "blocked:underage" in streamed[-2][1]["rules"]
