"""Text normalisation that defeats the usual evasions before any matching.

Steps: Unicode compatibility folding (NFKC: full-width and styled letters), case folding, accents
removed, look-alike letters from other scripts mapped to Latin (confusable-homoglyphs), leetspeak
and symbol substitutions mapped to letters, separators inside a word removed ("l.o.l.i"), runs of
single letters joined ("l o l i") and repeated letters collapsed ("looolii"). Matching then works
on whole words, so an innocent word that merely contains a blocked string never matches.
"""

import re
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
    """Compatibility, case, accent and script folding: what a reader would read."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return "".join(_latin(c) for c in text)


def _skeleton(token: str) -> str:
    token = token.strip("!|" + _IN_WORD_SEPARATORS)  # at a word's edge these are punctuation
    if any(c.isalpha() for c in token):  # "16" stays a number; "l0l1" is a word in disguise
        token = token.translate(_LEET)
    token = _SEPARATOR_RUN.sub("", token)
    return re.sub(r"(.)\1+", r"\1", token)


def words(text: str) -> list[str]:
    """The text as a list of normalised words, single letters spelled out joined into one."""
    raw = [t for t in _SPLIT.split(fold(text)) if t]
    out: list[str] = []
    run: list[str] = []
    for token in raw:
        skeleton = _skeleton(token)
        if not skeleton:
            continue
        if len(skeleton) == 1:
            run.append(skeleton)
            continue
        if run:
            out.append(_skeleton("".join(run)))
            run = []
        out.append(skeleton)
    if run:
        out.append(_skeleton("".join(run)))
    return out
