"""What changed between two moments: each creator's earnings, and the purchases behind the change.

Finance runs this after refunds and chargebacks: both moments are replayed from the ledger (see
as_of.py), so the answer does not depend on the live read models.
"""

from datetime import datetime
from typing import Any

from application.ledger import Ledger
from replay.as_of import Snapshot, replay_as_of

EARNING_STATES = ("held_tokens", "available_tokens", "paid_tokens", "reversed_tokens",
                  "clawback_tokens")
PURCHASE_FIELDS = ("status", "refunded_minor", "disputed", "dispute_status", "dispute_fee_minor",
                   "reversed_tokens")


def _rows(snapshot: Snapshot, table: str, key: str) -> dict[str, dict[str, Any]]:
    return {str(r[key]): r for r in snapshot.db.query(f"SELECT * FROM {table}")}


def earnings_diff(ledger: Ledger, since: datetime, until: datetime,
                  creator_id: str | None = None) -> dict[str, Any]:
    before, after = replay_as_of(ledger, since), replay_as_of(ledger, until)
    old = _rows(before, "rm_creator_earnings", "creator_id")
    new = _rows(after, "rm_creator_earnings", "creator_id")
    creators = []
    for cid in sorted(set(old) | set(new)):
        if creator_id and cid != creator_id:
            continue
        a, b = old.get(cid, {}), new.get(cid, {})
        delta = {s: int(b.get(s, 0)) - int(a.get(s, 0)) for s in EARNING_STATES}
        if any(delta.values()):
            creators.append({"creator_id": cid, "delta": delta,
                             "after": {s: int(b.get(s, 0)) for s in EARNING_STATES}})
    old_p = _rows(before, "rm_token_purchases", "purchase_id")
    purchases = [
        {"purchase_id": pid, "fan_id": row["fan_id"], "checkout_session_id":
         row["checkout_session_id"],
         "before": {f: old_p.get(pid, {}).get(f) for f in PURCHASE_FIELDS},
         "after": {f: row[f] for f in PURCHASE_FIELDS}}
        for pid, row in sorted(_rows(after, "rm_token_purchases", "purchase_id").items())
        if any(old_p.get(pid, {}).get(f) != row[f] for f in PURCHASE_FIELDS[1:])
    ]
    return {"since": since.isoformat(), "until": until.isoformat(),
            "positions": [before.position, after.position], "creators": creators,
            "purchases_changed": purchases}
