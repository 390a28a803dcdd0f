"""A deterministic stand-in for the model, so chat features work with no key and no network.

It answers from a few neutral templates chosen by a stable hash of the conversation, which keeps
tests and demos reproducible.
"""

import hashlib
import re
from collections.abc import Iterator

from application.ports import ChatMessage

_ACKNOWLEDGEMENTS = (
    "Thank you, that's really kind of you.",
    "Aw, thank you! That made my day a little brighter.",
    "Thank you so much, I really appreciate it.",
)
_REPLIES = (
    "That's interesting. Tell me more about it?",
    "I like the way you think about that. What else is on your mind today?",
    "Good question. What made you curious about it?",
    "I'd love to hear more. How did that start for you?",
)


class OfflineChatModel:
    def reply(self, system: str, messages: list[ChatMessage], max_tokens: int) -> str:
        last = messages[-1].content if messages else ""
        pool = _ACKNOWLEDGEMENTS if "acknowledge" in system.lower() else _REPLIES
        digest = hashlib.sha256((system + last).encode()).digest()
        return pool[digest[0] % len(pool)]

    def stream(self, system: str, messages: list[ChatMessage], max_tokens: int
               ) -> Iterator[str]:
        """The same reply, a word at a time, as a provider streams it."""
        yield from re.findall(r"\S+\s*", self.reply(system, messages, max_tokens))
