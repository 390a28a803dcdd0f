"""Auditors and finance: any fan's wallet or creator's earnings as they stood at a past moment."""

from datetime import datetime
from typing import Any

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool

from api.deps import CoreDep, CurrentUser, require
from api.errors import ApiError
from replay.as_of import replay_as_of

router = APIRouter(tags=["audit"])


@router.get("/api/audit/as-of")
async def as_of(at: datetime, core: CoreDep, user: CurrentUser, fan_id: str | None = None,
                creator_id: str | None = None) -> dict[str, Any]:
    """Replay the ledger up to `at` (ISO 8601 with a zone) and report the balances then."""
    require(user, "auditor", "finance", "admin")
    if at.tzinfo is None:
        raise ApiError(422, "invalid_request", "at must carry a time zone, e.g. 2026-03-03T12:00Z")
    if not fan_id and not creator_id:
        raise ApiError(422, "invalid_request", "name a fan_id, a creator_id or both")
    snapshot = await run_in_threadpool(replay_as_of, core.ledger, at)
    body: dict[str, Any] = {"at": at.isoformat(), "position": snapshot.position}
    if fan_id:
        body["wallet"] = {"fan_id": fan_id, **snapshot.queries.wallet(fan_id),
                          "transactions": snapshot.queries.transactions(fan_id, limit=200)}
    if creator_id:
        body["earnings"] = {"creator_id": creator_id, **snapshot.queries.earnings(creator_id),
                            "holds": snapshot.queries.holds(creator_id, limit=200)}
    return body
