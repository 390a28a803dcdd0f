"""Admin review and standing of creators: approve, reject, strikes, appeals, suspension."""

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from api.deps import CoreDep, CurrentUser, require, wait_for_position
from api.errors import ApiError
from api.params import Offset, Position

router = APIRouter(tags=["admin"], prefix="/api/admin/creators")


class Decision(BaseModel):
    reason: str = Field(default="", max_length=1_000)


class StrikeCreate(BaseModel):
    severity: Literal["warning", "strike"]
    reason: str = Field(min_length=1, max_length=1_000)
    evidence_ref: str | None = Field(default=None, max_length=300)


@router.get("")
def list_creators(core: CoreDep, user: CurrentUser,
                  status: Literal["onboarding", "submitted", "approved", "rejected"] | None
                  = "submitted", limit: Annotated[int, Query(ge=1, le=200)] = 50,
                  offset: Offset = 0,
                  min_position: Position | None = None) -> dict[str, Any]:
    """Creators by status (pending review by default) with KYC, Stripe and declaration status."""
    require(user, "admin")
    wait_for_position(core, min_position)
    return {"creators": core.admin_queries.creators(status, limit, offset)}


@router.get("/{creator_id}")
def get_creator(creator_id: str, core: CoreDep, user: CurrentUser,
                min_position: Position | None = None) -> dict[str, Any]:
    """One creator's review file and standing."""
    require(user, "admin")
    wait_for_position(core, min_position)
    row = core.admin_queries.creator(creator_id)
    if row is None:
        raise ApiError(404, "unknown_creator", f"no creator {creator_id}")
    return {**row, "standing": core.moderation.standing(creator_id)}


@router.post("/{creator_id}/approve")
def approve(creator_id: str, body: Decision, core: CoreDep, user: CurrentUser) -> dict[str, Any]:
    """Approve a submitted creator: they may publish and receive money."""
    require(user, "admin")
    creator = core.moderation.approve(user.user_id, creator_id, body.reason or "approved")
    return {"creator_id": creator_id, "status": creator.status}


@router.post("/{creator_id}/reject")
def reject(creator_id: str, body: Decision, core: CoreDep, user: CurrentUser) -> dict[str, Any]:
    """Reject a submitted creator with a reason; they can fix their onboarding and resubmit."""
    require(user, "admin")
    creator = core.moderation.reject(user.user_id, creator_id, body.reason)
    return {"creator_id": creator_id, "status": creator.status}


@router.post("/{creator_id}/suspend")
def suspend(creator_id: str, body: Decision, core: CoreDep, user: CurrentUser) -> dict[str, Any]:
    """Suspend: no tips or purchases reach them; money already held stays held."""
    require(user, "admin")
    core.moderation.suspend(user.user_id, creator_id, body.reason)
    return core.moderation.standing(creator_id)


@router.post("/{creator_id}/reinstate")
def reinstate(creator_id: str, core: CoreDep, user: CurrentUser) -> dict[str, Any]:
    """Lift a suspension."""
    require(user, "admin")
    core.moderation.reinstate(user.user_id, creator_id)
    return core.moderation.standing(creator_id)


@router.get("/{creator_id}/strikes")
def strikes(creator_id: str, core: CoreDep, user: CurrentUser) -> dict[str, Any]:
    """Warnings and strikes, active count and the policy in force."""
    require(user, "admin")
    return core.moderation.standing(creator_id)


@router.post("/{creator_id}/strikes", status_code=201)
def issue_strike(creator_id: str, body: StrikeCreate, core: CoreDep,
                 user: CurrentUser) -> dict[str, Any]:
    """Issue a warning or a strike; reaching the threshold suspends the creator."""
    require(user, "admin")
    return core.moderation.issue(user.user_id, creator_id, body.severity, body.reason,
                                 body.evidence_ref)


@router.post("/{creator_id}/strikes/{strike_id}/revoke")
def revoke_strike(creator_id: str, strike_id: str, body: Decision, core: CoreDep,
                  user: CurrentUser) -> dict[str, Any]:
    """Uphold an appeal: the strike no longer counts."""
    require(user, "admin")
    return core.moderation.revoke(user.user_id, creator_id, strike_id, body.reason or "appeal upheld")
