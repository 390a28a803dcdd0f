"""Notations no language owns, read before any table: forum age-sex tags and letters split to
dodge a filter.

- Age-sex tags: "(15f)", "[m14]", "{f/16}", "15/f", "m/14", "14/f/uk", "asl 14 f": an age in
  a tag, under 18, blocks. A bare "15F" or "F15" (a temperature, a fighter jet, a bra size), or
  "14 f here" in a greeting, only goes to review.
- Split letters: "s.i.x.t.e.e.n", "s i x t e e n", "a-g-e 1-4", "f_i_f_t_e_e_n": a run of
  single letters or digits joined by one separator is read joined ("sixteen", "age 14"), and
  every layer reads that text too.
"""

import re

from application.safety.verdict import BLOCK, REVIEW, TABLES, UNDERAGE, Finding

_AGE = r"(?P<n>1[0-7]|[5-9])"
_SEX = r"(?:f|m|ftm|mtf|nb|girl|boy|g|b)"
_TAGGED = [
    # (15f) [m14] {f/16} <15 f> (age 15 f)
    re.compile(r"[(\[{<]\s*(?:" + _AGE + r"\s*[/\\|,. ]?\s*" + _SEX + r"|" + _SEX +
               r"\s*[/\\|,. ]?\s*" + _AGE.replace("P<n>", "P<m>") + r")\s*(?:[/\\|,]\s*\w+\s*)?[)\]}>]"),
    # 15/f, m/14, 14/f/uk, f|15
    re.compile(r"(?<![\w/])(?:" + _AGE + r"\s*[/\\|]\s*" + _SEX + r"|" + _SEX + r"\s*[/\\|]\s*" +
               _AGE.replace("P<n>", "P<m>") + r")(?![\w.,]?\d)(?!\s*[/\\|]\s*\d)"),
    # asl 14 f, a/s/l: 15/f
    re.compile(r"\ba\s*/?\s*s\s*/?\s*l\b\W{0,3}" + _AGE + r"\b"),
]
# "14 f here", "15 m, bored": an age and a sex with a space, as a greeting says it.
_SPACED = re.compile(r"(?<![\w/.,£$€-])" + _AGE + r" (?:f|m)(?=\s*(?:here|looking|from|bored|new|"
                     r"lol|hi|,|!|\?|$))")
_BARE = re.compile(r"(?<![\w/.,£$€-])(?:" + _AGE + _SEX + r"|" + _SEX + _AGE.replace("P<n>", "P<m>") +
                   r")(?![\w/.,°-])")
_SPLIT = re.compile(r"(?<!\w)(?:\w([.\-_*·•~ ])){2,}\w(?!\w)")


_DIGIT = re.compile(r"\d")


def findings(folded: str, field: str = "") -> list[Finding]:
    found: list[Finding] = []
    if not _DIGIT.search(folded):  # every notation has an age in digits: most texts have none
        return found
    for pattern in _TAGGED:
        match = pattern.search(folded)
        if match:
            found.append(Finding(BLOCK, UNDERAGE, "notation:age-sex-tag", match.group(0), "",
                                 TABLES, field))
            break
    else:
        match = _BARE.search(folded) or _SPACED.search(folded)
        if match:
            found.append(Finding(REVIEW, UNDERAGE, "notation:bare-age-sex", match.group(0), "",
                                 TABLES, field))
    return found


def rejoined(folded: str) -> str | None:
    """The text with split letters joined, or None when nothing was split."""
    if not _SPLIT.search(folded):
        return None
    joined = _SPLIT.sub(_join, folded)
    return joined if joined != folded else None


_SEPARATORS = re.compile(r"[.\-_*·•~]")


def _join(match: re.Match[str]) -> str:
    """Single characters joined within each space-separated group ("a-g-e 1-4" -> "age 14"), or,
    when only spaces separate them, a run of four or more ("s i x t e e n"; "a b c" stays)."""
    run = match.group(0)
    if not _SEPARATORS.search(run):
        pieces = run.split(" ")
        return "".join(pieces) if len(pieces) >= 4 else run
    groups = []
    for group in run.split(" "):
        pieces = _SEPARATORS.split(group)
        groups.append("".join(pieces) if all(len(p) == 1 for p in pieces) else group)
    return " ".join(groups)
