"""Persona lifecycle edge cases and profile validation."""

from datetime import UTC, datetime
from uuid import uuid4

import pytest

from domain.aggregates.persona import CreatorPersonas, Persona, PersonaLimitError
from domain.errors import InvalidTransitionError
from domain.persona_profile import InvalidPersonaError, validate
from domain.review import MissingReasonError

NOW = datetime(2026, 1, 1, tzinfo=UTC)
RAW = {"name": "  Luna   Vale ", "stated_age": 30, "chat_modes": ["companion", "companion"],
       "primary_category": "science", "tags": ["witty", "witty"],
       "monetization": {"subscription_price_minor": 999}}
PRIMARY, SECONDARY = {"science"}, {"witty"}


def test_validation_normalises_and_fills_defaults() -> None:
    clean = validate(RAW, PRIMARY, SECONDARY)
    assert clean["name"] == "Luna Vale" and clean["chat_modes"] == ["companion"]
    assert clean["tags"] == ["witty"]
    assert clean["monetization"] == {"subscription_price_minor": 999, "included_messages": 0,
                                     "extra_message_tokens": 100}


@pytest.mark.parametrize("change", [
    {"stated_age": 17}, {"stated_age": True}, {"stated_age": "30"}, {"name": ""},
    {"chat_modes": ["other"]}, {"primary_category": "art"}, {"tags": ["w"] * 9},
    {"monetization": {"subscription_price_minor": 99.5}},
])
def test_invalid_profiles_are_refused(change: dict) -> None:
    with pytest.raises(InvalidPersonaError):
        validate({**RAW, **change}, PRIMARY, SECONDARY)


def persona() -> Persona:
    return Persona(creator_user_id="c", profile={"name": "A"}, at=NOW)


def test_lifecycle_draft_review_publish() -> None:
    p = persona()
    with pytest.raises(InvalidTransitionError):
        p.publish(NOW)  # nothing approved yet
    p.submit([], NOW)
    with pytest.raises(InvalidTransitionError):
        p.edit({"name": "B"}, [], NOW)  # frozen while in review
    with pytest.raises(InvalidTransitionError):
        p.submit([], NOW)
    p.approve("admin", "ok", NOW)
    p.publish(NOW)
    assert p.published and p.live == {"name": "A"}


def test_editing_an_approved_persona_resubmits_and_keeps_the_live_version() -> None:
    p = persona()
    p.submit([], NOW)
    p.approve("admin", "ok", NOW)
    p.publish(NOW)
    p.edit({"name": "B"}, [{"name": "X"}], NOW)
    assert p.review == "submitted" and p.live == {"name": "A"} and p.published
    p.reject("admin", "no", NOW)
    assert p.live == {"name": "A"} and p.published
    p.edit({"name": "C"}, [], NOW)
    assert p.review == "draft"
    p.submit([], NOW)
    p.approve("admin", "ok", NOW)
    assert p.live == {"name": "C"}


def test_a_rejection_needs_a_reason_and_an_unchanged_edit_records_nothing() -> None:
    p = persona()
    p.submit([], NOW)
    with pytest.raises(MissingReasonError):
        p.reject("admin", " ", NOW)
    p.reject("admin", "blurry", NOW)
    p.collect_events()
    p.edit({"name": "A"}, [], NOW)
    assert p.collect_events() == []


def test_the_limit_counts_every_persona() -> None:
    index = CreatorPersonas(creator_user_id="c")
    for _ in range(3):
        index.add(uuid4(), limit=3)
    with pytest.raises(PersonaLimitError):
        index.add(uuid4(), limit=3)


FINDING = {"outcome": "review", "category": "non_consensual", "rule": "en:covert:60",
           "span": "hidden camera", "language": "en", "layer": "tables", "field": "backstory"}
GATE = {"categories": ["underage"], "confidence": 0.9, "threshold": 0.6}


def in_review(findings: list | None = None, gate: dict | None = None) -> Persona:
    submitted = persona()
    submitted.submit([], NOW)
    submitted.record_findings(findings or [], NOW)
    if gate:
        submitted.require_second_review(gate, NOW)
    return submitted


def test_review_findings_need_the_approvers_acknowledgement_recorded() -> None:
    from domain.aggregates.persona import AcknowledgementRequiredError
    reviewed = in_review([FINDING])
    with pytest.raises(AcknowledgementRequiredError):
        reviewed.approve("adm-1", "ok", NOW)
    assert reviewed.review == "submitted"
    reviewed.approve("adm-1", "weighed it", NOW, acknowledged=True)
    kinds = [type(e).__name__ for e in reviewed.collect_events()]
    assert kinds[-2:] == ["FindingsAcknowledged", "Approved"] and reviewed.review == "approved"


def test_no_findings_no_acknowledgement_asked_and_none_recorded() -> None:
    reviewed = in_review()
    reviewed.approve("adm-1", "ok", NOW)
    assert "FindingsAcknowledged" not in [type(e).__name__ for e in reviewed.collect_events()]


def test_the_models_gate_needs_a_second_different_admin() -> None:
    from domain.aggregates.persona import SecondReviewerRequiredError
    reviewed = in_review(gate=GATE)
    reviewed.approve("adm-1", "looks fine", NOW)
    assert reviewed.review == "submitted" and reviewed.first_approver == "adm-1"
    with pytest.raises(SecondReviewerRequiredError):
        reviewed.approve("adm-1", "still fine", NOW)
    reviewed.approve("adm-2", "agreed", NOW)
    assert reviewed.review == "approved" and reviewed.live is not None


def test_a_rejection_or_a_new_submission_starts_the_review_over() -> None:
    reviewed = in_review([FINDING], gate=GATE)
    reviewed.approve("adm-1", "fine", NOW, acknowledged=True)
    reviewed.reject("adm-2", "the backstory needs work", NOW)
    assert reviewed.first_approver is None
    reviewed.edit({"name": "B"}, [], NOW)
    reviewed.submit([], NOW)
    assert reviewed.review_findings == [] and reviewed.second_review is None
    reviewed.approve("adm-1", "ok", NOW)
    assert reviewed.review == "approved"
