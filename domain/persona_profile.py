"""The public profile of a persona, as the model wizard collects it; validated, never trusted."""

from typing import Any

from domain.catalogue import EXTRA_MESSAGE_TOKENS
from domain.errors import DomainError

CHAT_MODES = ("companion", "intimate")
MAX_TAGS = 8
MAX_VISUALS = 10
MIN_AGE = 18


class InvalidPersonaError(DomainError):
    code = "invalid_persona"


def _text(value: Any, field: str, low: int, high: int) -> str:
    if not isinstance(value, str):
        raise InvalidPersonaError(f"{field} must be text")
    value = " ".join(value.split()) if field != "persona.backstory" else value.strip()
    if not low <= len(value) <= high:
        raise InvalidPersonaError(f"{field} must be {low} to {high} characters")
    return value


def _int(value: Any, field: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise InvalidPersonaError(f"{field} must be a whole number from {low} to {high}")
    return value


def _texts(values: Any, field: str, most: int, high: int) -> list[str]:
    if not isinstance(values, list) or len(values) > most:
        raise InvalidPersonaError(f"{field} must be a list of at most {most}")
    return [_text(v, field, 1, high) for v in values]


def validate(profile: dict[str, Any], primary: set[str], secondary: set[str]) -> dict[str, Any]:
    """A clean copy of profile, or InvalidPersonaError naming the first field that is wrong."""
    persona = profile.get("persona") or {}
    money = profile.get("monetization") or {}
    modes = profile.get("chat_modes") or []
    if not modes or any(m not in CHAT_MODES for m in modes):
        raise InvalidPersonaError(f"chat_modes must be a non-empty subset of {CHAT_MODES}")
    category = profile.get("primary_category")
    if category not in primary:
        raise InvalidPersonaError("primary_category must be one of the active categories")
    tags = _texts(profile.get("tags") or [], "tags", MAX_TAGS, 40)
    unknown = [t for t in tags if t not in secondary]
    if unknown:
        raise InvalidPersonaError(f"unknown or retired tags: {', '.join(unknown)}")
    age = profile.get("stated_age")
    if isinstance(age, int) and not isinstance(age, bool) and age < MIN_AGE:
        raise InvalidPersonaError(f"a persona must be an adult: stated_age {MIN_AGE} or more")
    return {
        "name": _text(profile.get("name"), "name", 1, 60),
        "stated_age": _int(age, "stated_age", MIN_AGE, 120),
        "visuals": _texts(profile.get("visuals") or [], "visuals", MAX_VISUALS, 300),
        "persona": {
            "traits": _texts(persona.get("traits") or [], "persona.traits", 12, 40),
            "interests": _texts(persona.get("interests") or [], "persona.interests", 12, 60),
            "backstory": _text(persona.get("backstory", ""), "persona.backstory", 0, 2_000),
            "style": _text(persona.get("style", ""), "persona.style", 0, 500),
        },
        "monetization": {
            "subscription_price_minor": _int(money.get("subscription_price_minor"),
                                             "monetization.subscription_price_minor", 99, 9_999),
            "included_messages": _int(money.get("included_messages", 0),
                                      "monetization.included_messages", 0, 10_000),
            "extra_message_tokens": _int(money.get("extra_message_tokens", EXTRA_MESSAGE_TOKENS),
                                         "monetization.extra_message_tokens", 1, 10_000),
        },
        "chat_modes": sorted(set(modes)),
        "primary_category": category,
        "tags": sorted(set(tags)),
    }


def text_fields(profile: dict[str, Any]) -> dict[str, str]:
    """Every field a creator writes, by name, for the safety checks."""
    persona = profile["persona"]
    return {"name": profile["name"], "tags": " , ".join(profile["tags"]),
            "persona.traits": " , ".join(persona["traits"]),
            "persona.interests": " , ".join(persona["interests"]),
            "persona.backstory": persona["backstory"], "persona.style": persona["style"]}
