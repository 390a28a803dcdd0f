"""Payouts as creators and finance see them, and the payout run's read-side lookups."""

import json
from collections.abc import Callable, Iterable
from typing import Any
from uuid import UUID

from adapters.eventstore.typed_events import event_class
from domain.aggregates.payout import Payout
from domain.aggregates.payout_carry import PayoutCarry
from projections.fold import KEYED, LOG, Fold, State, Table, on

PAYOUTS = Table("rm_payouts", KEYED, ("payout_id",), (
    "payout_id", "creator_id", "run_key", "account_id", "status", "amount_minor", "currency",
    "tokens_taken", "tokens_netted", "tokens_converted", "tokens_carried", "minor_from_tokens",
    "minor_taken", "minor_netted", "tokens_netted_with_minor", "minor_for_tokens_debt",
    "tokens_change", "minor_netted_with_tokens", "lines", "transfer_id", "bank_payout_id",
    "failure", "created_at", "updated_at"))
CARRIES = Table("rm_payout_carries", LOG, ("carry_id",), (
    "carry_id", "creator_id", "run_key", "reason", "available_tokens", "available_minor",
    "owed_tokens", "owed_minor", "would_pay_minor", "minimum_minor", "at"))


# A payout's steps after it is created: the status each leaves it in and what it recorded.
_STATUSES: dict[type, Callable[[Any], dict[str, Any]]] = {
    Payout.TransferSubmitted: lambda e: {"status": "transfer_submitted",
                                         "transfer_id": e.transfer_id},
    Payout.BankPayoutRequested: lambda e: {"status": "bank_payout_requested",
                                           "bank_payout_id": e.bank_payout_id},
    Payout.BankPayoutFailed: lambda e: {"status": "bank_payout_failed", "failure": e.reason},
    Payout.Paid: lambda e: {"status": "paid"},
    Payout.Failed: lambda e: {"status": "failed", "failure": e.reason},
    Payout.Reversed: lambda e: {"status": "reversed", "failure": e.reason},
}


class PayoutsProjection(Fold):
    name = "payouts"
    version = 2
    ddl = (
        """CREATE TABLE IF NOT EXISTS rm_payouts (
            payout_id TEXT PRIMARY KEY,
            creator_id TEXT NOT NULL,
            run_key TEXT NOT NULL,
            account_id TEXT NOT NULL,
            status TEXT NOT NULL,
            amount_minor BIGINT NOT NULL,
            currency TEXT NOT NULL,
            tokens_taken BIGINT NOT NULL,
            tokens_netted BIGINT NOT NULL,
            tokens_converted BIGINT NOT NULL,
            tokens_carried BIGINT NOT NULL,
            minor_from_tokens BIGINT NOT NULL,
            minor_taken BIGINT NOT NULL,
            minor_netted BIGINT NOT NULL,
            tokens_netted_with_minor BIGINT NOT NULL DEFAULT 0,
            minor_for_tokens_debt BIGINT NOT NULL DEFAULT 0,
            tokens_change BIGINT NOT NULL DEFAULT 0,
            minor_netted_with_tokens BIGINT NOT NULL DEFAULT 0,
            lines TEXT NOT NULL,
            transfer_id TEXT,
            bank_payout_id TEXT,
            failure TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL)""",
        "CREATE INDEX IF NOT EXISTS rm_payouts_creator ON rm_payouts (creator_id, created_at)",
        "CREATE INDEX IF NOT EXISTS rm_payouts_run ON rm_payouts (run_key)",
        """CREATE TABLE IF NOT EXISTS rm_payout_carries (
            carry_id TEXT PRIMARY KEY,
            creator_id TEXT NOT NULL,
            run_key TEXT NOT NULL,
            reason TEXT NOT NULL,
            available_tokens BIGINT NOT NULL,
            available_minor BIGINT NOT NULL,
            owed_tokens BIGINT NOT NULL,
            owed_minor BIGINT NOT NULL,
            would_pay_minor BIGINT NOT NULL,
            minimum_minor BIGINT NOT NULL,
            at TEXT NOT NULL)""",
        "CREATE INDEX IF NOT EXISTS rm_payout_carries_creator "
        "ON rm_payout_carries (creator_id, at)",
    )

    schema = (PAYOUTS, CARRIES)

    def touches(self, cls: type, event: Any) -> Iterable[tuple[Table, Any]]:
        if cls in _STATUSES:
            yield PAYOUTS, str(event.originator_id)

    @on(Payout.Created)
    def _created(self, event: Any, position: int, s: State) -> None:
        at = event.at.isoformat()
        s[PAYOUTS].put(PAYOUTS.new(
            payout_id=str(event.originator_id), creator_id=event.creator_id,
            run_key=event.run_key, account_id=event.account_id, status="created",
            amount_minor=event.amount_minor, currency=event.currency,
            tokens_taken=event.tokens_taken, tokens_netted=event.tokens_netted,
            tokens_converted=event.tokens_converted, tokens_carried=event.tokens_carried,
            minor_from_tokens=event.minor_from_tokens, minor_taken=event.minor_taken,
            minor_netted=event.minor_netted,
            tokens_netted_with_minor=event.tokens_netted_with_minor,
            minor_for_tokens_debt=event.minor_for_tokens_debt, tokens_change=event.tokens_change,
            minor_netted_with_tokens=event.minor_netted_with_tokens,
            lines=json.dumps(event.lines), created_at=at, updated_at=at))

    @on(PayoutCarry.Carried)
    def _carried(self, event: Any, position: int, s: State) -> None:
        s[CARRIES].append({
            "carry_id": str(event.originator_id), "creator_id": event.creator_id,
            "run_key": event.run_key, "reason": event.reason,
            "available_tokens": event.available_tokens, "available_minor": event.available_minor,
            "owed_tokens": event.owed_tokens, "owed_minor": event.owed_minor,
            "would_pay_minor": event.would_pay_minor, "minimum_minor": event.minimum_minor,
            "at": event.at.isoformat()})

    @on(*_STATUSES)
    def _moved_on(self, event: Any, position: int, s: State) -> None:
        """A payout's next step: its status and what the step recorded."""
        s[PAYOUTS].update(str(event.originator_id), **_STATUSES[event_class(event)](event),
                          updated_at=event.at.isoformat())


class PayoutQueries:
    _COLUMNS = ("payout_id, creator_id, run_key, status, amount_minor, currency, tokens_taken, "
                "tokens_netted, tokens_converted, tokens_carried, minor_from_tokens, "
                "minor_taken, minor_netted, tokens_netted_with_minor, minor_for_tokens_debt, "
                "tokens_change, minor_netted_with_tokens, transfer_id, bank_payout_id, failure, created_at, "
                "updated_at")

    def __init__(self, db: Any) -> None:
        self._db = db

    def payouts(self, creator_id: str | None = None, status: str | None = None,
                limit: int = 100) -> list[dict[str, Any]]:
        where, params = [], []
        if creator_id:
            where.append("creator_id = %s")
            params.append(creator_id)
        if status:
            where.append("status = %s")
            params.append(status)
        clause = f"WHERE {' AND '.join(where)} " if where else ""
        return self._db.query(  # type: ignore[no-any-return]
            f"SELECT {self._COLUMNS} FROM rm_payouts {clause}ORDER BY created_at DESC LIMIT %s",
            (*params, limit))

    _CARRY_COLUMNS = ("run_key, reason, available_tokens, available_minor, owed_tokens, "
                      "owed_minor, would_pay_minor, minimum_minor, at")

    def payout_problem(self, creator_id: str) -> dict[str, Any] | None:
        """Set when the creator's bank kept refusing a payout, until support clears it."""
        rows = self._db.query("SELECT payout_problem FROM rm_creators WHERE creator_id = %s",
                              (creator_id,))
        return json.loads(rows[0]["payout_problem"]) if rows and rows[0]["payout_problem"] \
            else None

    def creators_with_payout_problems(self) -> list[dict[str, Any]]:
        rows = self._db.query("SELECT creator_id, display_name, payout_problem FROM rm_creators "
                              "WHERE payout_problem IS NOT NULL ORDER BY creator_id")
        return [{"creator_id": r["creator_id"], "display_name": r["display_name"],
                 **json.loads(r["payout_problem"])} for r in rows]

    def carries(self, creator_id: str, limit: int = 20) -> list[dict[str, Any]]:
        """The runs that paid the creator nothing, newest first, each with why."""
        return self._db.query(  # type: ignore[no-any-return]
            f"SELECT {self._CARRY_COLUMNS} FROM rm_payout_carries WHERE creator_id = %s "
            "ORDER BY at DESC, run_key DESC LIMIT %s", (creator_id, limit))

    def creators_with_payable_money(self) -> list[str]:
        """Creators with something available (the run decides, from their holds, what)."""
        rows = self._db.query("SELECT creator_id FROM rm_creator_earnings "
                              "WHERE available_tokens > 0 OR available_minor > 0 "
                              "ORDER BY creator_id")
        return [str(r["creator_id"]) for r in rows]

    def statement(self, creator_id: str, since: str, until: str) -> dict[str, list[dict[str, Any]]]:
        """A creator's month: each earning made in it (as it stands now), each payout made, and
        each run that paid nothing, with why."""
        earnings = self._db.query(
            "SELECT earned_at, source_kind, source_id, unit, amount_tokens, amount_minor, "
            "reversed_tokens, reversed_minor, clawback_tokens + clawback_in_payout_tokens + "
            "clawback_recovered_tokens AS clawed_tokens, clawback_minor + "
            "clawback_in_payout_minor + clawback_recovered_minor AS clawed_minor, status, "
            "release_at FROM rm_earnings_holds WHERE creator_id = %s AND earned_at >= %s "
            "AND earned_at < %s ORDER BY earned_at, hold_id", (creator_id, since, until))
        payouts = self._db.query(
            f"SELECT {self._COLUMNS} FROM rm_payouts WHERE creator_id = %s AND created_at >= %s "
            "AND created_at < %s ORDER BY created_at", (creator_id, since, until))
        carries = self._db.query(
            f"SELECT {self._CARRY_COLUMNS} FROM rm_payout_carries WHERE creator_id = %s "
            "AND at >= %s AND at < %s ORDER BY at", (creator_id, since, until))
        return {"earnings": earnings, "payouts": payouts, "carries": carries}

    def creators_paid_in_run(self, run_key: str) -> list[str]:
        rows = self._db.query("SELECT creator_id FROM rm_payouts WHERE run_key = %s", (run_key,))
        return [str(r["creator_id"]) for r in rows]

    def due_hold_ids(self, creator_id: str, now_iso: str) -> list[UUID]:
        """The creator's holds a run now would release first."""
        rows = self._db.query(
            "SELECT hold_id FROM rm_earnings_holds WHERE creator_id = %s AND status = 'held' "
            "AND release_at <= %s ORDER BY earned_at, hold_id", (creator_id, now_iso))
        return [UUID(str(r["hold_id"])) for r in rows]

    def payouts_waiting_on_the_bank(self) -> list[UUID]:
        """Payouts whose money sits on a Connect account after a bank refused it."""
        rows = self._db.query("SELECT payout_id FROM rm_payouts WHERE status = "
                              "'bank_payout_failed' ORDER BY created_at, payout_id")
        return [UUID(str(r["payout_id"])) for r in rows]

    def payable_hold_ids(self, creator_id: str) -> list[UUID]:
        rows = self._db.query(
            "SELECT hold_id FROM rm_earnings_holds WHERE creator_id = %s AND (available_tokens > 0 "
            "OR available_minor > 0 OR clawback_tokens > 0 OR clawback_minor > 0) "
            "ORDER BY earned_at, hold_id", (creator_id,))
        return [UUID(str(r["hold_id"])) for r in rows]
