"""Relay a model's reply as it streams, checking the reply so far at every piece the model sends.

Text is released as soon as it is safe: up to the last sentence end, or up to the word that
still has HELD_WORDS words after it, whichever is further (a rule's match never spans more
words than that, so a later piece cannot complete a match that reaches back into what the fan
has seen). Everything is checked before it is released, together with all that came before it;
a reply that breaks a rule stops there: the fan never sees any word of the breaking phrase,
and the caller replaces the reply with its redirection."""

import re
from collections.abc import Callable, Iterable, Iterator

_SENTENCE_END = re.compile(r"[.!?…]+[\"')\]]*\s+|\n+")
_WORD = re.compile(r"\S+")
HELD_WORDS = 6  # the longest span, in words, that any reply rule or blocked term matches


class CheckedReply:
    def __init__(self, check: Callable[[str], list[str]]) -> None:
        self._check = check
        self.released = ""
        self.violations: list[str] = []

    @property
    def replaced(self) -> bool:
        return bool(self.violations)

    def relay(self, pieces: Iterable[str]) -> Iterator[str]:
        """Yield checked text; stops early (and sets violations) when the reply breaks a rule."""
        pending = ""
        for piece in pieces:
            pending += piece
            found = self._check(self.released + pending)
            if found:
                self.violations = found
                return
            cut = _safe_cut(pending)
            if cut:
                self.released += pending[:cut]
                yield pending[:cut]
                pending = pending[cut:]
        if pending:
            found = self._check(self.released + pending)
            if found:
                self.violations = found
                return
            self.released += pending
            yield pending


def _safe_cut(text: str) -> int:
    """How much of the text may go out now: to the last sentence end, or to the start of the
    last HELD_WORDS words (the last one perhaps still incomplete), whichever is further."""
    sentence = 0
    for match in _SENTENCE_END.finditer(text):
        sentence = match.end()
    starts = [match.start() for match in _WORD.finditer(text)]
    words = starts[-HELD_WORDS] if len(starts) > HELD_WORDS else 0
    return max(sentence, words)
