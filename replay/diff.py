"""What changed between two moments: each creator's earnings, and the purchases behind the change.

Finance runs this after refunds and chargebacks: both moments are replayed from the ledger (see
as_of.py), so the answer does not depend on the live read models. For one creator, only their
streams are replayed (their holds, and the purchases of the fans whose spends with them were
reversed or reinstated in the period): the cost follows that creator's history, not the ledger's.
"""

from collections.abc import Callable, Sequence
from datetime import datetime
from itertools import takewhile
from typing import Any
from uuid import UUID

from adapters import heap
from adapters.eventstore.bulk import select_events_after
from adapters.eventstore.ledger import Ledger
from domain import ids
from domain.aggregates.earnings_hold import EarningsHold
from domain.aggregates.wallet import Wallet
from projections.db import SqliteReadModelDb
from projections.fold import Fold
from projections.fold_sinks import project
from projections.purchases import PurchasesProjection
from replay.as_of import replay_as_of

EARNING_STATES = ("held_tokens", "available_tokens", "paid_tokens", "reversed_tokens",
                  "clawback_tokens")
PURCHASE_FIELDS = ("status", "refunded_minor", "disputed", "dispute_status", "dispute_fee_minor",
                   "reversed_tokens")


def _rows(db: SqliteReadModelDb, table: str, key: str) -> dict[str, dict[str, Any]]:
    return {str(r[key]): r for r in db.query(f"SELECT * FROM {table}")}


@heap.bulk_work()  # a replay's decoded events are many and short-lived
def earnings_diff(ledger: Ledger, since: datetime, until: datetime,
                  creator_id: str | None = None, hold_ids: Sequence[str] | None = None,
                  advance: Callable[[int], None] | None = None) -> dict[str, Any]:
    """hold_ids (the creator's holds, from the earnings read model) scopes the replay to one
    creator's streams; without them the whole ledger is replayed, up to each moment (advance(n)
    is told of each page, for a progress bar)."""
    if creator_id is not None and hold_ids is not None:
        return _creator_diff(ledger, creator_id, [UUID(h) for h in hold_ids], since, until)
    before = replay_as_of(ledger, since, advance=advance)
    after = replay_as_of(ledger, until, advance=advance)
    return _compare(before.db, after.db, creator_id, since, until,
                    [before.position, after.position])


def _compare(before: SqliteReadModelDb, after: SqliteReadModelDb, creator_id: str | None,
             since: datetime, until: datetime, positions: list[int] | None,
             earnings: tuple[dict[str, Any], dict[str, Any]] | None = None) -> dict[str, Any]:
    """The change between two replays; `earnings` (creator -> totals, before and after) stands
    in for the earnings read models when the replay folded the holds itself."""
    old, new = earnings or (_rows(before, "rm_creator_earnings", "creator_id"),
                            _rows(after, "rm_creator_earnings", "creator_id"))
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
            "positions": positions, "creators": creators, "purchases_changed": purchases}


def _creator_diff(ledger: Ledger, creator_id: str, hold_ids: Sequence[UUID], since: datetime,
                  until: datetime) -> dict[str, Any]:
    holds = _decoded(ledger, hold_ids)
    totals = _fold_holds(holds, since, until)
    moved = {_source(events) for events in holds.values()
             if any(since < e.timestamp <= until and isinstance(e, MOVES) for e in events)}
    spends = ledger.get_many([source for source in moved if source is not None])
    wallets = ledger.get_many(ids.wallet_id(spend.fan_id) for spend in spends.values())
    purchase_ids = [UUID(key) for wallet in wallets.values() if isinstance(wallet, Wallet)
                    for key in wallet.lots]
    purchases = _decoded(ledger, purchase_ids)
    folds: list[Fold] = [PurchasesProjection()]
    before = _project(purchases, since, folds)
    after = _project(purchases, until, folds)
    try:
        return _compare(before, after, creator_id, since, until, None,
                        ({creator_id: totals[0]}, {creator_id: totals[1]}))
    finally:
        before.close()
        after.close()


def _fold_holds(holds: dict[UUID, list[Any]], since: datetime,
                until: datetime) -> tuple[dict[str, int], dict[str, int]]:
    """Each hold folded once through both moments: the creator's totals then and then."""
    then, now = dict.fromkeys(EARNING_STATES, 0), dict.fromkeys(EARNING_STATES, 0)
    for events in holds.values():
        hold: EarningsHold | None = None
        counted = False
        for event in events:
            if event.timestamp > until:
                break
            if event.timestamp > since and not counted:
                _add(then, hold)  # as it stood at `since` (added now: it changes below)
                counted = True
            hold = event.mutate(hold)
        if not counted:  # nothing between the moments: it stood the same at both
            _add(then, hold)
        _add(now, hold)
    return then, now


def _add(totals: dict[str, int], hold: EarningsHold | None) -> None:
    if hold is not None:
        for state in EARNING_STATES:
            totals[state] += getattr(hold, state)


MOVES = (EarningsHold.Reversed, EarningsHold.ClawedBack, EarningsHold.Reinstated)


def _decoded(ledger: Ledger, stream_ids: Sequence[UUID]) -> dict[UUID, list[Any]]:
    stored = select_events_after(ledger.recorder, ledger.db.kind, ledger.db.schema,
                                 ledger.events_table, dict.fromkeys(stream_ids, 0))
    return {stream: [ledger.mapper.to_domain_event(r) for r in records]
            for stream, records in stored.items()}


def _source(events: list[Any]) -> UUID | None:
    held = events[0] if events and isinstance(events[0], EarningsHold.Held) else None
    return held.source_id if held is not None and held.source_kind != "subscription" else None


def _project(streams: dict[UUID, list[Any]], moment: datetime,
             folds: Sequence[Fold]) -> SqliteReadModelDb:
    """The streams' events up to the moment, through the folds, into memory."""
    db = SqliteReadModelDb(":memory:")
    events = [(0, event) for stream in streams.values()
              for event in takewhile(lambda e: e.timestamp <= moment, stream)]
    with db.transaction() as tx:
        for fold in folds:
            for statement in fold.ddl:
                tx.execute(statement)
        project(tx, folds, events)
    return db
