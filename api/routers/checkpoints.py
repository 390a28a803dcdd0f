"""The ledger's signed checkpoints, published for anyone to mirror; a creator's audit export for
finance and auditors (docs/audit-pack.md)."""

import json
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from starlette.concurrency import run_in_threadpool

from api.deps import CoreDep, CurrentUser, require
from api.downloads import attachment
from api.errors import ApiError
from api.params import INT64_MAX, Position
from application.audit_pack.export import AuditArchive

router = APIRouter(tags=["audit"])
STAFF = ("finance", "auditor", "admin")


@router.get("/api/ledger/checkpoints")
def list_checkpoints(core: CoreDep,
                     before_sequence: Annotated[int | None, Query(ge=1, le=INT64_MAX)] = None,
                     limit: Annotated[int, Query(ge=1, le=500)] = 100) -> dict[str, Any]:
    """Signed checkpoints, newest first, with the key that signs them. Public: the point of a
    checkpoint is that anyone can keep a copy and compare."""
    found = core.checkpoints.page(before_sequence, limit)
    return {"checkpoints": found, "public_key": core.checkpoints.public_key(),
            "next_before_sequence": found[-1]["sequence"] if len(found) == limit else None}


@router.get("/api/ledger/checkpoints.jsonl")
def checkpoints_file(core: CoreDep) -> Response:
    """Every checkpoint, oldest first, a JSON object a line: the plain file to mirror."""
    lines = "".join(f"{_line(c)}\n" for c in core.checkpoints.all())
    return Response(lines, media_type="application/jsonl")


def _line(checkpoint: dict[str, Any]) -> str:
    return json.dumps(checkpoint, sort_keys=True, separators=(",", ":"))


@router.get("/api/ledger/checkpoints/latest")
def latest_checkpoint(core: CoreDep) -> dict[str, Any]:
    return core.checkpoints.latest()


@router.get("/api/ledger/checkpoints/consistency")
def consistency(core: CoreDep, first: Position, second: Position) -> dict[str, Any]:
    """That the tree of `second` positions extends the tree of `first` (RFC 6962 §2.1.2)."""
    return core.checkpoints.consistency(first, second)


@router.get("/api/ledger/public-key")
def public_key(core: CoreDep) -> dict[str, str]:
    return core.checkpoints.public_key()


@router.post("/api/ledger/checkpoints")
async def take_checkpoint(core: CoreDep, user: CurrentUser) -> dict[str, Any]:
    """On demand (they are also taken every LYRA_CHECKPOINT_INTERVAL_MINUTES)."""
    require(user, *STAFF)
    return await run_in_threadpool(core.checkpoints.take)


@router.get("/api/audit/export")
async def audit_export(core: CoreDep, user: CurrentUser, creator_id: str | None = None,
                       fan_id: str | None = None, until: datetime | None = None) -> Response:
    """A creator's (or a fan's) money history with proofs, as a zip for tools/lyra_verify.py."""
    archive = await export_archive(core, user, creator_id, fan_id, until)
    name = f"lyra-audit-{'creator' if creator_id else 'fan'}-{creator_id or fan_id}.zip"
    return Response(archive.data, media_type="application/zip",
                    headers={"Content-Disposition": attachment(name)})


async def export_archive(core: CoreDep, user: CurrentUser, creator_id: str | None,
                         fan_id: str | None, until: datetime | None) -> AuditArchive:
    require(user, *STAFF)
    if bool(creator_id) == bool(fan_id):
        raise ApiError(422, "invalid_request", "name a creator_id or a fan_id (one of them)")
    if until is not None and until.tzinfo is None:
        raise ApiError(422, "invalid_request", "until must carry a time zone, e.g. 2026-03-03T12:00Z")
    if creator_id:
        await run_in_threadpool(core.projections.catch_up)  # the creator-to-holds index
        return await run_in_threadpool(core.audit_exports.creator, creator_id, until)
    assert fan_id is not None
    return await run_in_threadpool(core.audit_exports.fan, fan_id, until)
