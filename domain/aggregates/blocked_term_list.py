"""The admin-managed list of blocked terms (youth-coded, incest, violence)."""

from datetime import datetime
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain import ids
from domain.errors import DomainError

CATEGORIES = ("youth", "incest", "violence")


class InvalidBlockedTermError(DomainError):
    code = "invalid_blocked_term"


class BlockedTermList(Aggregate):
    @staticmethod
    def create_id(**_: object) -> UUID:
        return uuid5(ids.TAGS, "blocked-terms")

    class Opened(Aggregate.Created):
        opened_by: str

    @event(Opened)
    def __init__(self, opened_by: str) -> None:
        self.terms: dict[str, str] = {}  # term -> category
        self.removed: set[str] = set()  # taken off by an admin: a later release never re-adds

    def adopt(self, shipped: list[tuple[str, str]], actor: str, at: datetime) -> bool:
        """Terms a newer release ships, added unless an admin removed them; True if any was."""
        before = len(self.terms)
        for term, category in shipped:
            key = " ".join(term.lower().split())
            if key not in self.terms and key not in self.removed:
                self.add(term, category, actor, at)
        return len(self.terms) != before

    def add(self, term: str, category: str, actor: str, at: datetime) -> None:
        term = " ".join(term.lower().split())
        if not 2 <= len(term) <= 60:
            raise InvalidBlockedTermError("a term must be 2 to 60 characters")
        if category not in CATEGORIES:
            raise InvalidBlockedTermError(f"category must be one of {', '.join(CATEGORIES)}")
        if self.terms.get(term) != category:
            self._added(term=term, category=category, actor=actor, at=at)

    def remove(self, term: str, actor: str, at: datetime) -> None:
        term = " ".join(term.lower().split())
        if term in self.terms:
            self._removed(term=term, actor=actor, at=at)

    class TermAdded(Aggregate.Event):
        term: str
        category: str
        actor: str
        at: datetime

    @event(TermAdded)
    def _added(self, term: str, category: str, actor: str, at: datetime) -> None:
        self.terms[term] = category
        self.removed.discard(term)

    class TermRemoved(Aggregate.Event):
        term: str
        actor: str
        at: datetime

    @event(TermRemoved)
    def _removed(self, term: str, actor: str, at: datetime) -> None:
        del self.terms[term]
        self.removed.add(term)
