"""The review step shared by creators and personas: only what was submitted is decided on, and a
rejection always carries a reason the submitter can act on."""

from domain.errors import DomainError, InvalidTransitionError


class MissingReasonError(DomainError):
    code = "reason_required"


def check_decision(status: str, what: str, decision: str, reason: str | None = None) -> None:
    if status != "submitted":
        raise InvalidTransitionError(f"only a submitted {what} can be {decision} (is {status})")
    if reason is not None and not reason.strip():
        raise MissingReasonError("a rejection needs a reason")
