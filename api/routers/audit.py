"""Auditors: the audit log across every stream, and balances as they stood at a past moment."""

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Query, Response
from starlette.concurrency import run_in_threadpool

from api.deps import CoreDep, CurrentUser, require, wait_for_position
from api.errors import ApiError
from api.params import Position
from application import replay_workers
from replay.verify import verify_ledger

router = APIRouter(tags=["audit"])


@router.get("/api/admin/audit")
def audit_log(core: CoreDep, user: CurrentUser, creator_id: str | None = None,
              actor: str | None = None, kind: str | None = None, since: datetime | None = None,
              until: datetime | None = None, before_position: Position | None = None,
              limit: Annotated[int, Query(ge=1, le=500)] = 100,
              min_position: Position | None = None) -> dict[str, Any]:
    """Every recorded action across all streams, newest first; `kind` takes wildcards (Creator.*)."""
    require(user, "admin", "auditor")
    wait_for_position(core, min_position)
    entries = core.audit_log.entries(
        creator_id=creator_id, actor=actor, action=kind,
        since=since.isoformat() if since else None, until=until.isoformat() if until else None,
        before_position=before_position, limit=limit)
    return {"entries": entries,
            "next_before_position": entries[-1]["position"] if len(entries) == limit else None}


def _printed(body: Any) -> Response:
    """A replay's answer as the worker printed it (FastAPI's encoder took 190 ms for a
    creator's 10,000 holds, on the event loop that also answers tips)."""
    return Response(orjson.dumps(body), media_type="application/json")


def as_data(report: Any) -> Any:
    """A report as plain values, for the pages."""
    return orjson.loads(orjson.dumps(report))


@router.get("/api/audit/as-of")
async def as_of(at: datetime, core: CoreDep, user: CurrentUser, fan_id: str | None = None,
                creator_id: str | None = None) -> Response:
    """Replay the ledger up to `at` (ISO 8601 with a zone) and report the balances then."""
    return _printed(await as_of_report(at, core, user, fan_id, creator_id))


async def as_of_report(at: datetime, core: CoreDep, user: CurrentUser, fan_id: str | None,
                       creator_id: str | None) -> dict[str, Any]:
    require(user, "auditor", "finance", "admin")
    if at.tzinfo is None:
        raise ApiError(422, "invalid_request", "at must carry a time zone, e.g. 2026-03-03T12:00Z")
    if not fan_id and not creator_id:
        raise ApiError(422, "invalid_request", "name a fan_id, a creator_id or both")
    body: dict[str, Any] = {"at": at.isoformat()}
    if fan_id:
        body["wallet"] = await _replay(core, replay_workers.wallet_as_of, fan_id, at)
    if creator_id:
        await run_in_threadpool(_index_covers, core, at)
        hold_ids = await run_in_threadpool(core.queries.hold_ids, creator_id)
        body["earnings"] = await _replay(core, replay_workers.earnings_as_of, creator_id,
                                         hold_ids, at)
    return body


SETTLED = timedelta(seconds=5)  # events are stamped before they commit: allow for a batch


def _index_covers(core: CoreDep, moment: datetime) -> None:
    """The creator-to-holds index must know every hold recorded up to `moment`. If it has
    applied an event stamped well after it, it does; else wait for the position the ledger had
    at the request (not for a head that tips keep moving)."""
    position = core.projections.position("earnings")
    if position:
        [last] = core.ledger.recorder.select_notifications(start=position, limit=1)
        event: Any = core.ledger.mapper.to_domain_event(last)
        if event.timestamp >= moment + SETTLED:
            return
    if not core.projections.wait_for(core.ledger.max_position(), timeout_s=30):
        raise ApiError(503, "projection_lagging", "read models have not caught up yet; retry")


async def _replay(core: CoreDep, replay: Callable[..., Any], *args: Any) -> orjson.Fragment:
    """A replay in the replay worker, away from the interpreter that serves the money paths;
    its answer comes back as JSON, ready to send."""
    return orjson.Fragment(await asyncio.get_running_loop().run_in_executor(
        core.replays.executor, replay_workers.printed, replay, *args))


@router.get("/api/audit/verify")
async def verify_chain(core: CoreDep, user: CurrentUser) -> dict[str, Any]:
    """Walk the ledger's hash chain: intact, or the first position where history was changed.
    The head hash is what an auditor publishes to compare with a later verification."""
    require(user, "auditor", "admin")
    report = await run_in_threadpool(verify_ledger, core.ledger)
    return report.as_dict()


@router.get("/api/finance/earnings-diff")
async def earnings_changes(since: datetime, core: CoreDep, user: CurrentUser,
                           until: datetime | None = None,
                           creator_id: str | None = None) -> Response:
    """How each creator's earnings changed between two moments, and which purchases moved them."""
    return _printed(await earnings_diff_report(since, core, user, until, creator_id))


async def earnings_diff_report(since: datetime, core: CoreDep, user: CurrentUser,
                               until: datetime | None, creator_id: str | None) -> Any:
    require(user, "finance", "auditor", "admin")
    if since.tzinfo is None or (until is not None and until.tzinfo is None):
        raise ApiError(422, "invalid_request", "since and until must carry a time zone")
    end = until or datetime.now(UTC)
    hold_ids = None
    if creator_id:  # one creator: only their streams are replayed
        await run_in_threadpool(_index_covers, core, end)
        hold_ids = await run_in_threadpool(core.queries.hold_ids, creator_id)
    return await _replay(core, replay_workers.earnings_diff, since, end, creator_id, hold_ids)
