"""Companion (SFW) chat: its policy on the shared conversation engine, and the companion
personality a creator configures for it."""

from typing import Any
from uuid import UUID

from adapters.eventstore.ledger import Ledger
from application.chat.companion.prompt import system_prompt
from application.chat.conversation import Conversation, Scene
from application.chat.reply_rules import DEPENDENCY, EXPLICIT, HUMAN_CLAIM, MEET_UP, Rule
from application.clock import Clock
from application.personas import Personas
from domain import ids
from domain.aggregates.companion_personality import CompanionPersonality, validated
from domain.aggregates.companion_thread import CompanionThread
from domain.chat_thread import ChatThread

REDIRECTION = ("I'd like to keep our chat friendly and relaxed. Tell me something good that "
               "happened to you today?")


class CompanionPolicy:
    mode: str = "companion"
    thread_type: type[ChatThread] = CompanionThread
    redirection: str = REDIRECTION
    reply_rules: tuple[Rule, ...] = (EXPLICIT, HUMAN_CLAIM, MEET_UP, DEPENDENCY)

    def admit(self, fan_id: str) -> None:
        """Companion mode is open to every fan."""

    def system_prompt(self, scene: Scene) -> str:
        return system_prompt(scene)


class CompanionChat:
    """`conversation` runs the turns; this adds what only companion mode has."""

    def __init__(self, conversation: Conversation, ledger: Ledger, personas: Personas,
                 clock: Clock) -> None:
        self.conversation = conversation
        self._ledger = ledger
        self._personas = personas
        self._clock = clock

    def personality(self, creator_user_id: str, persona_id: UUID) -> dict[str, Any] | None:
        self._personas.owned(creator_user_id, persona_id)
        found = self._ledger.get_or_none(ids.companion_personality_id(str(persona_id)))
        return found.config if isinstance(found, CompanionPersonality) else None

    def configure(self, creator_user_id: str, persona_id: UUID,
                  config: dict[str, Any]) -> dict[str, Any]:
        self._personas.owned(creator_user_id, persona_id)
        clean = validated(config)
        self._personas.refuse_blocked_text({
            "display_name": clean["display_name"], "interests": " , ".join(clean["interests"]),
            "tasteful_traits": " , ".join(clean["tasteful_traits"])})
        self._change(creator_user_id, persona_id, lambda p: p.configure(clean, self._clock()))
        return clean

    def reset(self, creator_user_id: str, persona_id: UUID) -> None:
        self._personas.owned(creator_user_id, persona_id)
        self._change(creator_user_id, persona_id, lambda p: p.reset(self._clock()))

    def _change(self, creator_user_id: str, persona_id: UUID, change: Any) -> None:
        def plan() -> list[CompanionPersonality]:
            personality = self._ledger.get_or_none(
                ids.companion_personality_id(str(persona_id))) or \
                CompanionPersonality.open(str(persona_id), creator_user_id)
            change(personality)
            return [personality]

        self._ledger.save_planned(plan, conflict="the personality changed meanwhile: try again")
