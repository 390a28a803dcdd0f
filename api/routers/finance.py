"""Finance: the trial balance (now or as of a moment) and the Stripe events waiting for review."""

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from starlette.concurrency import run_in_threadpool

from api.deps import CoreDep, CurrentUser, require, wait_for_position
from api.errors import ApiError
from api.params import Position
from replay.trial_balance import trial_balance_as_of, trial_balance_now

router = APIRouter(tags=["finance"])
STAFF = ("finance", "auditor", "admin")


@router.get("/api/finance/trial-balance")
async def get_trial_balance(core: CoreDep, user: CurrentUser,
                            at: datetime | None = None) -> dict[str, Any]:
    """Every token and penny in exactly one place; with `at`, as the ledger stood then."""
    require(user, *STAFF)
    if at is None:
        report = await run_in_threadpool(trial_balance_now, core.projections)
    else:
        if at.tzinfo is None:
            raise ApiError(422, "invalid_request", "at must carry a time zone, e.g. 2026-03-03T12:00Z")
        report = await run_in_threadpool(trial_balance_as_of, core.ledger, at)
    return {"at": at.isoformat() if at else None, **report.as_dict()}


@router.get("/api/finance/flags")
def finance_flags(core: CoreDep, user: CurrentUser,
                  limit: Annotated[int, Query(ge=1, le=500)] = 100,
                  before_position: Position | None = None,
                  min_position: Position | None = None) -> dict[str, Any]:
    """Stripe events that applied nothing because they did not match what we hold, newest first."""
    require(user, *STAFF)
    wait_for_position(core, min_position)
    flags = core.queries.finance_flags(limit=limit, before_position=before_position)
    return {"flags": flags,
            "next_before_position": flags[-1]["position"] if len(flags) == limit else None}
