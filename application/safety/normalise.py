"""Text normalisation that defeats the usual evasions before any matching.

Steps: invisible characters removed (every Unicode format character, such as zero-width spaces
and joiners, soft hyphens and bidi marks, and the blank "filler" letters), Unicode compatibility
folding (NFKC: full-width and styled letters), case folding, accents removed, look-alike letters from other scripts mapped to Latin (confusable-homoglyphs), leetspeak
and symbol substitutions mapped to letters, separators inside a word removed ("l.o.l.i"), runs of
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
def _skeleton(token: str) -> str:
    token = token.strip("!|" + _IN_WORD_SEPARATORS)  # at a word's edge these are punctuation
    if any(c.isalpha() for c in token):  # "16" stays a number; "l0l1" is a word in disguise
        token = token.translate(_LEET)
    token = _SEPARATOR_RUN.sub("", token)
    return _REPEATS.sub(r"\1", token)


def words(text: str) -> list[str]:
    """The text as a list of normalised words, single letters spelled out joined into one."""
    return [skeleton for skeleton, _ in folded_words(fold(text))]


def folded_words(folded: str) -> list[tuple[str, str]]:
    """(normalised word, the word as written but folded) for an already folded text: the
    second lets a caller recognise a real word ("kidd", a surname) before repeated letters are
    collapsed and digits read as letters."""
    out: list[tuple[str, str]] = []
    run: list[str] = []
    for token in _SPLIT.split(folded):
        skeleton = _skeleton(token) if token else ""
        if not skeleton:
            continue
        if len(skeleton) == 1:
            run.append(skeleton)
            continue
        if run:
            joined = "".join(run)
            out.append((_skeleton(joined), joined))
            run = []
        out.append((skeleton, token.strip("!|" + _IN_WORD_SEPARATORS)))
    if run:
        joined = "".join(run)
        out.append((_skeleton(joined), joined))
    return out
