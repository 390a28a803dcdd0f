"""A fan's intimate-mode conversation with one persona (age-verified fans only)."""

from uuid import UUID

from domain import ids
from domain.chat_thread import ChatThread


class IntimateThread(ChatThread):
    mode = "intimate"

    @staticmethod
    def create_id(fan_id: str, persona_id: str, **_: object) -> UUID:
        return ids.chat_thread_id("intimate", fan_id, persona_id)
