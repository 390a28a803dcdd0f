"""The rule layers together: what every text a creator or fan writes is checked with.

1. terms: the admin-managed list with its English rules (blocked_terms.py): blocks;
2. tables: forum notations and split letters (tables/notation.py), then every language's table
   (tables/): blocks what is certain (an age stated, a school year, a youth word), sends to
   review what words suggest but cannot settle (childhood without an age, incapacity,
   coercion, covert recording);
3. the model, in its callers: the persona's second opinion and the chat reply's classification.

Split letters are read joined by every layer. Where a table knows better than the terms layer
(an age that is a parent's child's or a sibling's, a time ago), the terms layer's age finding
gives way: to review for a sibling, to nothing for the writer's child or when the writer states
their own adult age.
"""

from collections.abc import Mapping
from dataclasses import replace

from application.safety.blocked_terms import BlockedTermFilter, Hit
from application.safety.tables import notation
from application.safety.tables.fold import fold
from application.safety.tables.matcher import TableScreen
from application.safety.verdict import (
    BLOCK,
    NON_CONSENSUAL,
    REVIEW,
    TERMS,
    UNDERAGE,
    Finding,
    Verdict,
)

MAX_CHECKED_CHARS = 20_000  # a longer text is checked in pieces of this size (bounded time)
_TERM_CATEGORIES = {"youth": UNDERAGE}
# Listed youth words a parent or a teacher uses of their own children or pupils: with the
# writer's adult age or role stated, they go to review rather than block.
_EVERYDAY_YOUTH_WORDS = frozenset({"child", "kid", "kiddo", "teen", "teenage", "teenager"})
_CONSENT_TERMS = frozenset({"consent refused", "non consent", "noncon", "dubcon", "dbcon", "nncn",
                            "dub con", "dubious consent", "non consensual", "nonconsensual",
                            "consensual non consent", "cnc", "no means yes", "rape", "rapist"})


def _finding(hit: Hit) -> Finding:
    category = NON_CONSENSUAL if hit.term in _CONSENT_TERMS else \
        _TERM_CATEGORIES.get(hit.category, hit.category)
    return Finding(BLOCK, category, hit.term, hit.matched, "", TERMS, hit.field)


class Screen:
    def __init__(self, terms: BlockedTermFilter, tables: TableScreen) -> None:
        self.terms = terms
        self.tables = tables

    def check(self, fields: Mapping[str, str]) -> Verdict:
        findings: list[Finding] = []
        for field, text in fields.items():
            if len(text) <= MAX_CHECKED_CHARS:
                findings.extend(self._field(field, text))
                continue
            for start in range(0, len(text), MAX_CHECKED_CHARS):
                findings.extend(self._field(field, text[start:start + MAX_CHECKED_CHARS]))
        return Verdict.of(dict.fromkeys(findings))  # each finding once, in order

    def _field(self, field: str, text: str) -> list[Finding]:
        folded = fold(text)
        found: list[Finding] = []
        for read in (folded, notation.rejoined(folded)):
            if read is None:
                continue
            reading = self.tables.read(read, field)
            for hit in self.terms.find({field: read if read is not folded else text}):
                if hit.category == "youth" and _within(
                        read, hit.matched, [*reading.not_spans(), *reading.young_spans]):
                    continue  # a table says whose age it is, or that it is no age
                if hit.term in _EVERYDAY_YOUTH_WORDS and reading.writer_is_adult():
                    found.append(replace(_finding(hit), outcome=REVIEW))  # a parent's "kids"
                    continue
                found.append(_finding(hit))
            found.extend(reading.findings)
            found.extend(notation.findings(read, field))
        return found


def _within(folded: str, matched: str, spans: list[tuple[int, int]]) -> bool:
    """Whether the terms layer's match overlaps one of the spans (found where the two folds of
    the text agree, which they do but for look-alike letters and leetspeak)."""
    if not spans:
        return False
    at = folded.find(matched)
    end = at + len(matched)
    return at >= 0 and any(at < s_end and s_start < end for s_start, s_end in spans)

