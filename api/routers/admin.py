"""Admin panel: queue counts, staff registration of vetted creators, hold releases."""

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from api.deps import CoreDep, CurrentUser, require, wait_for_position
from api.params import Position

router = APIRouter(tags=["admin"])


class CreatorCreate(BaseModel):
    user_id: str = Field(min_length=1, max_length=200)
    display_name: str = Field(min_length=1, max_length=120)


@router.get("/api/admin/stats")
def admin_stats(core: CoreDep, user: CurrentUser,
                min_position: Position | None = None) -> dict[str, Any]:
    """Queue counts for the admin dashboard."""
    require(user, "admin")
    wait_for_position(core, min_position)
    return {**core.admin_queries.stats(), "projection_lag_events": max(
        (p["lag_events"] for p in core.projections.status()), default=0)}


@router.post("/api/admin/creators", status_code=201)
def register_creator(body: CreatorCreate, core: CoreDep, user: CurrentUser) -> dict[str, Any]:
    """Register an already-vetted creator, approved at once (idempotent by user id)."""
    require(user, "admin")
    creator = core.creators.register(body.user_id, body.display_name, actor=user.user_id)
    return {"creator_id": creator.user_id, "status": creator.status}


@router.post("/api/admin/holds/release")
def release_holds(core: CoreDep, user: CurrentUser) -> dict[str, int]:
    """Release every earnings hold whose 14 days have passed (also run by `lyra holds release`)."""
    require(user, "admin", "finance")
    return {"released": core.holds.release_due()}
