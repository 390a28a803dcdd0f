"""The admin report queue."""

from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from api.deps import CoreDep, CurrentUser, require, wait_for_position
from api.params import Offset, Position

router = APIRouter(tags=["admin"], prefix="/api/admin/reports")


class Resolution(BaseModel):
    resolution: Literal["dismiss", "warn", "strike", "suspend"]
    note: str = Field(default="", max_length=1_000)


@router.get("")
def list_reports(core: CoreDep, user: CurrentUser,
                 status: Literal["open", "resolved"] | None = "open",
                 limit: Annotated[int, Query(ge=1, le=200)] = 50,
                 offset: Offset = 0,
                 min_position: Position | None = None) -> dict[str, Any]:
    """Reports, oldest open first."""
    require(user, "admin")
    wait_for_position(core, min_position)
    return {"reports": core.admin_queries.reports(status, limit, offset)}


@router.post("/{report_id}/resolve")
def resolve(report_id: UUID, body: Resolution, core: CoreDep, user: CurrentUser) -> dict[str, Any]:
    """Dismiss, or warn / strike / suspend the creator behind the report, in one step."""
    require(user, "admin")
    return core.moderation.resolve_report(user.user_id, report_id, body.resolution, body.note)


@router.get("/chat-flags", tags=["admin"])
def chat_flags(core: CoreDep, user: CurrentUser, limit: Annotated[int, Query(ge=1, le=200)] = 50,
               offset: Offset = 0, min_position: Position | None = None) -> dict[str, Any]:
    """Chat turns the safety checks sent to review (sampled) and those the model refused,
    newest first: the side (message or reply), the outcome and each finding's rule, words,
    category, language and layer."""
    require(user, "admin")
    wait_for_position(core, min_position)
    return {"flags": core.admin_queries.chat_flags(limit, offset)}
