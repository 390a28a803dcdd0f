"""Text as the language tables read it: every script kept (unlike normalise.fold, which maps
look-alikes to Latin and would turn Cyrillic into nonsense), but invisible characters dropped,
compatibility forms, case and accents folded, and every script's digits read as ASCII digits.
The tables' own patterns go through the same fold, so a pattern is written in its language's
ordinary spelling and still matches text typed without accents."""

import re
import sys
import unicodedata
from functools import lru_cache

from application.safety.normalise import _invisible

# Letters with no decomposition that people type plainly when they leave accents out.
_PLAIN = {"ı": "i", "ł": "l", "ø": "o", "đ": "d", "ħ": "h", "ŧ": "t", "ſ": "s", "’": "'",
          "ʼ": "'", "‘": "'", "´": "'", "`": "'", "ς": "σ"}


@lru_cache(maxsize=1)
def _table() -> dict[int, str | None]:
    table: dict[int, str | None] = dict(_invisible())
    for code in range(sys.maxunicode + 1):
        char = chr(code)
        if unicodedata.category(char) == "Nd" and not char.isascii():
            table[code] = str(unicodedata.decimal(char))
    table.update({ord(k): v for k, v in _PLAIN.items()})
    return table


_SPACES = re.compile(r"\s+")


def fold(text: str) -> str:
    if text.isascii():
        text = text.casefold()
        return _SPACES.sub(" ", text) if "  " in text or "\n" in text or "\t" in text else text
    text = unicodedata.normalize("NFKC", text.translate(_table())).casefold()
    text = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text).translate(_table()))
