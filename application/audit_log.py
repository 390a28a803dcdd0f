"""The audit log as people read it: who did what to whom from the read model's index, and what
each action recorded from the ledger itself.

The index (`projections/audit.py`) keeps position, moment, actor, action and creator: what a
search filters on. An entry's stream and details are the event's own, read by position when a
page of entries is shown, so the read model does not store every event a second time.
"""

from typing import Any

import orjson

from adapters.eventstore.ledger import Ledger
from projections.admin_queries import AdminQueries

_SKIP = {"originator_id", "originator_version", "timestamp"}
_DETAILS = orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS


def details(event: Any) -> Any:
    """An event's own fields as plain JSON values (datetimes in ISO 8601, ids as text)."""
    return orjson.loads(orjson.dumps({k: v for k, v in vars(event).items() if k not in _SKIP},
                                     default=str, option=_DETAILS))


class AuditLog:
    def __init__(self, ledger: Ledger, queries: AdminQueries) -> None:
        self._ledger = ledger
        self._queries = queries

    def entries(self, **filters: Any) -> list[dict[str, Any]]:
        """A page of entries, newest first (filters as `AdminQueries.audit`), with details."""
        rows = self._queries.audit(**filters)
        events = self._ledger.events_at([row["position"] for row in rows])
        return [{**row, "stream_id": str(events[row["position"]].originator_id),
                 "details": details(events[row["position"]])} for row in rows]
