"""The creator's own money view: earnings by state, and the holds behind them."""

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel

from api.deps import CoreDep, CurrentUser, require, subject_or_override, wait_for_position
from api.params import Position
from domain.money import tokens_to_minor

router = APIRouter(tags=["creator"])


class EarningsPublic(BaseModel):
    creator_id: str
    held_tokens: int
    available_tokens: int
    paid_tokens: int
    reversed_tokens: int
    negative_adjustment_tokens: int
    available_minor: int
    carried_tokens: int
    earnings_count: int
    by_source: dict[str, dict[str, int]]  # tip, unlock, message: tokens by state, and a count
    holds: list[dict[str, Any]]


@router.get("/api/creator/earnings", response_model=EarningsPublic)
def creator_earnings(core: CoreDep, user: CurrentUser, creator_id: str | None = None,
                     min_position: Position | None = None) -> dict[str, Any]:
    """Held, available, paid and reversed earnings; available is also shown in pence."""
    if creator_id is None:
        require(user, "creator")
    subject = subject_or_override(user, creator_id, "admin", "auditor", "finance")
    wait_for_position(core, min_position)
    earnings = core.queries.earnings(subject)
    payable = max(0, earnings["available_tokens"] - earnings["clawback_tokens"])
    conversion = tokens_to_minor(payable)
    return {"creator_id": subject, **earnings,
            "negative_adjustment_tokens": earnings["clawback_tokens"],
            "available_minor": conversion.amount_minor,
            "carried_tokens": conversion.remainder_tokens,
            "by_source": core.queries.earnings_by_source(subject),
            "holds": core.queries.holds(subject)}


@router.get("/api/creator/stats")
def creator_stats(core: CoreDep, user: CurrentUser, min_position: Position | None = None) -> dict[str, Any]:
    """The creator dashboard's figures: earnings by state, tips received, personas live."""
    require(user, "creator")
    wait_for_position(core, min_position)
    earnings = core.queries.earnings(user.user_id)
    standing = core.admin_queries.creator(user.user_id)
    return {"creator_id": user.user_id,
            "status": standing["status"] if standing else "not_started",
            "suspended": bool(standing and standing["suspended"]),
            "earnings": {k: earnings[k] for k in ("held_tokens", "available_tokens", "paid_tokens",
                                                  "reversed_tokens", "clawback_tokens")},
            "available_minor": tokens_to_minor(max(0, earnings["available_tokens"]
                                                   - earnings["clawback_tokens"])).amount_minor,
            "earnings_count": earnings["earnings_count"],
            "by_source": core.queries.earnings_by_source(user.user_id),
            "personas": core.persona_queries.counts(user.user_id)}
