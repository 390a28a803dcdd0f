"""A deterministic stand-in for the model, so chat features work with no key and no network.

It answers from a few neutral templates chosen by a stable hash of the conversation, which keeps
tests and demos reproducible.
"""

import hashlib

from application.ports import ChatMessage

_ACKNOWLEDGEMENTS = (
    "Thank you, that's really kind of you.",
    "Aw, thank you! That made my day a little brighter.",
    "Thank you so much, I really appreciate it.",
)
_REPLIES = (
    "That's interesting. Tell me more about it?",
    "I like the way you think about that.",
    "Good question. What made you curious about it?",
)


class OfflineChatModel:
    def reply(self, system: str, messages: list[ChatMessage], max_tokens: int) -> str:
        last = messages[-1].content if messages else ""
        pool = _ACKNOWLEDGEMENTS if "acknowledge" in system.lower() else _REPLIES
        digest = hashlib.sha256((system + last).encode()).digest()
        return pool[digest[0] % len(pool)]
