"""Query parameters shared by the routers, bounded so that no value can overflow a query.

Both engines store positions and offsets as signed 64-bit integers; a larger number would raise
in the driver (an OverflowError in SQLite) instead of answering a clear 422.
"""

from datetime import datetime
from typing import Annotated

from fastapi import Query

from api.errors import ApiError

INT64_MAX = 2**63 - 1

Position = Annotated[int, Query(ge=0, le=INT64_MAX, description="a ledger position")]
Offset = Annotated[int, Query(ge=0, le=1_000_000, description="rows to skip")]


def period(since: datetime, until: datetime) -> tuple[datetime, datetime]:
    """A reporting period: both moments with a time zone, in order, within years 1970 to 9998
    (so every conversion to a timestamp or to the next month works)."""
    for moment in (since, until):
        if moment.tzinfo is None:
            raise ApiError(422, "invalid_request", "since and until must carry a time zone")
        if not 1970 <= moment.year <= 9998:
            raise ApiError(422, "invalid_request", "since and until must fall in 1970 to 9998")
    if since >= until:
        raise ApiError(422, "invalid_request", "since must come before until")
    return since, until
