"""Which chat modes a persona offers, and the default when it offers both.

Intimate mode can only be switched on for a persona whose reviewed profile lists it: an admin
approved the persona with that mode, so the creator cannot turn it on past review.
"""

from datetime import datetime
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain import ids
from domain.errors import DomainError

COMPANION = "companion"
INTIMATE = "intimate"
MODES = (COMPANION, INTIMATE)


class InvalidChatModesError(DomainError):
    code = "invalid_chat_modes"


class IntimateNotApprovedError(DomainError):
    code = "intimate_not_approved"


class ChatSettings(Aggregate):
    @staticmethod
    def create_id(persona_id: str, **_: object) -> UUID:
        return ids.chat_settings_id(persona_id)

    class Opened(Aggregate.Created):
        persona_id: str
        creator_id: str

    @event(Opened)
    def __init__(self, persona_id: str, creator_id: str) -> None:
        self.persona_id = persona_id
        self.creator_id = creator_id
        self.enabled: list[str] = []
        self.default_mode: str | None = None

    @classmethod
    def open(cls, persona_id: str, creator_id: str) -> "ChatSettings":
        return cls(persona_id=persona_id, creator_id=creator_id)

    def set_modes(self, enabled: list[str], default_mode: str | None, approved: list[str],
                  actor: str, at: datetime) -> None:
        modes = sorted(set(enabled))
        if any(m not in MODES for m in modes):
            raise InvalidChatModesError(f"chat modes are {', '.join(MODES)}")
        if INTIMATE in modes and INTIMATE not in approved:
            raise IntimateNotApprovedError(
                "intimate mode needs a persona an admin approved for it")
        if default_mode is None and len(modes) == 1:
            default_mode = modes[0]
        if modes and default_mode not in modes:
            raise InvalidChatModesError("the default mode must be one of the enabled modes")
        if not modes:
            default_mode = None
        if (modes, default_mode) != (self.enabled, self.default_mode):
            self._set(enabled=modes, default_mode=default_mode, actor=actor, at=at)

    class ModesSet(Aggregate.Event):
        enabled: list[str]
        default_mode: str | None
        actor: str
        at: datetime

    @event(ModesSet)
    def _set(self, enabled: list[str], default_mode: str | None, actor: str,
             at: datetime) -> None:
        self.enabled = list(enabled)
        self.default_mode = default_mode
