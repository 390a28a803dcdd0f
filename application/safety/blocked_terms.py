"""The blocked-term filter: does a creator's text use a youth-coded, incest or violence term?"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from application.safety.normalise import words

MAX_SPLIT_PARTS = 4  # "lo li" and "l o li" are one word split to dodge the filter


@dataclass(frozen=True)
class Term:
    term: str
    category: str


@dataclass(frozen=True)
class Hit:
    term: str
    category: str
    field: str
    matched: str


class BlockedTermFilter:
    def __init__(self, terms: Iterable[Term]) -> None:
        self._phrases: dict[tuple[str, ...], Term] = {}
        self._joined: dict[str, Term] = {}
        for term in terms:
            key = tuple(words(term.term))
            if key:
                self._phrases.setdefault(key, term)
                self._joined.setdefault("".join(key), term)
        self._longest = max((len(k) for k in self._phrases), default=1)

    def find(self, fields: Mapping[str, str]) -> list[Hit]:
        hits: list[Hit] = []
        for field, text in fields.items():
            hits.extend(self._find_in(field, text))
        return hits

    def _find_in(self, field: str, text: str) -> list[Hit]:
        tokens = words(text)
        found: dict[str, Hit] = {}
        for start in range(len(tokens)):
            for width in range(1, max(self._longest, MAX_SPLIT_PARTS) + 1):
                window = tokens[start:start + width]
                if len(window) < width:
                    break
                term = self._match(tuple(window))
                if term and term.term not in found:
                    found[term.term] = Hit(term.term, term.category, field, " ".join(window))
        return list(found.values())

    def _match(self, window: tuple[str, ...]) -> Term | None:
        for candidate in _with_plural_stripped(window):
            if candidate in self._phrases:
                return self._phrases[candidate]
            joined = "".join(candidate)
            # A word split into pieces ("lo li") or a phrase run together ("stepsister"); short
            # pieces only, so two real words that happen to spell a term are not joined.
            if joined in self._joined and (len(candidate) == 1 or
                                           all(len(piece) <= 3 for piece in candidate)):
                return self._joined[joined]
        return None


def _with_plural_stripped(window: tuple[str, ...]) -> list[tuple[str, ...]]:
    last = window[-1]
    variants = [window]
    for suffix in ("s", "es", "z"):
        if last.endswith(suffix) and len(last) > len(suffix) + 2:
            variants.append((*window[:-1], last[: -len(suffix)]))
    return variants


@lru_cache
def shipped_terms() -> tuple[Term, ...]:
    text = resources.files("application.safety").joinpath("data/blocked_terms.txt").read_text()
    terms = []
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            category, term = line.split("\t", 1)
            terms.append(Term(term.strip(), category.strip()))
    return tuple(terms)
