"""Payouts: finance runs them and sees them all; a creator sees theirs and the next estimate."""

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from api.deps import CoreDep, CurrentUser, require, subject_or_override, wait_for_position
from api.params import Position

router = APIRouter(tags=["payouts"])
STATUSES = "^(created|transfer_submitted|bank_payout_requested|paid|failed|reversed)$"


class RunRequest(BaseModel):
    run_key: str | None = Field(default=None, min_length=1, max_length=40,
                                pattern=r"^[A-Za-z0-9_.:-]+$",
                                description="names the run; default: this ISO week")


@router.post("/api/finance/payouts/run")
def run_payouts(core: CoreDep, user: CurrentUser, body: RunRequest | None = None
                ) -> dict[str, Any]:
    """Pay every creator who may be paid what is available (or carry it); safe to repeat."""
    require(user, "finance", "admin")
    report = core.payouts.run(body.run_key if body else None)
    return {**report.as_dict(), "position": core.ledger.last_saved_position()}


@router.get("/api/finance/payouts")
def all_payouts(core: CoreDep, user: CurrentUser, creator_id: str | None = None,
                status: Annotated[str | None, Query(pattern=STATUSES)] = None,
                limit: Annotated[int, Query(ge=1, le=500)] = 100,
                min_position: Position | None = None) -> dict[str, Any]:
    require(user, "finance", "admin", "auditor")
    wait_for_position(core, min_position)
    return {"payouts": core.payout_queries.payouts(creator_id, status, limit)}


@router.get("/api/creator/payouts")
def my_payouts(core: CoreDep, user: CurrentUser, creator_id: str | None = None,
               min_position: Position | None = None) -> dict[str, Any]:
    """The creator's payouts, and what a run now would pay (or why it would carry)."""
    if creator_id is None:
        require(user, "creator")
    subject = subject_or_override(user, creator_id, "finance", "admin", "auditor")
    wait_for_position(core, min_position)
    return {"creator_id": subject, "payouts": core.payout_queries.payouts(subject),
            "next": core.payouts.estimate(subject)}
