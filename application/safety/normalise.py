"""Text normalisation that defeats the usual evasions before any matching.

Steps: invisible characters removed (every Unicode format character, such as zero-width spaces
and joiners, soft hyphens and bidi marks, and the blank "filler" letters), Unicode compatibility
folding (NFKC: full-width and styled letters), case folding, accents removed, look-alike letters
from other scripts mapped to Latin (confusable-homoglyphs), leetspeak and symbol substitutions
mapped to letters, separators inside a word removed ("l.o.l.i"), runs of
single letters joined ("l o l i") and repeated letters collapsed ("looolii"). Matching then works
on whole words, so an innocent word that merely contains a blocked string never matches.
"""

import re
import sys
import unicodedata
from functools import lru_cache

from confusable_homoglyphs import confusables  # type: ignore[import-untyped]

# Digits and symbols people type for letters. Both the terms and the text go through this, so
# an ambiguous digit (1 for i or l) only has to map to one class consistently.
_LEET = str.maketrans({"0": "o", "1": "i", "!": "i", "|": "i", "l": "i", "3": "e", "4": "a",
                       "@": "a", "5": "s", "$": "s", "7": "t", "+": "t", "8": "b", "9": "g",
                       "2": "z", "6": "g", "€": "e", "£": "e"})
_IN_WORD_SEPARATORS = "._-*~'’`^"
_SPLIT = re.compile(r"[^\w" + re.escape(_IN_WORD_SEPARATORS + "!|@$+€£") + r"]+")
_SEPARATOR_RUN = re.compile("[" + re.escape(_IN_WORD_SEPARATORS) + "]+")


# Letters that draw nothing but are not format characters (Hangul fillers, the braille blank).
_BLANK_LETTERS = "\u115f\u1160\u3164\uffa0\u2800"


@lru_cache(maxsize=1)
def _invisible() -> dict[int, None]:
    """Every format character (category Cf) of this Python's Unicode, and the blank letters."""
    found = {c: None for c in range(sys.maxunicode + 1) if unicodedata.category(chr(c)) == "Cf"}
    return {**found, **{ord(c): None for c in _BLANK_LETTERS}}


@lru_cache(maxsize=4_096)
def _latin(char: str) -> str:
    if char.isascii():
        return char
    found = confusables.is_confusable(char, greedy=True, preferred_aliases=["latin"])
    for match in found or []:
        for glyph in match["homoglyphs"]:
            if glyph["c"].isascii() and glyph["c"].isalnum():
                return glyph["c"].lower()
    return char


def fold(text: str) -> str:
    """Invisible characters dropped; compatibility, case, accent and script folding: what a
    reader would read."""
    if text.isascii():  # nothing to drop or fold but case: the common case, kept fast
        return text.casefold()
    text = unicodedata.normalize("NFKC", text.translate(_invisible())).casefold()
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return "".join(_latin(c) for c in text)


_REPEATS = re.compile(r"(.)\1+")


@lru_cache(maxsize=65_536)
def _cleaned(token: str) -> str:
    """Edge punctuation and in-word separators removed ("l.o.l.i" reads "loli")."""
    # At a word's end these are punctuation; at its start only "|" and separators are ("!ncest"
    # reads "incest").
    token = token.rstrip("!|" + _IN_WORD_SEPARATORS).lstrip("|" + _IN_WORD_SEPARATORS)
    return _SEPARATOR_RUN.sub("", token)


def _spelled(cleaned: str) -> str:
    """Leetspeak read as letters; repeated letters kept."""
    if any(c.isalpha() for c in cleaned):  # "16" stays a number; "l0l1" is a word in disguise
        return cleaned.translate(_LEET)
    return cleaned


@lru_cache(maxsize=65_536)
def _collapsed(spelled: str) -> str:
    """Repeated letters collapsed ("looolii" reads "loli")."""
    return _REPEATS.sub(r"\1", spelled)


def words(text: str) -> list[str]:
    """The text as a list of normalised words, single letters spelled out joined into one."""
    return [skeleton for skeleton, _, _ in spelled_words(fold(text))]


def as_leetspeak(word: str) -> str:
    """One word as a reader of leetspeak would take it ("childlike" → "chiidiike"), so a form
    can be matched whether it was written plainly or in leetspeak."""
    return _spelled(_cleaned(fold(word)))


def spelled_words(folded: str) -> list[tuple[str, str, str]]:
    """Each word of an already folded text three ways: normalised (leetspeak read, separators
    removed, repeated letters collapsed), as written (so a caller can recognise a real word such
    as the surname "kidd" before it collapses to "kid"), and spelled: a word of plain letters as
    it is ("kiddle" stays apart from "kiddie"), a word with digits or symbols read as leetspeak,
    repeated letters kept either way ("lollies" stays apart from "lolies")."""
    out: list[tuple[str, str, str]] = []
    run: list[str] = []
    for token in _SPLIT.split(folded):
        cleaned = _cleaned(token) if token else ""
        if not cleaned:
            continue
        if len(cleaned) == 1:
            run.append(cleaned)
            continue
        if run:
            out.append(_read("".join(run)))
            run = []
        out.append(_read(cleaned, token.strip("!|" + _IN_WORD_SEPARATORS)))
    if run:
        out.append(_read("".join(run)))
    return out


@lru_cache(maxsize=65_536)
def _read(cleaned: str, written: str | None = None) -> tuple[str, str, str]:
    leet = _spelled(cleaned)
    return _collapsed(leet), written if written is not None else cleaned, \
        cleaned if cleaned.isalpha() else leet
