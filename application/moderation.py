"""Admin decisions about creators: review, strikes and suspensions, and users' reports.

Every decision is an event with its actor. No admin can act on their own creator account.
"""

from typing import Any
from uuid import UUID

from adapters.eventstore.ledger import Ledger
from application.clock import Clock
from application.safety.second_opinion import SecondOpinions
from domain import ids
from domain.aggregates.content_report import ContentReport
from domain.aggregates.creator import Creator
from domain.aggregates.strike_record import StrikeRecord
from domain.errors import DomainError, UnknownCreatorError
from domain.strikes import STRIKE, WARNING, StrikePolicy


class SelfModerationError(DomainError):
    code = "self_moderation"


class UnknownReportError(DomainError):
    code = "unknown_report"


class Moderation:
    def __init__(self, ledger: Ledger, clock: Clock, policy: StrikePolicy,
                 opinions: SecondOpinions | None = None) -> None:
        self._ledger = ledger
        self._clock = clock
        self.policy = policy
        self.opinions = opinions

    # -- review -----------------------------------------------------------------------------

    def approve(self, actor: str, user_id: str, reason: str) -> Creator:
        creator = self._creator(actor, user_id)
        creator.approve(actor, reason, self._clock())
        self._ledger.save(creator)
        return creator

    def reject(self, actor: str, user_id: str, reason: str) -> Creator:
        creator = self._creator(actor, user_id)
        creator.reject(actor, reason, self._clock())
        self._ledger.save(creator)
        return creator

    # -- standing ---------------------------------------------------------------------------

    def suspend(self, actor: str, user_id: str, reason: str) -> Creator:
        creator = self._creator(actor, user_id)
        creator.suspend(reason, actor, self._clock())
        self._ledger.save(creator)
        return creator

    def reinstate(self, actor: str, user_id: str) -> Creator:
        creator = self._creator(actor, user_id)
        creator.reinstate(actor, self._clock())
        self._ledger.save(creator)
        return creator

    def issue(self, actor: str, user_id: str, severity: str, reason: str,
              evidence_ref: str | None = None) -> dict[str, Any]:
        creator = self._creator(actor, user_id)
        record = self._strikes(user_id, actor)
        touched = self._issue(creator, record, actor, severity, reason, evidence_ref)
        self._ledger.save(*touched)
        return self.standing(user_id)

    def revoke(self, actor: str, user_id: str, strike_id: str, reason: str) -> dict[str, Any]:
        """An appeal upheld: the strike stops counting (a suspension stays until reinstated)."""
        self._creator(actor, user_id)
        record = self._strikes(user_id, actor)
        record.revoke(strike_id, reason, actor, self._clock())
        self._ledger.save(record)
        return self.standing(user_id)

    def standing(self, user_id: str) -> dict[str, Any]:
        creator = self._ledger.get_or_none(ids.creator_id(user_id))
        if creator is None:
            raise UnknownCreatorError(f"no creator {user_id}")
        record = self._ledger.get_or_none(ids.strike_record_id(user_id))
        now = self._clock()
        return {"creator_id": user_id, "status": creator.status, "suspended": creator.suspended,
                "active_strikes": record.active(now, self.policy) if record else 0,
                "suspend_at_active": self.policy.suspend_at_active,
                "strike_ttl_days": self.policy.strike_ttl.days,
                "entries": [{"strike_id": key, **{k: (v.isoformat() if k == "issued_at" else v)
                                                  for k, v in entry.items()}}
                            for key, entry in (record.entries.items() if record else [])]}

    def _issue(self, creator: Creator, record: StrikeRecord, actor: str, severity: str,
               reason: str, evidence_ref: str | None) -> list[Any]:
        now = self._clock()
        _, crossing = record.issue(severity, reason, evidence_ref, actor, now, self.policy)
        if crossing:
            creator.suspend(f"{self.policy.suspend_at_active} active strikes", actor, now,
                            source="strike_policy")
        return [record, creator]

    # -- reports ----------------------------------------------------------------------------

    def file_report(self, reporter_id: str, target_kind: str, target_id: str,
                    creator_user_id: str, category: str, text: str) -> ContentReport:
        if self._ledger.get_or_none(ids.creator_id(creator_user_id)) is None:
            raise UnknownCreatorError(f"no creator {creator_user_id}")
        report = ContentReport.file(reporter_id=reporter_id, target_kind=target_kind,
                                    target_id=target_id, creator_user_id=creator_user_id,
                                    category=category, text=text, at=self._clock())
        if self.opinions is not None:  # for the admin who works it; it decides nothing
            report.record_opinion(self.opinions.assess({"report": report.text}), self._clock())
        self._ledger.save(report)
        return report

    def resolve_report(self, actor: str, report_id: UUID, resolution: str, note: str) -> dict[str, Any]:
        report = self._ledger.get_or_none(report_id)
        if not isinstance(report, ContentReport):
            raise UnknownReportError(f"no report {report_id}")
        creator = self._creator(actor, report.creator_user_id)
        now = self._clock()
        report.resolve(resolution, note, actor, now)
        touched: list[Any] = [report]
        reason = f"report {report.id}: {report.category}" + (f" ({note})" if note else "")
        if resolution in ("warn", "strike"):
            severity = WARNING if resolution == "warn" else STRIKE
            touched += self._issue(creator, self._strikes(report.creator_user_id, actor), actor,
                                   severity, reason, f"report:{report.id}")
        elif resolution == "suspend":
            creator.suspend(reason, actor, now, source="report")
            touched.append(creator)
        self._ledger.save(*touched)
        return {"report_id": str(report.id), "resolution": resolution,
                **self.standing(report.creator_user_id)}

    # -- helpers ----------------------------------------------------------------------------

    def _creator(self, actor: str, user_id: str) -> Creator:
        if actor == user_id:
            raise SelfModerationError("admins cannot act on their own creator account")
        creator = self._ledger.get_or_none(ids.creator_id(user_id))
        if creator is None:
            raise UnknownCreatorError(f"no creator {user_id}")
        return creator

    def _strikes(self, user_id: str, actor: str) -> StrikeRecord:
        return (self._ledger.get_or_none(ids.strike_record_id(user_id))
                or StrikeRecord(creator_user_id=user_id, opened_by=actor))
