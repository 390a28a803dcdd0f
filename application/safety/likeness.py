"""Does a persona's name or text resemble a real public figure's? A hit flags, it does not reject.

Names are compared fuzzily (rapidfuzz) against a shipped list, as whole names and as runs of two
or three words of the text, after the same folding the blocked-term filter uses.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from rapidfuzz import fuzz, process

from application.safety.normalise import fold

SCORE_CUTOFF = 88.0


@dataclass(frozen=True)
class LikenessMatch:
    name: str
    score: float
    field: str
    matched: str


class LikenessCheck:
    def __init__(self, names: Iterable[str], score_cutoff: float = SCORE_CUTOFF) -> None:
        self._names = list(names)
        self._folded = [" ".join(fold(n).split()) for n in self._names]
        self._cutoff = score_cutoff

    def check(self, fields: Mapping[str, str]) -> list[LikenessMatch]:
        best: dict[str, LikenessMatch] = {}
        for field, text in fields.items():
            words = fold(text).replace("-", " ").split()
            words = ["".join(c for c in w if c.isalnum()) for w in words]
            words = [w for w in words if w]
            candidates = {" ".join(words[i:i + n]) for n in (2, 3) for i in range(len(words))
                          if len(words[i:i + n]) == n}
            if len(words) == 1:
                candidates.add(words[0])
            for candidate in candidates:
                found = process.extractOne(candidate, self._folded, scorer=fuzz.ratio,
                                           score_cutoff=self._cutoff)
                if found:
                    _, score, index = found
                    name = self._names[index]
                    if name not in best or score > best[name].score:
                        best[name] = LikenessMatch(name, round(score, 1), field, candidate)
        return sorted(best.values(), key=lambda m: -m.score)


@lru_cache
def shipped_public_figures() -> tuple[str, ...]:
    text = resources.files("application.safety").joinpath("data/public_figures.txt").read_text()
    return tuple(line.strip() for line in text.splitlines()
                 if line.strip() and not line.startswith("#"))
