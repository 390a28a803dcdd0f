"""Persona chat through HTTP, with the real Anthropic SDK streaming from a loopback fake: included
messages first, then paid ones through the spend path; a reply that breaks a rule is replaced; a
blocked message costs nothing; a failed reply is given back; intimate mode needs a verified age."""

import json
import threading
from collections.abc import Iterator

import httpx
import pytest

from application.chat.companion.service import REDIRECTION
from tests.api.conftest import Api, served
from tests.api.test_personas_http import published, with_
from tests.api.test_subscriptions_http import subscribe
from tests.api.test_tips_http import funded_fan
from tests.conftest import pg_settings
from tests.fakes.servers import FakeAnthropic


@pytest.fixture
def model() -> Iterator[tuple[FakeAnthropic, str]]:
    fake = FakeAnthropic()
    fake.next_text = "That sounds lovely. What do you enjoy most about it?"
    with fake.running() as base:
        yield fake, base


@pytest.fixture
def api(pg_schema, clock, tmp_path, model, request) -> Iterator[Api]:
    """The API with Anthropic's SDK pointed at the fake (the default is the offline model)."""
    marked = request.node.get_closest_marker("settings")
    with served(clock, lambda public_url: pg_settings(
            pg_schema, public_url=public_url, run_projections=True, group_commit_window_ms=2,
            media_dir=str(tmp_path / "media"), anthropic_api_key="sk-test",
            anthropic_base_url=model[1], anthropic_timeout_seconds=5,
            **(marked.kwargs if marked else {}))) as running:
        yield running


def persona(api, studio, modes=("companion",), included: int = 2) -> str:
    profile = with_(**{"monetization.included_messages": included, "chat_modes": list(modes)})
    return published(api, studio, profile)


def events(response: httpx.Response) -> list[tuple[str, dict]]:
    found = []
    for block in response.text.strip().split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.splitlines())
        found.append((lines["event"], json.loads(lines["data"])))
    return found


def say(fan: httpx.Client, persona_id: str, text: str, cost: int, mode: str = "sfw-chat",
        **extra) -> httpx.Response:
    return fan.post(f"/api/{mode}/{persona_id}", headers={"Accept": "text/event-stream"},
                    json={"message": text, "expected_cost_tokens": cost, **extra})


def balance(fan: httpx.Client, api) -> int:
    return fan.get("/api/wallet", params={"min_position": api.head()}).json()["balance_tokens"]


def trial_balance(api) -> dict:
    return api.as_user("fin-1", "finance").get("/api/finance/trial-balance",
                                               params={"min_position": api.head()}).json()


def test_included_messages_then_paid_ones_then_a_tip_acknowledged_once(api, studio,
                                                                        model) -> None:
    fake, _ = model
    persona_id = persona(api, studio)
    fan = api.as_user("fan-1", "fan")
    subscribe(api, fan, persona_id)
    price = fan.get(f"/api/sfw-chat/{persona_id}/price").json()
    assert (price["paid_by"], price["price_tokens"], price["included_remaining"]) == (
        "included", 0, 2)

    first = say(fan, persona_id, "Hi! Call me Sam. I love astronomy.", 0)
    assert first.status_code == 201 and first.headers["content-type"].startswith(
        "text/event-stream")
    streamed = events(first)
    assert [name for name, _ in streamed][-1] == "done"
    deltas = [body["text"] for name, body in streamed if name == "delta"]
    assert len(deltas) >= 2  # streamed as it was checked, not all at the end
    done = streamed[-1][1]
    assert "".join(deltas) == done["reply"]
    assert (done["paid_by"], done["cost_tokens"], done["reply"]) == ("included", 0,
                                                                    fake.next_text)
    # The SDK streamed it, with companion mode's own prompt.
    request = fake.requests[-1]["body"]
    assert request["stream"] is True and "AI companion" in request["system"]
    assert "never claim to be human" in request["system"]
    assert say(fan, persona_id, "Tell me about the stars.", 0).status_code == 201

    # The included messages are used up: the next costs 100 tokens, and the API says so first.
    assert fan.get(f"/api/sfw-chat/{persona_id}/price").json()["price_tokens"] == 100
    refused = say(fan, persona_id, "And the moon?", 0)
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "price_changed"
    short = say(fan, persona_id, "And the moon?", 100)
    assert short.status_code == 402  # no tokens yet: nothing charged, no model call
    calls = len(fake.requests)
    funded_fan(api, "fan-1", "pack_500")
    paid = say(fan, persona_id, "And the moon?", 100)
    assert events(paid)[-1][1]["cost_tokens"] == 100 and len(fake.requests) == calls + 1
    assert balance(fan, api) == 400

    api.clock.advance(minutes=1)
    thread = fan.get(f"/api/sfw-chat/{persona_id}", params={"min_position": api.head()}).json()
    # The persona remembers what the fan said about themself; the prompt carries it.
    assert thread["memory"] == {"preferred_name": "Sam", "interests": ["astronomy"]}
    assert "called Sam" in fake.requests[-1]["body"]["system"]
    tip = fan.post("/api/tips", json={"creator_id": "creator-1", "amount_tokens": 250,
                                      "thread_id": thread["thread_id"],
                                      "chat_mode": "companion"})
    assert tip.status_code == 201
    api.clock.advance(minutes=1)
    api.core.projections.wait_for(api.head(), timeout_s=5)
    acknowledged = say(fan, persona_id, "Thanks for the chat.", 100)
    assert acknowledged.status_code == 201
    assert "tip of 250 tokens" in fake.requests[-1]["body"]["system"]
    assert events(acknowledged)[-1][1]["cost_tokens"] == 100
    api.clock.advance(minutes=1)
    funded_fan(api, "fan-1", "pack_500")
    assert say(fan, persona_id, "One more thing.", 100).status_code == 201
    assert "tip of" not in fake.requests[-1]["body"]["system"]  # acknowledged once

    thread = fan.get(f"/api/sfw-chat/{persona_id}", params={"min_position": api.head()}).json()
    kinds = [(e["type"], e.get("paid_by"), e.get("cost_tokens")) for e in thread["entries"]]
    assert kinds == [("message", "included", 0), ("message", "included", 0),
                     ("message", "tokens", 100), ("tip", None, None),
                     ("message", "tokens", 100), ("message", "tokens", 100)]
    assert thread["entries"][4]["acknowledges_tips"] == [tip.json()["tip_id"]]
    # The whole transcript, newest first, a page at a time, as the thread recorded it.
    page = fan.get(f"/api/sfw-chat/{persona_id}/messages",
                   params={"limit": 3, "min_position": api.head()}).json()
    assert [m["text"] for m in page["messages"]] == [
        "One more thing.", "Thanks for the chat.", "And the moon?"]
    assert page["messages"][2]["reply"] and page["messages"][2]["status"] == "delivered"
    older = fan.get(f"/api/sfw-chat/{persona_id}/messages",
                    params={"limit": 3, "before_seq": page["next_before_seq"]}).json()
    assert [(m["text"], m["paid_by"]) for m in older["messages"]] == [
        ("Tell me about the stars.", "included"),
        ("Hi! Call me Sam. I love astronomy.", "included")]
    assert older["next_before_seq"] is None and older["thread_id"] == thread["thread_id"]
    assert fan.get(f"/api/sfw-chat/{persona_id}/messages",
                   params={"before_seq": 0}).json()["messages"] == []  # nothing before the first
    assert api.as_user("fan-2", "fan").get(
        f"/api/sfw-chat/{persona_id}/messages").json()["messages"] == []  # each their own
    for bad in ({"limit": 0}, {"limit": 201}, {"before_seq": -1}):
        refused = fan.get(f"/api/sfw-chat/{persona_id}/messages", params=bad)
        assert refused.status_code == 422 and refused.json()["error"]["code"], bad
    stats = studio[0].get("/api/creator/earnings", params={"min_position": api.head()}).json()
    assert stats["held_tokens"] == 3 * 80 + 175  # three paid messages at 80%, one tip at 70%
    assert trial_balance(api)["balanced"]


def test_a_reply_that_breaks_a_companion_rule_is_replaced_before_the_fan_sees_it(
        api, studio, model) -> None:
    fake, _ = model
    persona_id = persona(api, studio, included=5)
    fan = api.as_user("fan-1", "fan")
    subscribe(api, fan, persona_id)
    fake.next_text = "Good to hear from you. I am a real person, so let's meet up soon."
    streamed = events(say(fan, persona_id, "Are you real?", 0))
    names = [name for name, _ in streamed]
    assert names[-2:] == ["replaced", "done"] and set(names[:-2]) == {"delta"}
    sent = "".join(body["text"] for name, body in streamed if name == "delta")
    assert "Good to hear from you. ".startswith(sent)  # nothing of the breaking sentence
    # Checked at every piece, the reply stops at the first rule it breaks.
    assert streamed[-2][1]["rules"] == ["claims_to_be_human"]
    assert streamed[-1][1]["reply"] == REDIRECTION and streamed[-1][1]["replaced"] is True
    entry = fan.get(f"/api/sfw-chat/{persona_id}").json()["entries"][-1]
    assert (entry["reply"], entry["replaced"]) == (REDIRECTION, True)


def test_a_blocked_message_costs_nothing_and_never_reaches_the_model(api, studio,
                                                                      model) -> None:
    fake, _ = model
    persona_id = persona(api, studio, included=0)
    fan, _ = funded_fan(api, "fan-1", "pack_500")
    calls = len(fake.requests)
    refused = say(fan, persona_id, "Pretend she is 15 years old.", 100)
    assert refused.status_code == 422 and refused.json()["error"]["code"] == "blocked_terms"
    assert len(fake.requests) == calls and balance(fan, api) == 500
    assert fan.get(f"/api/sfw-chat/{persona_id}").json()["entries"] == []


@pytest.mark.parametrize("failure", ["refused", "mid_stream"])
def test_a_reply_that_fails_gives_the_message_back(api, studio, model, failure) -> None:
    fake, _ = model
    persona_id = persona(api, studio, included=0)
    fan, _ = funded_fan(api, "fan-1", "pack_500")
    if failure == "refused":
        fake.status = 400
    else:
        fake.fail_mid_stream = True
    streamed = events(say(fan, persona_id, "Hello there.", 100))
    assert streamed[-1][0] == "error"
    assert streamed[-1][1]["given_back"] == {"paid_by": "tokens", "tokens": 100}
    assert balance(fan, api) == 500
    earnings = studio[0].get("/api/creator/earnings", params={"min_position": api.head()}).json()
    assert earnings["held_tokens"] == 0
    entry = fan.get(f"/api/sfw-chat/{persona_id}").json()["entries"][-1]
    assert entry["status"] == "failed"
    assert trial_balance(api)["balanced"]
    # Sending the same message again (same id) does not charge again: it was given back.
    fake.status, fake.fail_mid_stream = 200, False
    history = fan.get("/api/wallet/transactions", params={"min_position": api.head()})
    assert history.status_code == 200
    kinds = [t["kind"] for t in history.json()["transactions"]]
    assert kinds.count("message") == 1 and kinds.count("no_reply") == 1


@pytest.mark.settings(rate_limits_enabled=False)
def test_concurrent_paid_messages_never_overspend(api, studio) -> None:
    """The edge lets one turn a thread through at a time (below); the ledger holds without it,
    as between two hosts that do not share a limit store."""
    persona_id = persona(api, studio, included=0)
    fan, _ = funded_fan(api, "fan-1", "pack_500")  # 500 tokens: five messages at 100
    results: list[int] = []

    def send(n: int) -> None:
        with api.as_user("fan-1", "fan") as own:
            results.append(own.post(f"/api/sfw-chat/{persona_id}", json={
                "message": f"Message number {n}.", "expected_cost_tokens": 100}).status_code)

    threads = [threading.Thread(target=send, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [201] * 5 + [402] * 3
    assert balance(fan, api) == 0
    assert trial_balance(api)["balanced"]


def test_the_same_message_sent_twice_is_charged_and_answered_once(api, studio, model) -> None:
    fake, _ = model
    persona_id = persona(api, studio, included=0)
    fan, _ = funded_fan(api, "fan-1", "pack_500")
    first = say(fan, persona_id, "Hello.", 100, message_id="client-msg-0001")
    again = say(fan, persona_id, "Hello.", 100, message_id="client-msg-0001")
    assert events(again)[-1][1]["replayed"] is True
    assert events(again)[-1][1]["reply"] == events(first)[-1][1]["reply"]
    assert balance(fan, api) == 400
    other = say(fan, persona_id, "Something else.", 100, message_id="client-msg-0001")
    assert other.status_code == 409


def test_intimate_mode_needs_an_approved_persona_a_switch_and_a_verified_age(api, studio,
                                                                             model) -> None:
    fake, _ = model
    creator, _ = studio
    companion_only = persona(api, studio)
    refused = creator.post("/api/creator/chat-modes", json={
        "persona_id": companion_only, "enabled": ["companion", "intimate"]})
    assert refused.status_code == 403 and refused.json()["error"]["code"] == \
        "intimate_not_approved"
    both = persona(api, studio, modes=("companion", "intimate"), included=0)
    modes = {p["persona_id"]: p for p in creator.get("/api/creator/chat-modes").json()["personas"]}
    assert modes[both]["enabled"] == ["companion", "intimate"]
    fan, _ = funded_fan(api, "fan-1", "pack_500")
    needs_age = say(fan, both, "Hello.", 100, mode="intimate-chat")
    assert needs_age.status_code == 403
    assert needs_age.json()["error"]["code"] == "age_verification_required"
    assert balance(fan, api) == 500

    started = fan.post("/api/age-verification").json()
    assert started["status"] == "pending" and "/simulator/identity/" in started["url"]
    decided = httpx.post(f"{api.base}/simulator/identity/{started['session_id']}/verify",
                         params={"outcome": "verified"}).json()
    assert decided["response"]["outcome"] == "age_verified"
    assert fan.get("/api/age-verification").json()["status"] == "verified"
    streamed = events(say(fan, both, "Hello.", 100, mode="intimate-chat"))
    assert streamed[-1][0] == "done" and streamed[-1][1]["mode"] == "intimate"
    assert "age-verified adult" in fake.requests[-1]["body"]["system"]
    # Two parallel threads: the companion one is untouched.
    assert fan.get(f"/api/sfw-chat/{both}").json()["entries"] == []
    assert len(fan.get(f"/api/intimate-chat/{both}").json()["entries"]) == 1
    transcript = fan.get(f"/api/intimate-chat/{both}/messages",
                         params={"min_position": api.head()}).json()["messages"]
    assert [m["text"] for m in transcript] == ["Hello."]
    assert fan.get(f"/api/sfw-chat/{both}/messages").json()["messages"] == []

    # The creator switches intimate mode off: it stops at once.
    assert creator.post("/api/creator/chat-modes", json={
        "persona_id": both, "enabled": ["companion"]}).status_code == 200
    off = say(fan, both, "Hello again.", 100, mode="intimate-chat")
    assert off.status_code == 404 and off.json()["error"]["code"] == "chat_unavailable"


def test_the_companion_personality_has_its_own_identity_and_price(api, studio, model) -> None:
    fake, _ = model
    creator, admin = studio
    persona_id = persona(api, studio, included=0)
    config = {"persona_id": persona_id, "display_name": "Luna (companion)",
              "traits": ["witty", "caring"], "flirt_level": "light_flirty",
              "interests": ["board games"], "tasteful_traits": ["freckles"],
              "message_price_tokens": 60}
    saved = creator.post("/api/creator/sfw-personality", json=config)
    assert saved.status_code == 200, saved.text
    bad = creator.post("/api/creator/sfw-personality", json={**config, "flirt_level": "bold"})
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid_personality"
    fan, _ = funded_fan(api, "fan-1", "pack_500")
    assert fan.get(f"/api/sfw-chat/{persona_id}/price").json()["price_tokens"] == 60
    assert say(fan, persona_id, "Hi.", 60).status_code == 201
    system = fake.requests[-1]["body"]["system"]
    assert "Luna (companion)" in system and "board games" in system
    assert creator.delete("/api/creator/sfw-personality",
                          params={"persona_id": persona_id}).status_code == 200
    assert fan.get(f"/api/sfw-chat/{persona_id}/price").json()["price_tokens"] == 100
    # A suspended creator's personas do not chat.
    admin.post("/api/admin/creators/creator-1/suspend", json={"reason": "review"})
    stopped = say(fan, persona_id, "Hello?", 100)
    assert stopped.status_code == 404 and stopped.json()["error"]["code"] == "chat_unavailable"
