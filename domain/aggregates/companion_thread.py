"""A fan's companion-mode (SFW) conversation with one persona."""

from uuid import UUID

from domain import ids
from domain.chat_thread import ChatThread


class CompanionThread(ChatThread):
    mode = "companion"

    @staticmethod
    def create_id(fan_id: str, persona_id: str, **_: object) -> UUID:
        return ids.chat_thread_id("companion", fan_id, persona_id)
