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
    """Every LYRA_RATE_LIMIT_* setting by its short name (the store's address left out: it may
    carry a password), whether limits are on, and the shedding threshold."""
    settings = core.settings.model_dump()
    limits = {name.removeprefix("rate_limit_"): value for name, value in settings.items()
              if name.startswith("rate_limit_") and name != "rate_limit_storage"}
    return {"enabled": settings["rate_limits_enabled"], **limits,
            "max_in_flight": settings["max_in_flight"]}


@router.get("/api/admin/limits")
async def limits_hit(request: Request, core: CoreDep, user: CurrentUser,
                     top: Annotated[int, Query(ge=1, le=500)] = 50) -> dict[str, Any]:
    """The users (or addresses, for requests without one) refused most, by limit, over the last
    day; and the limits in force."""
    require(user, "admin")
    return {"hours": TALLY_HOURS, "refused": await most_refused(request, top),
            "limits": configured(core)}
