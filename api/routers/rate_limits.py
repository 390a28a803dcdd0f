"""Who hit the rate limits most over the last day: staff's view of floods and careless scripts
(the tally lives in the limit store, shared by every worker on Redis)."""

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from adapters.limits.stores import TALLY_HOURS
from api.deps import CoreDep, CurrentUser, require

router = APIRouter(tags=["admin"])


async def most_refused(request: Request, top: int) -> list[dict[str, Any]]:
    rows = await request.app.state.limit_store.most_refused(top)
    return [{"who": who, "limit": limit, "refusals": n} for who, limit, n in rows]


def configured(core: CoreDep) -> dict[str, Any]:
    s = core.settings
    return {"enabled": s.rate_limits_enabled, "reads": s.rate_limit_reads,
            "writes": s.rate_limit_writes, "money": s.rate_limit_money,
            "chat": s.rate_limit_chat, "checkout": s.rate_limit_checkout,
            "uploads": s.rate_limit_uploads, "upload_mib": s.rate_limit_upload_mib,
            "replays": s.rate_limit_replays, "per_address": s.rate_limit_per_address,
            "in_flight_per_user": s.rate_limit_in_flight_per_user,
            "refusal_delay_ms": s.rate_limit_refusal_delay_ms, "max_in_flight": s.max_in_flight}


@router.get("/api/admin/limits")
async def limits_hit(request: Request, core: CoreDep, user: CurrentUser,
                     top: Annotated[int, Query(ge=1, le=500)] = 50) -> dict[str, Any]:
    """The users (or addresses, for requests without one) refused most, by limit, over the last
    day; and the limits in force."""
    require(user, "admin")
    return {"hours": TALLY_HOURS, "refused": await most_refused(request, top),
            "limits": configured(core)}
