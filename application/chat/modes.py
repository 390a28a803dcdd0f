"""Which chat modes each persona offers (the creator's switch), within what review approved."""

from typing import Any
from uuid import UUID

from adapters.eventstore.ledger import Ledger
from application.clock import Clock
from application.personas import Personas
from domain import ids
from domain.aggregates.chat_settings import ChatSettings
from domain.aggregates.persona import CreatorPersonas, Persona


def approved_modes(persona: Persona) -> list[str]:
    """The modes the persona's reviewed profile lists: what an admin approved it for."""
    return list(persona.live["chat_modes"]) if persona.live is not None else []


def enabled_modes(persona: Persona, settings: ChatSettings | None) -> tuple[list[str], str | None]:
    """The modes on and the default: the creator's switches, or until they say otherwise every
    approved mode."""
    if isinstance(settings, ChatSettings):
        return settings.enabled, settings.default_mode
    approved = approved_modes(persona)
    return approved, (approved[0] if approved else None)


class ChatModes:
    def __init__(self, ledger: Ledger, personas: Personas, clock: Clock) -> None:
        self._ledger = ledger
        self._personas = personas
        self._clock = clock

    def of(self, persona: Persona) -> dict[str, Any]:
        settings = self._ledger.get_or_none(ids.chat_settings_id(str(persona.id)))
        approved = approved_modes(persona)
        enabled, default = enabled_modes(persona, settings)
        return {"persona_id": str(persona.id), "enabled": enabled, "default_mode": default,
                "approved": approved,
                "companion": "companion" in enabled, "intimate": "intimate" in enabled}

    def mine(self, creator_user_id: str) -> list[dict[str, Any]]:
        owned = self._ledger.get_or_none(ids.creator_personas_id(creator_user_id))
        persona_ids = owned.persona_ids if isinstance(owned, CreatorPersonas) else []
        found = self._ledger.get_many(persona_ids)
        return [self.of(found[i]) for i in persona_ids if i in found]

    def set(self, creator_user_id: str, persona_id: UUID, enabled: list[str],
            default_mode: str | None) -> dict[str, Any]:
        persona = self._personas.owned(creator_user_id, persona_id)
        def plan() -> list[ChatSettings]:
            settings = self._ledger.get_or_none(ids.chat_settings_id(str(persona_id))) or \
                ChatSettings.open(str(persona_id), creator_user_id)
            settings.set_modes(enabled, default_mode, approved_modes(persona), creator_user_id,
                               self._clock())
            return [settings]

        self._ledger.save_planned(plan, conflict="the chat modes changed meanwhile: try again")
        return self.of(persona)
