"""Three outcomes for any text: block what is certain, send to review what words suggest but
cannot settle, pass the rest; every finding says which rule, where, in which language and from
which layer, so a person (or the model) can act on it."""

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

BLOCK = "block"
REVIEW = "review"
PASS = "pass"
_RANK = {PASS: 0, REVIEW: 1, BLOCK: 2}

# The categories a finding names: the content-report categories reviewers already use.
UNDERAGE = "underage"
NON_CONSENSUAL = "non_consensual"

# Layers, in the order they run.
TERMS = "terms"  # the admin-managed list and its English rules (blocked_terms.py, signals.py)
TABLES = "tables"  # the language tables (tables/)
MODEL = "model"  # the provider's classification (chat) or second opinion (personas)


@dataclass(frozen=True)
class Finding:
    outcome: str  # block or review
    category: str  # underage, non_consensual, or a listed term's category
    rule: str  # which rule: a term, or a table row ("de:age:3")
    span: str  # the words that matched, as read after normalising
    language: str  # ISO 639-1 code, or "" for a rule of no language
    layer: str
    field: str = ""

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


@dataclass(frozen=True)
class Verdict:
    outcome: str
    findings: tuple[Finding, ...] = field(default=())

    @classmethod
    def of(cls, findings: Iterable[Finding]) -> "Verdict":
        found = tuple(findings)
        if not found:
            return PASSED
        return cls(max((f.outcome for f in found), key=_RANK.__getitem__), found)

    @property
    def blocked(self) -> bool:
        return self.outcome == BLOCK

    @property
    def for_review(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.outcome == REVIEW)

    def as_dict(self) -> dict[str, Any]:
        return {"outcome": self.outcome, "findings": [f.as_dict() for f in self.findings]}


PASSED = Verdict(PASS)
