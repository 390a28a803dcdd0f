"""Each creator's earnings by state (held, available, paid, reversed, clawed back) and every hold."""

from typing import Any

from eventsourcing.dispatch import singledispatchmethod

from domain.aggregates.earnings_hold import EarningsHold
from projections.base import Projection
from projections.db import Tx

_COLUMNS = ("held_tokens", "available_tokens", "paid_tokens", "reversed_tokens", "clawback_tokens")


class EarningsProjection(Projection):
    name = "earnings"
    tables = ("rm_creator_earnings", "rm_earnings_holds")
    ddl = (
        """CREATE TABLE IF NOT EXISTS rm_creator_earnings (
            creator_id TEXT PRIMARY KEY,
            held_tokens BIGINT NOT NULL DEFAULT 0,
            available_tokens BIGINT NOT NULL DEFAULT 0,
            paid_tokens BIGINT NOT NULL DEFAULT 0,
            reversed_tokens BIGINT NOT NULL DEFAULT 0,
            clawback_tokens BIGINT NOT NULL DEFAULT 0,
            earnings_count BIGINT NOT NULL DEFAULT 0)""",
        """CREATE TABLE IF NOT EXISTS rm_earnings_holds (
            hold_id TEXT PRIMARY KEY,
            creator_id TEXT NOT NULL,
            source_kind TEXT NOT NULL,
            source_id TEXT NOT NULL,
            amount_tokens BIGINT NOT NULL,
            held_tokens BIGINT NOT NULL,
            available_tokens BIGINT NOT NULL,
            paid_tokens BIGINT NOT NULL,
            reversed_tokens BIGINT NOT NULL,
            clawback_tokens BIGINT NOT NULL,
            status TEXT NOT NULL,
            earned_at TEXT NOT NULL,
            release_at TEXT NOT NULL)""",
        "CREATE INDEX IF NOT EXISTS rm_earnings_holds_due ON rm_earnings_holds (status, release_at)",
        "CREATE INDEX IF NOT EXISTS rm_earnings_holds_creator "
        "ON rm_earnings_holds (creator_id, earned_at)",
    )

    @singledispatchmethod
    def process(self, event: Any, tx: Tx, position: int) -> None:
        pass

    @process.register
    def _(self, event: EarningsHold.Held, tx: Tx, position: int) -> None:
        tx.execute(
            "INSERT INTO rm_earnings_holds VALUES (%s, %s, %s, %s, %s, %s, 0, 0, 0, 0, 'held', %s, %s)",
            (str(event.originator_id), event.creator_id, event.source_kind, str(event.source_id),
             event.amount_tokens, event.amount_tokens, event.earned_at.isoformat(),
             event.release_at.isoformat()))
        tx.execute(
            "INSERT INTO rm_creator_earnings (creator_id, held_tokens, earnings_count) "
            "VALUES (%s, %s, 1) ON CONFLICT (creator_id) DO UPDATE SET "
            "held_tokens = rm_creator_earnings.held_tokens + excluded.held_tokens, "
            "earnings_count = rm_creator_earnings.earnings_count + 1",
            (event.creator_id, event.amount_tokens))

    @process.register
    def _(self, event: EarningsHold.Released, tx: Tx, position: int) -> None:
        self._move(tx, event, "held_tokens", "available_tokens", event.amount_tokens, "available")

    @process.register
    def _(self, event: EarningsHold.PaidOut, tx: Tx, position: int) -> None:
        self._move(tx, event, "available_tokens", "paid_tokens", event.amount_tokens, "paid")

    @process.register
    def _(self, event: EarningsHold.Reversed, tx: Tx, position: int) -> None:
        hold = self._hold(tx, event)
        source = "held_tokens" if hold["status"] == "held" else "available_tokens"
        self._move(tx, event, source, "reversed_tokens", event.amount_tokens, hold["status"])

    @process.register
    def _(self, event: EarningsHold.ClawedBack, tx: Tx, position: int) -> None:
        self._move(tx, event, None, "clawback_tokens", event.amount_tokens, "paid")

    @process.register
    def _(self, event: EarningsHold.Reinstated, tx: Tx, position: int) -> None:
        hold = self._hold(tx, event)
        if event.from_clawback_tokens:  # a negative adjustment cancelled
            self._move(tx, event, None, "clawback_tokens", -event.from_clawback_tokens,
                       hold["status"])
        earned_again = event.amount_tokens - event.from_clawback_tokens
        if earned_again:
            target = "held_tokens" if hold["status"] == "held" else "available_tokens"
            self._move(tx, event, "reversed_tokens", target, earned_again, hold["status"])

    def _move(self, tx: Tx, event: Any, source: str | None, target: str, amount_tokens: int,
              status: str) -> None:
        assert target in _COLUMNS and (source is None or source in _COLUMNS)
        hold = self._hold(tx, event)
        minus = f"{source} = {source} - %s, " if source else ""
        params = (amount_tokens,) if source else ()
        tx.execute(f"UPDATE rm_earnings_holds SET {minus}{target} = {target} + %s, status = %s "
                   "WHERE hold_id = %s",
                   (*params, amount_tokens, status, str(event.originator_id)))
        tx.execute(f"UPDATE rm_creator_earnings SET {minus}{target} = {target} + %s "
                   "WHERE creator_id = %s", (*params, amount_tokens, hold["creator_id"]))

    @staticmethod
    def _hold(tx: Tx, event: Any) -> dict[str, Any]:
        row = tx.one("SELECT creator_id, status FROM rm_earnings_holds WHERE hold_id = %s",
                     (str(event.originator_id),))
        if row is None:
            raise LookupError(f"hold {event.originator_id} has no Held event before it")
        return row
