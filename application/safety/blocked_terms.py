"""The blocked-term filter: does a text use a youth-coded, incest or violence term, or state an
age under 18?

Each evasion is handled by a rule, not by one more list entry:
- invisible characters, look-alike letters, accents, leetspeak, separators and repeated letters
  are normalised away before matching (normalise.py);
- a stated age under 18 is found by the age detector, whatever the notation (ages.py); school
  years and grades, ages stated in European languages, adulthood denied or hedged and consent
  refused in plain words by their own rules (signals.py);
- derived forms of a listed word match it ("teenager", "kiddie", "incestuous"; derivations.py),
  spelled as written: repeated letters are collapsed only for the word itself and its plural,
  so "lollies" (sweets) never reads as a derived "lolies";
- a listed word split into pieces ("lo li", "step bro ther", "pre-teen", "jail bait") matches,
  however long the pieces, up to four of them;
- words and phrases that share letters with terms but mean something else (surnames, places,
  foods, titles, idioms: data/innocent.txt), compounds of those words written as two ("choke
  cherry"), and professional and medical uses of the youth words ("child psychologist",
  "teen counsellor") never match.
Matching is on whole words, so a word that merely contains a term ("therapist", "grapes") passes.
"""

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from application.safety.ages import stated_minor_age
from application.safety.derivations import PLURALS, derived_forms
from application.safety.normalise import as_leetspeak, fold, spelled_words, words
from application.safety.signals import signals

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
    patterns: tuple[str, ...] = ()

    def pattern(self) -> re.Pattern[str] | None:
        if not self.phrases and not self.patterns:
            return None
        phrases = "|".join(re.escape(p) for p in sorted(self.phrases, key=len, reverse=True))
        return re.compile("|".join([r"(?<!\w)(?:" + phrases + r")(?!\w)", *self.patterns]))


class BlockedTermFilter:
    def __init__(self, terms: Iterable[Term], innocent: Innocent | None = None) -> None:
        innocent = innocent if innocent is not None else shipped_innocent()
        self._innocent_words = innocent.words
        self._innocent_phrases = innocent.pattern()
        self._phrases: dict[tuple[str, ...], Term] = {}
        self._joined: dict[str, Term] = {}  # collapsed spelling: a word, its plural, a phrase
        self._derived: dict[str, Term] = {}  # spelling as written: derived forms
        for term in terms:
            key = tuple(words(term.term))
            if not key:
                continue
            self._phrases.setdefault(key, term)
            self._joined.setdefault("".join(key), term)
            word = fold(term.term).strip()
            if len(key) == 1:
                for plural in PLURALS:
                    self._joined.setdefault("".join(words(word + plural)), term)
                for form in derived_forms(word) - innocent.words:
                    # As a plain word, and as leetspeak reads it ("ch1ldl1ke").
                    self._derived.setdefault(form, term)
                    self._derived.setdefault(as_leetspeak(form), term)
        self._longest = max((len(k) for k in self._phrases), default=1)
        # Every beginning of a term, so a window grows only while it can still become one.
        self._joined_prefixes = _prefixes(self._joined)
        self._derived_prefixes = _prefixes(self._derived)
        self._phrase_prefixes = {key[:i] for key in self._phrases for i in range(1, len(key))}
        self._starts = self._joined_prefixes | {key[0] for key in self._phrases}

    def find(self, fields: Mapping[str, str]) -> list[Hit]:
        hits: list[Hit] = []
        for field, text in fields.items():
            hits.extend(self._find_in(field, text))
        return hits

    def _find_in(self, field: str, text: str) -> list[Hit]:
        folded = fold(text)
        found: dict[str, Hit] = {}
        age = stated_minor_age(folded)
        if age is not None:
            found[AGE_TERM] = Hit(AGE_TERM, "youth", field, age)
        for signal, kind, matched in signals(folded):
            found[signal] = Hit(signal, kind, field, matched)
        if "-" in folded:
            for match in _LOOK_OR_KIND.finditer(folded):
                term = self._one_word(match.group(1))
                if term is not None and term.term not in found:
                    found[term.term] = Hit(term.term, term.category, field, match.group(0))
        read = spelled_words(folded)
        if not self._may_match(read):
            return list(found.values())  # the common case: no word begins any term
        if self._innocent_phrases is not None:
            unspoken = self._innocent_phrases.sub(" ", folded)
            if unspoken != folded:  # else the words are read already
                read = spelled_words(unspoken)
        innocent = self._innocent_positions([_unpossessive(raw) for _, raw, _ in read])
        tokens = [_NOTHING if i in innocent else t for i, (t, _, _) in enumerate(read)]
        as_spelled = [_NOTHING if i in innocent else t for i, (_, _, t) in enumerate(read)]
        widest = max(self._longest, MAX_SPLIT_PARTS)
        for start, first in enumerate(tokens):
            if first not in self._starts and as_spelled[start] not in self._derived_prefixes:
                continue  # most words begin no term: a set lookup or two
            joined = spelled_joined = ""
            for end in range(start, min(start + widest, len(tokens))):
                if tokens[end] == _NOTHING:
                    break
                joined += tokens[end]
                spelled_joined += as_spelled[end]
                window = tuple(tokens[start:end + 1])
                term = self._match(window, joined, spelled_joined)
                if term and term.term not in found:
                    found[term.term] = Hit(term.term, term.category, field, " ".join(window))
                if joined not in self._joined_prefixes and window not in self._phrase_prefixes \
                        and spelled_joined not in self._derived_prefixes:
                    break
        return list(found.values())

    def _one_word(self, word: str) -> Term | None:
        """The term one word is (or a derived form of), unless the word is innocent."""
        read = spelled_words(word)
        if len(read) != 1 or _unpossessive(read[0][1]) in self._innocent_words:
            return None
        token, _, spelled = read[0]
        return self._match((token,), token, spelled)

    def _may_match(self, read: list[tuple[str, str, str]]) -> bool:
        return any(word in self._starts or as_spelled in self._derived_prefixes
                   for word, _, as_spelled in read)

    def _innocent_positions(self, written: list[str]) -> set[int]:
        """Words that are innocent as written, alone or with the next one ("choke cherry")."""
        found = {i for i, word in enumerate(written) if word in self._innocent_words}
        for i in range(len(written) - 1):
            if written[i] + written[i + 1] in self._innocent_words:
                found.update((i, i + 1))
        return found

    def _match(self, window: tuple[str, ...], joined: str, spelled_joined: str) -> Term | None:
        # One word, its plural or a derived form, or one split into pieces ("lo li",
        # "step bro ther").
        term = self._joined.get(joined)
        if term is not None and _REPEATED.search(term.term) and \
                not _REPEATED.search(spelled_joined):
            term = None  # "ten" is not "teen" with its letters collapsed: nothing was repeated
        term = term or self._derived.get(spelled_joined)
        if term is not None or len(window) == 1:
            return term
        for candidate in _with_plural_stripped(window):
            if candidate in self._phrases:
                return self._phrases[candidate]
        return None


# A listed word made into a look or a kind with a hyphen ("loli-style", "teen-themed"), which
# reads as one word once separators are removed; "child-free" or "kid-sized" name no look.
_LOOK_OR_KIND = re.compile(
    r"\b([a-z0-9]+)-(?:[a-z]+-)?(?:style[ds]?|styling|themed?|like|looking|looks?|types?|coded|"
    r"esque|ish|aged|bodied|faced|voiced|personas?|characters?|roleplays?|rp|vibes?|core|"
    r"cosplays?|outfits?|aesthetic)\b")


_REPEATED = re.compile(r"(\w)\1")


def _unpossessive(word: str) -> str:
    """"raper's" is the surname "raper" as far as innocence goes."""
    for ending in ("'s", "’s"):
        if word.endswith(ending):
            return word[: -len(ending)]
    return word


def _prefixes(forms: Mapping[str, object]) -> set[str]:
    return {form[:i] for form in forms for i in range(1, len(form) + 1)}


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
                    phrases=tuple(fold(v) for k, v in rows if k == "phrase"),
                    patterns=tuple(v for k, v in rows if k == "pattern"))
