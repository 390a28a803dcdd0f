"""An AI persona ("model"): a draft, reviewed by an admin, then published by its creator.

The live version is what fans see. Editing an approved persona sends the new draft back to
review while the live version stays up until the new one is approved.

What the safety checks could not settle travels with the version in review: findings a person
must weigh (approving then needs their explicit acknowledgement, recorded here), and the model's
finding of a minor or of non-consent, which means a second, different admin must approve too.
"""

from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain import ids
from domain.errors import DomainError, InvalidTransitionError
from domain.review import check_decision

DRAFT = "draft"
SUBMITTED = "submitted"
APPROVED = "approved"
REJECTED = "rejected"


class PersonaLimitError(DomainError):
    code = "persona_limit"


class AcknowledgementRequiredError(DomainError):
    code = "acknowledgement_required"


class SecondReviewerRequiredError(DomainError):
    code = "second_reviewer_required"


class Persona(Aggregate):
    class Drafted(Aggregate.Created):
        creator_user_id: str
        profile: dict[str, Any]
        at: datetime

    @event(Drafted)
    def __init__(self, creator_user_id: str, profile: dict[str, Any], at: datetime) -> None:
        self.creator_user_id = creator_user_id
        self.profile = profile
        self.review = DRAFT
        self.live: dict[str, Any] | None = None
        self.published = False
        self.likeness: list[dict[str, Any]] = []
        self.opinion: dict[str, Any] | None = None
        self.review_findings: list[dict[str, Any]] = []
        self.second_review: dict[str, Any] | None = None  # why a second admin must approve
        self.first_approver: str | None = None

    def edit(self, profile: dict[str, Any], likeness: list[dict[str, Any]], at: datetime) -> None:
        if self.review == SUBMITTED:
            raise InvalidTransitionError("the persona is in review; wait for the decision")
        if profile == self.profile:
            return
        was_approved = self.review == APPROVED
        self._edited(profile=profile, at=at)
        if was_approved:  # public fields changed: back to review, the live version stays up
            self._submitted(likeness=likeness, at=at)

    def submit(self, likeness: list[dict[str, Any]], at: datetime) -> None:
        if self.review not in (DRAFT, REJECTED):
            raise InvalidTransitionError(f"only a draft can be submitted (is {self.review})")
        self._submitted(likeness=likeness, at=at)

    def record_opinion(self, opinion: dict[str, Any], at: datetime) -> None:
        """A model's second opinion on the version in review, for its reviewer (it decides
        nothing)."""
        if self.review != SUBMITTED:
            raise InvalidTransitionError("an opinion is for a version in review")
        self._opinion_recorded(opinion=opinion, at=at)

    class SecondOpinionRecorded(Aggregate.Event):
        opinion: dict[str, Any]
        at: datetime

    @event(SecondOpinionRecorded)
    def _opinion_recorded(self, opinion: dict[str, Any], at: datetime) -> None:
        self.opinion = opinion

    def record_findings(self, findings: list[dict[str, Any]], at: datetime) -> None:
        """What the rule layers sent to review in the version in review."""
        if self.review != SUBMITTED:
            raise InvalidTransitionError("findings are for a version in review")
        if findings:
            self._findings_recorded(findings=findings, at=at)

    class SafetyFindingsRecorded(Aggregate.Event):
        findings: list[dict[str, Any]]
        at: datetime

    @event(SafetyFindingsRecorded)
    def _findings_recorded(self, findings: list[dict[str, Any]], at: datetime) -> None:
        self.review_findings = findings

    def require_second_review(self, why: dict[str, Any], at: datetime) -> None:
        """The model found what only two people may let through (a minor, non-consent)."""
        if self.review != SUBMITTED:
            raise InvalidTransitionError("a second review is for a version in review")
        self._second_review_required(why=why, at=at)

    class SecondReviewRequired(Aggregate.Event):
        why: dict[str, Any]
        at: datetime

    @event(SecondReviewRequired)
    def _second_review_required(self, why: dict[str, Any], at: datetime) -> None:
        self.second_review = why

    def approve(self, actor: str, reason: str, at: datetime, acknowledged: bool = False) -> None:
        """Approve, or give the first of two approvals; findings for review need the approver's
        acknowledgement, and a second approval must come from another admin."""
        check_decision(self.review, "persona", "approved")
        if self.review_findings and not acknowledged:
            raise AcknowledgementRequiredError(
                "the safety checks sent this persona to review: acknowledge their findings to "
                "approve it")
        if self.second_review is not None and self.first_approver == actor:
            raise SecondReviewerRequiredError(
                "the model found a minor or non-consent: another admin must approve it too")
        if self.review_findings:
            self._acknowledged(actor=actor, rules=[f.get("rule", "") for f in
                                                   self.review_findings], at=at)
        if self.second_review is not None and self.first_approver is None:
            self._first_approval(actor=actor, reason=reason, at=at)
            return
        self._approved(actor=actor, reason=reason, at=at)

    class FindingsAcknowledged(Aggregate.Event):
        actor: str
        rules: list[str]
        at: datetime

    @event(FindingsAcknowledged)
    def _acknowledged(self, actor: str, rules: list[str], at: datetime) -> None:
        pass

    class FirstApprovalGiven(Aggregate.Event):
        actor: str
        reason: str
        at: datetime

    @event(FirstApprovalGiven)
    def _first_approval(self, actor: str, reason: str, at: datetime) -> None:
        self.first_approver = actor

    def reject(self, actor: str, reason: str, at: datetime) -> None:
        check_decision(self.review, "persona", "rejected", reason)
        self._rejected(actor=actor, reason=reason, at=at)

    def publish(self, at: datetime) -> None:
        if self.live is None:
            raise InvalidTransitionError("nothing approved to publish yet")
        if not self.published:
            self._published(at=at)

    def unpublish(self, at: datetime) -> None:
        if self.published:
            self._unpublished(at=at)

    class Edited(Aggregate.Event):
        profile: dict[str, Any]
        at: datetime

    @event(Edited)
    def _edited(self, profile: dict[str, Any], at: datetime) -> None:
        self.profile = profile
        self.review = DRAFT

    class Submitted(Aggregate.Event):
        likeness: list[dict[str, Any]]
        at: datetime

    @event(Submitted)
    def _submitted(self, likeness: list[dict[str, Any]], at: datetime) -> None:
        self.review = SUBMITTED
        self.likeness = likeness
        self.review_findings = []
        self.second_review = None
        self.first_approver = None

    class Approved(Aggregate.Event):
        actor: str
        reason: str
        at: datetime

    @event(Approved)
    def _approved(self, actor: str, reason: str, at: datetime) -> None:
        self.review = APPROVED
        self.live = self.profile

    class Rejected(Aggregate.Event):
        actor: str
        reason: str
        at: datetime

    @event(Rejected)
    def _rejected(self, actor: str, reason: str, at: datetime) -> None:
        self.review = REJECTED
        self.first_approver = None

    class Published(Aggregate.Event):
        at: datetime

    @event(Published)
    def _published(self, at: datetime) -> None:
        self.published = True

    class Unpublished(Aggregate.Event):
        at: datetime

    @event(Unpublished)
    def _unpublished(self, at: datetime) -> None:
        self.published = False


class CreatorPersonas(Aggregate):
    """Which personas a creator has: saved with each new one, so the limit holds under races."""

    @staticmethod
    def create_id(creator_user_id: str, **_: object) -> UUID:
        return ids.creator_personas_id(creator_user_id)

    class Opened(Aggregate.Created):
        creator_user_id: str

    @event(Opened)
    def __init__(self, creator_user_id: str) -> None:
        self.persona_ids: list[UUID] = []

    def add(self, persona_id: UUID, limit: int) -> None:
        if len(self.persona_ids) >= limit:
            raise PersonaLimitError(f"a creator may have at most {limit} personas")
        self._added(persona_id=persona_id)

    class PersonaAdded(Aggregate.Event):
        persona_id: UUID

    @event(PersonaAdded)
    def _added(self, persona_id: UUID) -> None:
        self.persona_ids.append(persona_id)


