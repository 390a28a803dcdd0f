"""Any signed-in user can report a creator, a persona or a content item."""

from typing import Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field

from api.deps import CoreDep, CurrentUser
from domain.aggregates.content_report import CATEGORIES

router = APIRouter(tags=["reports"])


class ReportCreate(BaseModel):
    target_kind: Literal["creator", "persona", "content"]
    target_id: str = Field(min_length=1, max_length=200)
    creator_id: str = Field(min_length=1, max_length=200)
    category: Literal[CATEGORIES]  # type: ignore[valid-type]
    text: str = Field(min_length=1, max_length=2_000)


@router.post("/api/reports", status_code=201)
def file_report(body: ReportCreate, core: CoreDep, user: CurrentUser) -> dict[str, Any]:
    """File a report; admins work them from GET /api/admin/reports."""
    report = core.moderation.file_report(user.user_id, body.target_kind, body.target_id,
                                         body.creator_id, body.category, body.text)
    return {"report_id": str(report.id), "status": "open"}
