"""As a fan on a fresh machine would run it (SQLite, the simulator, the offline model): subscribe,
chat within the included messages, pay for more, tip in the thread and be thanked once; verify
their age and do the same in intimate mode."""

import json
from collections.abc import Iterator

import httpx
import pytest

from application.settings import Settings
from tests.api.conftest import Api, served
from tests.api.test_personas_http import published, with_


@pytest.fixture
def fresh(tmp_path, clock) -> Iterator[Api]:
    with served(clock, lambda public_url: Settings(
            database_url=f"sqlite:///{tmp_path}/lyra.sqlite", environment="test",
            public_url=public_url, media_dir=str(tmp_path / "media"))) as running:
        yield running


def chat(fan: httpx.Client, path: str, text: str) -> dict:
    """Ask the price, agree to it, send, and read the streamed reply to its end."""
    price = fan.get(f"{path}/price").json()["price_tokens"]
    with fan.stream("POST", path, headers={"Accept": "text/event-stream"},
                    json={"message": text, "expected_cost_tokens": price}) as response:
        assert response.status_code == 201, response.read()
        blocks = response.read().decode().strip().split("\n\n")
    name, data = blocks[-1].splitlines()
    assert name == "event: done"
    return json.loads(data.removeprefix("data: "))


def test_subscribe_chat_pay_tip_and_verify_age_for_intimate_mode(fresh) -> None:
    admin = fresh.as_user("adm-1", "admin")
    admin.post("/api/admin/creators", json={"user_id": "creator-1", "display_name": "Luna"})
    creator = fresh.as_user("creator-1", "creator")
    persona_id = published(fresh, (creator, admin), with_(**{
        "monetization.included_messages": 1, "chat_modes": ["companion", "intimate"]}))
    fan = fresh.as_user("fan-1", "fan")

    started = fan.post(f"/api/models/{persona_id}/subscribe").json()
    httpx.post(f"{started['url']}/pay")
    companion = f"/api/sfw-chat/{persona_id}"
    assert chat(fan, companion, "Hello! Call me Sam.")["paid_by"] == "included"

    checkout = fan.post("/api/tokens/checkout", json={"pack_sku": "pack_1200"}).json()
    httpx.post(f"{checkout['url']}/pay")
    paid = chat(fan, companion, "What do you like to read?")
    assert (paid["paid_by"], paid["cost_tokens"]) == ("tokens", 100)

    thread_id = fan.get(companion).json()["thread_id"]
    tip = fan.post("/api/tips", json={"creator_id": "creator-1", "amount_tokens": 250,
                                      "thread_id": thread_id, "chat_mode": "companion"}).json()
    fresh.clock.advance(minutes=1)
    fan.get(companion, params={"min_position": tip["position"]})
    thanked = chat(fan, companion, "That was for you.")
    entries = fan.get(companion, params={"min_position": fresh.head()}).json()["entries"]
    assert [e["type"] for e in entries] == ["message", "message", "tip", "message"]
    assert entries[-1]["acknowledges_tips"] == [tip["tip_id"]] and thanked["reply"]
    again = fan.post(f"/api/tips/{tip['tip_id']}/acknowledgement").json()
    assert again["text"] == thanked["reply"]  # thanked once, everywhere

    intimate = f"/api/intimate-chat/{persona_id}"
    refused = fan.post(intimate, json={"message": "Hello.", "expected_cost_tokens": 100})
    assert refused.json()["error"]["code"] == "age_verification_required"
    verification = fan.post("/api/age-verification").json()
    page = httpx.get(verification["url"])
    assert page.status_code == 200 and "age verification" in page.text
    httpx.post(f"{verification['url']}/verify", params={"outcome": "verified"})
    assert chat(fan, intimate, "Hello.")["paid_by"] == "tokens"
    wallet = fan.get("/api/wallet", params={"min_position": fresh.head()}).json()
    assert wallet["balance_tokens"] == 1_200 - 100 - 250 - 100 - 100
    balance = fresh.as_user("fin-1", "finance").get("/api/finance/trial-balance").json()
    assert balance["balanced"], balance["imbalances"]
