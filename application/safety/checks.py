"""What runs on every text a creator writes: the blocked-term filter, then the likeness check."""

from collections.abc import Mapping
from dataclasses import asdict
from typing import Any

from application.safety.blocked_terms import BlockedTermFilter, Term
from application.safety.likeness import LikenessCheck, shipped_public_figures
from domain.errors import DomainError


class BlockedTermsError(DomainError):
    code = "blocked_terms"

    def __init__(self, hits: list[dict[str, str]]) -> None:
        fields = ", ".join(sorted({h["field"] for h in hits}))
        super().__init__(f"blocked terms found in: {fields}")
        self.details = hits


class SafetyChecks:
    def __init__(self) -> None:
        self._likeness = LikenessCheck(shipped_public_figures())
        self._filters: dict[int, BlockedTermFilter] = {}

    def refuse_blocked(self, fields: Mapping[str, str], terms: dict[str, str],
                       list_version: int) -> None:
        """Raise BlockedTermsError naming each field and term; the filter is rebuilt per list
        version, so an admin's change applies to the next write."""
        hits = self.blocked_filter(terms, list_version).find(fields)
        if hits:
            raise BlockedTermsError([asdict(hit) for hit in hits])

    def blocked_filter(self, terms: dict[str, str], list_version: int) -> BlockedTermFilter:
        check = self._filters.get(list_version)
        if check is None:
            check = BlockedTermFilter(Term(t, c) for t, c in terms.items())
            self._filters = {list_version: check}
        return check

    def likeness(self, fields: Mapping[str, str]) -> list[dict[str, Any]]:
        return [asdict(match) for match in self._likeness.check(fields)]
