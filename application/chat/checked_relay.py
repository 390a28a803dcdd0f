"""Relay a model's reply as it streams, a sentence at a time, each released only after the reply
so far passed the mode's checks. A reply that breaks a rule stops there: the fan never sees the
breaking sentence, and the caller replaces the reply with its redirection."""

import re
from collections.abc import Callable, Iterable, Iterator

_SENTENCE_END = re.compile(r"[.!?…]+[\"')\]]*\s+|\n+")


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
            cut = _last_boundary(pending)
            if cut:
                if not self._release(pending[:cut]):
                    return
                yield pending[:cut]
                pending = pending[cut:]
        if pending and self._release(pending):
            yield pending

    def _release(self, text: str) -> bool:
        found = self._check(self.released + text)
        if found:
            self.violations = found
            return False
        self.released += text
        return True


def _last_boundary(text: str) -> int:
    last = 0
    for match in _SENTENCE_END.finditer(text):
        last = match.end()
    return last
