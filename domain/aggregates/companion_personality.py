"""A persona's companion (SFW) identity: kept apart from the persona's own (intimate) profile,
with its own traits, flirt level, interests, tasteful traits and message price."""

from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain import ids
from domain.errors import DomainError

TRAITS = ("friendly", "playful", "sweet", "confident", "shy", "intellectual", "mysterious",
          "romantic", "caring", "witty", "adventurous", "creative")
FLIRT_LEVELS = ("friendly", "light_flirty", "romantic")
MAX_INTERESTS = 12
MAX_TEXT = 80


class InvalidPersonalityError(DomainError):
    code = "invalid_personality"


def validated(config: dict[str, Any]) -> dict[str, Any]:
    """The companion configuration as stored, or a refusal naming the field."""
    name = str(config.get("display_name") or "").strip()
    if not 1 <= len(name) <= MAX_TEXT:
        raise InvalidPersonalityError(f"display_name must be 1 to {MAX_TEXT} characters")
    traits = sorted(set(config.get("traits") or []))
    if not traits or any(t not in TRAITS for t in traits):
        raise InvalidPersonalityError(f"traits must be some of {', '.join(TRAITS)}")
    flirt = config.get("flirt_level", "friendly")
    if flirt not in FLIRT_LEVELS:
        raise InvalidPersonalityError(f"flirt_level must be one of {', '.join(FLIRT_LEVELS)}")
    lists = {}
    for key in ("interests", "tasteful_traits"):
        items = [str(i).strip() for i in config.get(key) or [] if str(i).strip()]
        if len(items) > MAX_INTERESTS or any(len(i) > MAX_TEXT for i in items):
            raise InvalidPersonalityError(
                f"{key}: at most {MAX_INTERESTS} entries of up to {MAX_TEXT} characters")
        lists[key] = items
    price = config.get("message_price_tokens")
    if isinstance(price, bool) or not isinstance(price, int) or not 1 <= price <= 10_000:
        raise InvalidPersonalityError("message_price_tokens must be a whole number, 1 to 10000")
    return {"display_name": name, "traits": traits, "flirt_level": flirt, **lists,
            "message_price_tokens": price}


class CompanionPersonality(Aggregate):
    @staticmethod
    def create_id(persona_id: str, **_: object) -> UUID:
        return ids.companion_personality_id(persona_id)

    class Opened(Aggregate.Created):
        persona_id: str
        creator_id: str

    @event(Opened)
    def __init__(self, persona_id: str, creator_id: str) -> None:
        self.persona_id = persona_id
        self.creator_id = creator_id
        self.config: dict[str, Any] | None = None

    @classmethod
    def open(cls, persona_id: str, creator_id: str) -> "CompanionPersonality":
        return cls(persona_id=persona_id, creator_id=creator_id)

    def configure(self, config: dict[str, Any], at: datetime) -> None:
        """The config must have passed validated() and the content checks."""
        if config != self.config:
            self._configured(config=config, at=at)

    def reset(self, at: datetime) -> None:
        if self.config is not None:
            self._reset(at=at)

    class Configured(Aggregate.Event):
        config: dict[str, Any]
        at: datetime

    @event(Configured)
    def _configured(self, config: dict[str, Any], at: datetime) -> None:
        self.config = dict(config)

    class Reset(Aggregate.Event):
        at: datetime

    @event(Reset)
    def _reset(self, at: datetime) -> None:
        self.config = None
