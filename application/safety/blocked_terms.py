"""The blocked-term filter: does a text use a youth-coded, incest or violence term, or state an
age under 18?

Each evasion is handled by a rule, not by one more list entry:
- invisible characters, look-alike letters, accents, leetspeak, separators and repeated letters
  are normalised away before matching (normalise.py);
- a stated age under 18 is found by the age detector, whatever the notation (ages.py);
- derived forms of a listed word match it ("teenager", "kiddie", "incestuous"; derivations.py);
- a listed word split into pieces ("lo li", "step bro ther", "pre-teen", "jail bait") matches,
  however long the pieces, up to four of them;
- words and phrases that share letters with terms but mean something else (surnames, places,
  foods, titles, idioms: data/innocent.txt) never match.
Matching is on whole words, so a word that merely contains a term ("therapist", "grapes") passes.
"""

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from application.safety.ages import stated_minor_age
from application.safety.derivations import derived_forms
from application.safety.normalise import fold, folded_words, words

MAX_SPLIT_PARTS = 4
AGE_TERM = "age under 18"
_NOTHING = "\x00"  # stands in for an innocent word: matches no term


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


@dataclass(frozen=True)
class Innocent:
    words: frozenset[str]
    phrases: tuple[str, ...]

    def pattern(self) -> re.Pattern[str] | None:
        if not self.phrases:
            return None
        alternatives = "|".join(re.escape(p) for p in sorted(self.phrases, key=len, reverse=True))
        return re.compile(r"(?<!\w)(?:" + alternatives + r")(?!\w)")


class BlockedTermFilter:
    def __init__(self, terms: Iterable[Term], innocent: Innocent | None = None) -> None:
        innocent = innocent if innocent is not None else shipped_innocent()
        self._innocent_words = innocent.words
        self._innocent_phrases = innocent.pattern()
        self._phrases: dict[tuple[str, ...], Term] = {}
        self._joined: dict[str, Term] = {}
        for term in terms:
            key = tuple(words(term.term))
            if not key:
                continue
            self._phrases.setdefault(key, term)
            self._joined.setdefault("".join(key), term)
            if len(key) == 1:
                for form in derived_forms(fold(term.term).strip()):
                    skeleton = "".join(words(form))
                    if form not in innocent.words and skeleton:
                        self._joined.setdefault(skeleton, term)
        self._longest = max((len(k) for k in self._phrases), default=1)
        # Every beginning of a term, so a window grows only while it can still become one.
        self._joined_prefixes = {form[:i] for form in self._joined
                                 for i in range(1, len(form) + 1)}
        self._phrase_prefixes = {key[:i] for key in self._phrases for i in range(1, len(key))}
        self._starts = self._joined_prefixes | {key[0] for key in self._phrases}

    def find(self, fields: Mapping[str, str]) -> list[Hit]:
        hits: list[Hit] = []
        for field, text in fields.items():
            hits.extend(self._find_in(field, text))
        return hits

    def _find_in(self, field: str, text: str) -> list[Hit]:
        folded = fold(text)
        if self._innocent_phrases is not None:
            folded = self._innocent_phrases.sub(" ", folded)
        found: dict[str, Hit] = {}
        age = stated_minor_age(folded)
        if age is not None:
            found[AGE_TERM] = Hit(AGE_TERM, "youth", field, age)
        tokens = [_NOTHING if raw in self._innocent_words else skeleton
                  for skeleton, raw in folded_words(folded)]
        widest = max(self._longest, MAX_SPLIT_PARTS)
        for start, first in enumerate(tokens):
            if first not in self._starts:  # most words begin no term: one set lookup
                continue
            joined = ""
            for end in range(start, min(start + widest, len(tokens))):
                if tokens[end] == _NOTHING:
                    break
                joined += tokens[end]
                window = tuple(tokens[start:end + 1])
                term = self._match(window, joined)
                if term and term.term not in found:
                    found[term.term] = Hit(term.term, term.category, field, " ".join(window))
                if joined not in self._joined_prefixes and window not in self._phrase_prefixes:
                    break
        return list(found.values())

    def _match(self, window: tuple[str, ...], joined: str) -> Term | None:
        # One word, a derived form of one, or one split into pieces ("lo li", "step bro ther").
        term = self._joined.get(joined)
        if term is not None or len(window) == 1:
            return term
        for candidate in _with_plural_stripped(window):
            if candidate in self._phrases:
                return self._phrases[candidate]
        return None


def _with_plural_stripped(window: tuple[str, ...]) -> list[tuple[str, ...]]:
    """A phrase's last word in the plural ("little girls")."""
    last = window[-1]
    variants = [window]
    for suffix in ("s", "es", "z"):
        if last.endswith(suffix) and len(last) > len(suffix) + 2:
            variants.append((*window[:-1], last[: -len(suffix)]))
    return variants


def _rows(name: str) -> list[tuple[str, str]]:
    text = resources.files("application.safety").joinpath(f"data/{name}").read_text()
    rows = []
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            kind, value = line.split("\t", 1)
            rows.append((kind.strip(), value.strip()))
    return rows


@lru_cache
def shipped_terms() -> tuple[Term, ...]:
    return tuple(Term(term, category) for category, term in _rows("blocked_terms.txt"))


@lru_cache
def shipped_innocent() -> Innocent:
    rows = _rows("innocent.txt")
    return Innocent(words=frozenset(fold(v) for k, v in rows if k == "word"),
                    phrases=tuple(fold(v) for k, v in rows if k == "phrase"))
