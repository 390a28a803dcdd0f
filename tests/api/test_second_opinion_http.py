"""The reviewer's second opinion over HTTP, with Anthropic's SDK pointed at the loopback fake:
a finding quoting the submission shown in the persona and report queues; a malformed answer or
a failing model recorded as no opinion, the review going on as before."""

import json
from collections.abc import Iterator

import pytest

from tests.api.conftest import Api, served
from tests.api.test_personas_http import PROFILE
from tests.conftest import pg_settings
from tests.fakes.servers import FakeAnthropic

FINDING = {"categories": ["real_person_likeness"], "spans": [
    {"field": "persona.backstory", "quote": "maps the night sky",
     "category": "real_person_likeness"}],
    "confidence": 0.35, "summary": "Probably fine; the backstory is generic."}


@pytest.fixture
def model() -> Iterator[FakeAnthropic]:
    fake = FakeAnthropic()
    with fake.running() as base:
        fake.base = base  # type: ignore[attr-defined]
        yield fake


@pytest.fixture
def api(pg_schema, clock, tmp_path, model) -> Iterator[Api]:  # type: ignore[no-untyped-def]
    with served(clock, lambda public_url: pg_settings(
            pg_schema, public_url=public_url, run_projections=True, group_commit_window_ms=2,
            media_dir=str(tmp_path / "media"), anthropic_api_key="sk-test",
            anthropic_base_url=model.base, anthropic_timeout_seconds=5)) as running:
        yield running


def submitted(api, studio):  # type: ignore[no-untyped-def]
    creator, admin = studio
    persona_id = creator.post("/api/creator/models", json=PROFILE).json()["id"]
    assert creator.post(f"/api/creator/models/{persona_id}/submit").status_code == 200
    [queued] = admin.get("/api/admin/models", params={"min_position": api.head()}
                         ).json()["models"]
    return persona_id, queued


def test_the_finding_is_shown_beside_the_lexical_ones_and_decides_nothing(
        api, studio, model) -> None:
    model.next_text = json.dumps(FINDING)
    persona_id, queued = submitted(api, studio)
    assert queued["model_opinion"] == {"status": "given", **FINDING}
    assert "likeness" in queued  # the lexical findings, as before
    sent = model.requests[-1]["body"]
    assert sent["system"].startswith("LYRA-REVIEW-OPINION")
    assert "maps the night sky" in sent["messages"][0]["content"]
    _, admin = studio
    assert admin.post(f"/api/admin/models/{persona_id}/approve", json={}).json()["review"] == \
        "approved"  # the admin decides

    model.next_text = json.dumps({**FINDING, "categories": ["underage"], "spans": [
        {"field": "report", "quote": "looks young", "category": "underage"}],
        "summary": "The reporter says the persona looks young."})
    fan = api.as_user("fan-1", "fan")
    filed = fan.post("/api/reports", json={
        "target_kind": "persona", "target_id": persona_id, "creator_id": "creator-1",
        "category": "underage", "text": "The avatar looks young to me."})
    assert filed.status_code == 201
    [report] = admin.get("/api/admin/reports", params={"min_position": api.head()}
                         ).json()["reports"]
    assert report["model_opinion"]["summary"] == "The reporter says the persona looks young."


@pytest.mark.parametrize(("setup", "status"), [
    (lambda fake: setattr(fake, "next_text", "Sure! It looks fine."), "discarded"),
    (lambda fake: setattr(fake, "next_text", json.dumps({**FINDING, "spans": [
        {"field": "persona.backstory", "quote": "a famous astronaut",
         "category": "real_person_likeness"}]})), "discarded"),
    (lambda fake: setattr(fake, "status", 500), "unavailable"),
])
def test_a_malformed_answer_or_a_failing_model_is_no_opinion(api, studio, model, setup,
                                                             status) -> None:
    setup(model)
    _, queued = submitted(api, studio)
    assert queued["review"] == "submitted" and queued["model_opinion"]["status"] == status
    assert queued["model_opinion"]["reason"]
