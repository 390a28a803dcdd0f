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
