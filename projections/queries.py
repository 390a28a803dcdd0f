"""Read-side queries the API and the services use; nothing here writes."""

from datetime import date, timedelta
from typing import Any

from projections.db import ReadModelDb
from projections.earnings import HISTORY_STATES

_EARNING_NAMES = tuple(f"{state}_{unit}" for unit in ("tokens", "minor")
                       for state in ("held", "available", "in_payout", "paid", "reversed",
                                     "clawback", "clawback_in_payout", "clawback_recovered"))
_EARNING_COLUMNS = ", ".join(_EARNING_NAMES)


class LedgerQueries:
    def __init__(self, db: ReadModelDb) -> None:
        self._db = db

    def wallet(self, fan_id: str) -> dict[str, Any]:
        rows = self._db.query(
            "SELECT balance_tokens, purchased_tokens, spent_tokens, reversed_tokens, "
            "spends_reversed_tokens, debt_tokens, frozen, frozen_reason, updated_at "
            "FROM rm_wallet_balances WHERE fan_id = %s", (fan_id,))
        if not rows:
            return {"balance_tokens": 0, "purchased_tokens": 0, "spent_tokens": 0,
                    "reversed_tokens": 0, "spends_reversed_tokens": 0, "debt_tokens": 0,
                    "frozen": False, "frozen_reason": None, "updated_at": None}
        row = rows[0]
        return {**row, "frozen": bool(row["frozen"])}

    def transactions(self, fan_id: str, limit: int = 50,
                     before_position: int | None = None) -> list[dict[str, Any]]:
        """A spend that a refund or dispute reversed says so, with the tokens and the reason;
        one that paid a creator names them."""
        where = "t.fan_id = %s" + (" AND t.position < %s" if before_position else "")
        params: tuple[Any, ...] = (fan_id, before_position) if before_position else (fan_id,)
        return self._db.query(
            "SELECT t.position, t.kind, t.amount_tokens, t.balance_after_tokens, t.ref_id, "
            "t.counterparty_id, c.display_name AS counterparty_name, t.occurred_at, "
            "COALESCE(s.reversed_source_tokens, 0) AS reversed_tokens, s.reversal_reason "
            "FROM rm_wallet_transactions t LEFT JOIN rm_spends s ON s.spend_id = t.ref_id "
            f"LEFT JOIN rm_creators c ON c.creator_id = t.counterparty_id WHERE {where} "
            "ORDER BY t.position DESC LIMIT %s", (*params, limit))

    def earnings(self, creator_id: str) -> dict[str, Any]:
        """A creator's earnings by state, tokens and pence apart (they never convert before a
        payout)."""
        rows = self._db.query(f"SELECT {_EARNING_COLUMNS}, earnings_count FROM rm_creator_earnings "
                              "WHERE creator_id = %s", (creator_id,))
        return rows[0] if rows else {**dict.fromkeys(_EARNING_NAMES, 0), "earnings_count": 0}

    def earnings_by_source(self, creator_id: str) -> dict[str, dict[str, int]]:
        """Tips, unlocks, paid messages and subscriptions apart: each source's tokens and pence by
        state, and its count."""
        sums = ", ".join(f"CAST(SUM({name}) AS BIGINT) AS {name}" for name in _EARNING_NAMES)
        rows = self._db.query(
            f"SELECT source_kind, COUNT(*) AS earnings_count, {sums} "
            "FROM rm_earnings_holds WHERE creator_id = %s GROUP BY source_kind", (creator_id,))
        return {str(r.pop("source_kind")): {k: int(v) for k, v in r.items()} for r in rows}

    def earnings_history(self, creator_id: str, first_day: str,
                         last_day: str) -> list[dict[str, Any]]:
        """The creator's earnings by state as they stood at the end of each day from first_day
        to last_day (ISO dates), tokens and pence apart: what moved before the first day, then
        each day's movements added on. Reads one row per day that moved, never the holds."""
        columns = [f"{state}_{unit}" for state in HISTORY_STATES for unit in ("tokens", "minor")]
        sums = ", ".join(f"CAST(COALESCE(SUM({c}), 0) AS BIGINT) AS {c}" for c in columns)
        base = self._db.query(f"SELECT {sums} FROM rm_creator_earnings_daily "
                              "WHERE creator_id = %s AND day < %s", (creator_id, first_day))[0]
        moved = {r["day"]: r for r in self._db.query(
            f"SELECT day, {', '.join(columns)} FROM rm_creator_earnings_daily "
            "WHERE creator_id = %s AND day >= %s AND day <= %s ORDER BY day",
            (creator_id, first_day, last_day))}
        running = {c: int(base[c] or 0) for c in columns}
        out = []
        day = date.fromisoformat(first_day)
        while day <= date.fromisoformat(last_day):
            for c in columns:
                running[c] += int((moved.get(day.isoformat()) or {}).get(c) or 0)
            out.append({"day": day.isoformat(), **running})
            day += timedelta(days=1)
        return out

    def sales_counts(self, creator_id: str) -> dict[str, int]:
        """How many tips, unlocks and paid messages a creator has that still stand in full."""
        rows = self._db.query(
            "SELECT kind, COUNT(*) AS n FROM rm_spends WHERE creator_id = %s "
            "AND reversed_source_tokens = 0 GROUP BY kind", (creator_id,))
        return {str(r["kind"]): int(r["n"]) for r in rows}

    def hold_ids(self, creator_id: str) -> list[str]:
        """Every hold of a creator: the index that lets a replay read only their streams. As
        stored (text): the replay worker, not the API, turns 10,000 of them into UUIDs."""
        rows = self._db.query("SELECT hold_id FROM rm_earnings_holds WHERE creator_id = %s",
                              (creator_id,))
        return [str(r["hold_id"]) for r in rows]

    def holds(self, creator_id: str, limit: int = 50) -> list[dict[str, Any]]:
        return self._db.query(
            "SELECT hold_id, source_kind, source_id, unit, amount_tokens, amount_minor, "
            f"{_EARNING_COLUMNS}, status, earned_at, release_at FROM rm_earnings_holds "
            "WHERE creator_id = %s ORDER BY earned_at DESC LIMIT %s",
            (creator_id, limit))

    def due_hold_ids(self, now_iso: str, limit: int) -> list[str]:
        rows = self._db.query(
            "SELECT hold_id FROM rm_earnings_holds WHERE status = 'held' AND release_at <= %s "
            "ORDER BY release_at LIMIT %s", (now_iso, limit))
        return [str(r["hold_id"]) for r in rows]

    def session_for_payment_intent(self, payment_intent_id: str) -> str | None:
        rows = self._db.query("SELECT checkout_session_id FROM rm_token_purchases "
                              "WHERE payment_intent_id = %s", (payment_intent_id,))
        return str(rows[0]["checkout_session_id"]) if rows else None

    def finance_flags(self, limit: int = 100,
                      before_position: int | None = None) -> list[dict[str, Any]]:
        where = "WHERE position < %s " if before_position else ""
        params: tuple[Any, ...] = (before_position,) if before_position else ()
        return self._db.query(
            "SELECT position, stripe_event_id, event_type, object_id, outcome, received_at "
            f"FROM rm_finance_flags {where}ORDER BY position DESC LIMIT %s", (*params, limit))
