"""Query parameters shared by the routers, bounded so that no value can overflow a query.

Both engines store positions and offsets as signed 64-bit integers; a larger number would raise
in the driver (an OverflowError in SQLite) instead of answering a clear 422.
"""

from typing import Annotated

from fastapi import Query

INT64_MAX = 2**63 - 1

Position = Annotated[int, Query(ge=0, le=INT64_MAX, description="a ledger position")]
Offset = Annotated[int, Query(ge=0, le=1_000_000, description="rows to skip")]
