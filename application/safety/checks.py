"""What runs on every text a creator or fan writes: the rule layers (the blocked-term list with
its English rules, and the language tables) and the likeness check.

The language tables load once, when this is built at start: a file that does not load stops
the server with the file and the line.
"""

from collections.abc import Mapping
from dataclasses import asdict
from typing import Any

from application.safety.blocked_terms import BlockedTermFilter, Term
from application.safety.likeness import LikenessCheck, shipped_public_figures
from application.safety.screen import Screen
from application.safety.tables.matcher import TableScreen, load_tables
from application.safety.verdict import Verdict
from domain.errors import DomainError


class BlockedTermsError(DomainError):
    code = "blocked_terms"

    def __init__(self, hits: list[dict[str, str]]) -> None:
        fields = ", ".join(sorted({h["field"] for h in hits}))
        super().__init__(f"blocked terms found in: {fields}")
        self.details = hits


def refusal(verdict: Verdict) -> BlockedTermsError:
    """The error a blocked text gets: each block finding with its field, rule (`term`, as
    before), words (`matched`), category, language and layer."""
    return BlockedTermsError([
        {"term": f.rule, "category": f.category, "field": f.field, "matched": f.span,
         "language": f.language, "layer": f.layer} for f in verdict.findings
        if f.outcome == "block"])


class SafetyChecks:
    def __init__(self, tables: TableScreen | None = None) -> None:
        self._likeness = LikenessCheck(shipped_public_figures())
        self._tables = tables if tables is not None else load_tables()
        self._screens: dict[int, Screen] = {}

    def refuse_blocked(self, fields: Mapping[str, str], terms: dict[str, str],
                       list_version: int) -> Verdict:
        """Raise BlockedTermsError on a block; else the verdict (its review findings for the
        caller to record). The screen is rebuilt per list version, so an admin's change applies
        to the next write."""
        verdict = self.screen(terms, list_version).check(fields)
        if verdict.blocked:
            raise refusal(verdict)
        return verdict

    def screen(self, terms: dict[str, str], list_version: int) -> Screen:
        screen = self._screens.get(list_version)
        if screen is None:
            screen = Screen(BlockedTermFilter(Term(t, c) for t, c in terms.items()), self._tables)
            self._screens = {list_version: screen}
        return screen

    def likeness(self, fields: Mapping[str, str]) -> list[dict[str, Any]]:
        return [asdict(match) for match in self._likeness.check(fields)]
