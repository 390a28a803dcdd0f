"""Health and projection lag, for operators and for clients that need read-your-writes."""

from typing import Any

from fastapi import APIRouter

from api.deps import CoreDep, wait_for_position
from api.params import Position

router = APIRouter(tags=["ops"])


@router.get("/healthz")
def health(core: CoreDep) -> dict[str, Any]:
    """Liveness, with the ledger's head position."""
    return {"ok": True, "head_position": core.ledger.max_position()}


@router.get("/api/projections/status")
def projection_status(core: CoreDep, min_position: Position | None = None) -> dict[str, Any]:
    """Each projection's position and how many events it lags the ledger by (after waiting, up
    to 5 s, for min_position)."""
    wait_for_position(core, min_position)
    return {"projections": core.projections.status()}
