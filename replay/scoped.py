"""As of a moment, for one fan or one creator: only their own streams are read.

A fan's balances are their wallet's stream folded up to the moment; a creator's earnings are
their holds' streams folded up to the moment, the holds found through the earnings read model
(an index from creator to streams). Cost grows with that fan's or creator's history, not with the
ledger's. Every stream is ordered in time, so a stream is read until its first later event.
"""

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.application import project_aggregate

from adapters import heap
from adapters.eventstore.bulk import select_events_after
from adapters.eventstore.ledger import Ledger
from domain import ids
from domain.aggregates.earnings_hold import EarningsHold
from domain.aggregates.wallet import Wallet
from domain.wallet_movements import movement

STATES = ("held_tokens", "available_tokens", "paid_tokens", "reversed_tokens", "clawback_tokens")


def _until(ledger: Ledger, stored: Sequence[Any], moment: datetime) -> list[Any]:
    events = []
    for record in stored:
        event: Any = ledger.mapper.to_domain_event(record)
        if event.timestamp > moment:
            break
        events.append(event)
    return events


@heap.bulk_work()  # a replay's decoded events are many and short-lived
def wallet_as_of(ledger: Ledger, fan_id: str, moment: datetime) -> dict[str, Any]:
    wallet_id = ids.wallet_id(fan_id)
    stored = select_events_after(ledger.recorder, ledger.db.kind, ledger.db.schema,
                                 ledger.events_table, {wallet_id: 0}).get(wallet_id, [])
    events = _until(ledger, stored, moment)
    wallet: Wallet | None = project_aggregate(None, events) if events else None
    if wallet is None:
        return {"fan_id": fan_id, "balance_tokens": 0, "purchased_tokens": 0, "spent_tokens": 0,
                "reversed_tokens": 0, "spends_reversed_tokens": 0, "debt_tokens": 0,
                "frozen": False, "frozen_reason": None, "transactions": []}
    return {"fan_id": fan_id, "balance_tokens": wallet.balance_tokens,
            "purchased_tokens": wallet.credited_tokens, "spent_tokens": wallet.spent_tokens,
            "reversed_tokens": wallet.reversed_tokens,
            "spends_reversed_tokens": wallet.spends_reversed_tokens,
            "debt_tokens": wallet.debt_tokens, "frozen": wallet.is_frozen,
            "frozen_reason": wallet.frozen_reason, "transactions": _transactions(events)}


def _transactions(events: list[Any]) -> list[dict[str, Any]]:
    """The wallet's movements, newest first, each with the balance after it."""
    rows = []
    balance = 0
    for event in events:
        moved = movement(type(event), event)
        if moved is None:
            continue
        balance += moved.delta_tokens
        rows.append({"version": event.originator_version, "kind": moved.kind,
                     "amount_tokens": moved.delta_tokens, "balance_after_tokens": balance,
                     "ref_id": moved.ref_id, "occurred_at": event.timestamp.isoformat()})
    return rows[::-1]


@heap.bulk_work()  # a replay's decoded events are many and short-lived
def earnings_as_of(ledger: Ledger, creator_id: str, hold_ids: Sequence[str],
                   moment: datetime) -> dict[str, Any]:
    streams = [UUID(h) for h in hold_ids]
    stored = select_events_after(ledger.recorder, ledger.db.kind, ledger.db.schema,
                                 ledger.events_table, dict.fromkeys(streams, 0))
    totals = dict.fromkeys(STATES, 0)
    holds = []
    for hold_id in streams:
        events = _until(ledger, stored.get(hold_id, []), moment)
        if not events:
            continue  # earned after the moment
        hold: EarningsHold | None = project_aggregate(None, events)
        assert hold is not None
        for state in STATES:
            totals[state] += getattr(hold, state)
        holds.append({"hold_id": str(hold.id), "source_kind": hold.source_kind,
                      "source_id": str(hold.source_id), "amount_tokens": hold.amount_tokens,
                      **{state: getattr(hold, state) for state in STATES},
                      "status": hold.status, "earned_at": hold.earned_at.isoformat(),
                      "release_at": hold.release_at.isoformat()})
    holds.sort(key=lambda h: h["earned_at"], reverse=True)
    return {"creator_id": creator_id, **totals, "earnings_count": len(holds), "holds": holds}
