"""A user's report about a creator, persona or content item, worked by an admin."""

from datetime import datetime
from typing import Any

from eventsourcing.domain import Aggregate, event

from domain.errors import DomainError, InvalidTransitionError

TARGET_KINDS = ("creator", "persona", "content")
CATEGORIES = ("underage", "non_consensual", "real_person_likeness", "violence", "hate",
              "spam", "scam", "copyright", "other")
RESOLUTIONS = ("dismiss", "warn", "strike", "suspend")


class InvalidReportError(DomainError):
    code = "invalid_report"


class ContentReport(Aggregate):
    class Filed(Aggregate.Created):
        reporter_id: str
        target_kind: str
        target_id: str
        creator_user_id: str
        category: str
        text: str
        at: datetime

    @event(Filed)
    def __init__(self, reporter_id: str, target_kind: str, target_id: str, creator_user_id: str,
                 category: str, text: str, at: datetime) -> None:
        self.reporter_id = reporter_id
        self.target_kind = target_kind
        self.target_id = target_id
        self.creator_user_id = creator_user_id
        self.category = category
        self.text = text
        self.resolution: str | None = None
        self.opinion: dict[str, Any] | None = None

    @classmethod
    def file(cls, *, reporter_id: str, target_kind: str, target_id: str, creator_user_id: str,
             category: str, text: str, at: datetime) -> "ContentReport":
        if target_kind not in TARGET_KINDS:
            raise InvalidReportError(f"target_kind must be one of {', '.join(TARGET_KINDS)}")
        if category not in CATEGORIES:
            raise InvalidReportError(f"category must be one of {', '.join(CATEGORIES)}")
        text = text.strip()
        if not 1 <= len(text) <= 2_000:
            raise InvalidReportError("text must be 1 to 2000 characters")
        return cls(reporter_id=reporter_id, target_kind=target_kind, target_id=target_id,
                   creator_user_id=creator_user_id, category=category, text=text, at=at)

    def record_opinion(self, opinion: dict[str, Any], at: datetime) -> None:
        """A model's second opinion for the admin who works the report (it decides nothing)."""
        self._opinion_recorded(opinion=opinion, at=at)

    class SecondOpinionRecorded(Aggregate.Event):
        opinion: dict[str, Any]
        at: datetime

    @event(SecondOpinionRecorded)
    def _opinion_recorded(self, opinion: dict[str, Any], at: datetime) -> None:
        self.opinion = opinion

    def resolve(self, resolution: str, note: str, actor: str, at: datetime) -> None:
        if self.resolution is not None:
            raise InvalidTransitionError(f"report already resolved: {self.resolution}")
        if resolution not in RESOLUTIONS:
            raise InvalidReportError(f"resolution must be one of {', '.join(RESOLUTIONS)}")
        self._resolved(resolution=resolution, note=note, actor=actor, at=at)

    class Resolved(Aggregate.Event):
        resolution: str
        note: str
        actor: str
        at: datetime

    @event(Resolved)
    def _resolved(self, resolution: str, note: str, actor: str, at: datetime) -> None:
        self.resolution = resolution
