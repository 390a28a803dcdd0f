"""Query parameters shared by the routers, bounded so that no value can overflow a query."""

from typing import Annotated

from fastapi import Query

# A ledger position: a notification id, a signed 64-bit integer in both engines.
Position = Annotated[int, Query(ge=0, le=2**63 - 1)]
