"""Staff commands the ledger needs now: registering creators and changing their standing."""

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from api.deps import CoreDep, CurrentUser, require

router = APIRouter(tags=["admin"])


class CreatorCreate(BaseModel):
    user_id: str = Field(min_length=1, max_length=200)
    display_name: str = Field(min_length=1, max_length=120)


class StandingChange(BaseModel):
    reason: str = Field(default="", max_length=500)


@router.post("/api/admin/creators", status_code=201)
def register_creator(body: CreatorCreate, core: CoreDep, user: CurrentUser) -> dict[str, Any]:
    """Register a creator who may receive money (idempotent by user id)."""
    require(user, "admin")
    creator = core.creators.register(body.user_id, body.display_name, actor=user.user_id)
    return {"creator_id": creator.user_id, "status": creator.status}


@router.post("/api/admin/creators/{user_id}/suspend")
def suspend_creator(user_id: str, body: StandingChange, core: CoreDep,
                    user: CurrentUser) -> dict[str, Any]:
    """Suspend a creator: they receive no money until reinstated; held money stays held."""
    require(user, "admin")
    core.moderation.suspend(user.user_id, user_id, body.reason)
    return {"creator_id": user_id, "status": "suspended"}


@router.post("/api/admin/creators/{user_id}/reinstate")
def reinstate_creator(user_id: str, core: CoreDep, user: CurrentUser) -> dict[str, Any]:
    """Reinstate a suspended creator."""
    require(user, "admin")
    core.moderation.reinstate(user.user_id, user_id)
    return {"creator_id": user_id, "status": "active"}


@router.post("/api/admin/holds/release")
def release_holds(core: CoreDep, user: CurrentUser) -> dict[str, int]:
    """Release every earnings hold whose 14 days have passed (also run by `lyra holds release`)."""
    require(user, "admin", "finance")
    return {"released": core.holds.release_due()}
