"""The creator's own money view: earnings by state, and the holds behind them."""

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel

from api.deps import CoreDep, CurrentUser, require, subject_or_override, wait_for_position
from api.params import Position
from domain.money import tokens_to_minor

router = APIRouter(tags=["creator"])


class EarningsPublic(BaseModel):
    """Tokens (from tips, unlocks, paid messages) and pence (from subscriptions) apart: an
    earning keeps its unit until a payout converts tokens at 250 per £1."""

    creator_id: str
    held_tokens: int
    available_tokens: int
    in_payout_tokens: int
    paid_tokens: int
    reversed_tokens: int
    negative_adjustment_tokens: int  # outstanding; being netted and recovered are below
    clawback_in_payout_tokens: int
    clawback_recovered_tokens: int
    held_minor: int
    available_minor: int
    in_payout_minor: int
    paid_minor: int
    reversed_minor: int
    negative_adjustment_minor: int
    clawback_in_payout_minor: int
    clawback_recovered_minor: int
    available_tokens_as_minor: int  # what the available tokens (less adjustments) would pay
    carried_tokens: int  # too few to make a penny: carried to the next payout
    earnings_count: int
    by_source: dict[str, dict[str, int]]  # tip, unlock, message, subscription: by state and unit
    holds: list[dict[str, Any]]


def _in_both_units(earnings: dict[str, Any]) -> dict[str, Any]:
    conversion = tokens_to_minor(max(0, earnings["available_tokens"] - earnings["clawback_tokens"]))
    return {**{k: v for k, v in earnings.items() if k not in ("clawback_tokens", "clawback_minor")},
            "negative_adjustment_tokens": earnings["clawback_tokens"],
            "negative_adjustment_minor": earnings["clawback_minor"],
            "available_tokens_as_minor": conversion.amount_minor,
            "carried_tokens": conversion.remainder_tokens}


@router.get("/api/creator/earnings", response_model=EarningsPublic)
def creator_earnings(core: CoreDep, user: CurrentUser, creator_id: str | None = None,
                     min_position: Position | None = None) -> dict[str, Any]:
    """Held, available, paid and reversed earnings, in tokens and in pence."""
    if creator_id is None:
        require(user, "creator")
    subject = subject_or_override(user, creator_id, "admin", "auditor", "finance")
    wait_for_position(core, min_position)
    return {"creator_id": subject, **_in_both_units(core.queries.earnings(subject)),
            "by_source": core.queries.earnings_by_source(subject),
            "holds": core.queries.holds(subject)}


@router.get("/api/creator/stats")
def creator_stats(core: CoreDep, user: CurrentUser, min_position: Position | None = None) -> dict[str, Any]:
    """The creator dashboard's figures: earnings by state in both units, revenue by source,
    subscribers, unlocks and messages sold, personas live."""
    require(user, "creator")
    wait_for_position(core, min_position)
    earnings = core.queries.earnings(user.user_id)
    standing = core.admin_queries.creator(user.user_id)
    by_source = core.queries.earnings_by_source(user.user_id)
    subscribers = core.subscription_queries.subscriber_counts(user.user_id)
    sales = core.queries.sales_counts(user.user_id)
    return {"creator_id": user.user_id,
            "status": standing["status"] if standing else "not_started",
            "suspended": bool(standing and standing["suspended"]),
            "earnings": _in_both_units(earnings),
            "by_source": by_source,
            "revenue_by_source": {source: _revenue(figures)
                                  for source, figures in by_source.items()},
            "subscribers": {"live": sum(n for status, n in subscribers.items()
                                        if status != "ended"), "by_status": subscribers},
            "unlocks": sales.get("unlock", 0),
            "paid_messages": sales.get("message", 0),
            "tips": sales.get("tip", 0),
            "personas": core.persona_queries.counts(user.user_id)}


def _revenue(figures: dict[str, int]) -> dict[str, int]:
    """What a source earned the creator and still stands (after reversals and clawbacks)."""
    return {f"earned_{unit}": sum(figures[f"{state}_{unit}"]
                                  for state in ("held", "available", "in_payout", "paid"))
            - sum(figures[f"{claw}_{unit}"] for claw in ("clawback", "clawback_in_payout",
                                                         "clawback_recovered"))
            for unit in ("tokens", "minor")}
