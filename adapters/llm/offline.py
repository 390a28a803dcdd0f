"""A deterministic stand-in for the model, so chat features work with no key and no network.

It answers from a few neutral templates chosen by a stable hash of the conversation, which keeps
tests and demos reproducible.
"""

import hashlib
import re
from collections.abc import Iterator

from application.ports import REVIEW_PROMPT_MARKER, ChatMessage

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


# Asked for a reviewer's second opinion, it says it has none (and never invents a risk).
_NO_OPINION = ('{"categories": [], "spans": [], "confidence": 0, "summary": "No model is '
               'configured: the offline stand-in reviews nothing; read the submission and the '
               'lexical findings."}')


class OfflineChatModel:
    rates_messages = False  # it reads nothing, so it is never asked to rate a message

    def reply(self, system: str, messages: list[ChatMessage], max_tokens: int) -> str:
        if system.startswith(REVIEW_PROMPT_MARKER):
            return _NO_OPINION
        last = messages[-1].content if messages else ""
        pool = _ACKNOWLEDGEMENTS if "acknowledge" in system.lower() else _REPLIES
        digest = hashlib.sha256((system + last).encode()).digest()
        return pool[digest[0] % len(pool)]

    def stream(self, system: str, messages: list[ChatMessage], max_tokens: int
               ) -> Iterator[str]:
        """The same reply, a word at a time, as a provider streams it."""
        yield from re.findall(r"\S+\s*", self.reply(system, messages, max_tokens))
