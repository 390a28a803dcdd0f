"""A creator's warnings and strikes, one stream per creator (moderation is low-volume)."""

from datetime import datetime
from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate, event

from domain import ids
from domain.errors import DomainError, InvalidTransitionError
from domain.strikes import (
    STRIKE,
    WARNING,
    StrikeFact,
    StrikePolicy,
    active_strikes,
    crosses_threshold,
)


class UnknownStrikeError(DomainError):
    code = "unknown_strike"


class StrikeRecord(Aggregate):
    @staticmethod
    def create_id(creator_user_id: str, **_: object) -> UUID:
        return ids.strike_record_id(creator_user_id)

    class Opened(Aggregate.Created):
        creator_user_id: str
        opened_by: str

    @event(Opened)
    def __init__(self, creator_user_id: str, opened_by: str) -> None:
        self.creator_user_id = creator_user_id
        self.entries: dict[str, dict] = {}

    def facts(self) -> list[StrikeFact]:
        return [StrikeFact(e["severity"], e["issued_at"], e["revoked"]) for e in self.entries.values()]

    def active(self, now: datetime, policy: StrikePolicy) -> int:
        return active_strikes(self.facts(), now, policy)

    def issue(self, severity: str, reason: str, evidence_ref: str | None, actor: str,
              at: datetime, policy: StrikePolicy) -> tuple[str, bool]:
        """Record a warning or strike; returns its id and whether it reaches suspension."""
        if severity not in (WARNING, STRIKE):
            raise InvalidTransitionError("severity must be warning or strike")
        crossing = crosses_threshold(self.facts(), StrikeFact(severity, at), policy)
        strike_id = str(uuid4())
        self._issued(strike_id=strike_id, severity=severity, reason=reason,
                     evidence_ref=evidence_ref, actor=actor, at=at)
        return strike_id, crossing

    def revoke(self, strike_id: str, reason: str, actor: str, at: datetime) -> None:
        entry = self.entries.get(strike_id)
        if entry is None:
            raise UnknownStrikeError(f"no strike {strike_id}")
        if entry["revoked"]:
            return
        self._revoked(strike_id=strike_id, reason=reason, actor=actor, at=at)

    class Issued(Aggregate.Event):
        strike_id: str
        severity: str
        reason: str
        evidence_ref: str | None
        actor: str
        at: datetime

    @event(Issued)
    def _issued(self, strike_id: str, severity: str, reason: str, evidence_ref: str | None,
                actor: str, at: datetime) -> None:
        self.entries[strike_id] = {"severity": severity, "issued_at": at, "revoked": False,
                                   "reason": reason, "evidence_ref": evidence_ref}

    class Revoked(Aggregate.Event):
        strike_id: str
        reason: str
        actor: str
        at: datetime

    @event(Revoked)
    def _revoked(self, strike_id: str, reason: str, actor: str, at: datetime) -> None:
        self.entries[strike_id]["revoked"] = True
