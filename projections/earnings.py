"""Each creator's earnings by state (held, available, paid, reversed, clawed back) and every hold."""

from typing import Any

from eventsourcing.dispatch import singledispatchmethod

from domain.aggregates.earnings_hold import EarningsHold
from projections.base import Projection
from projections.db import Tx

STATES = ("held", "available", "in_payout", "paid", "reversed", "clawback",
          "clawback_in_payout", "clawback_recovered",
          # Counters beside the states: what payouts' netting credited an earning beyond its
          # amount (EarningsHold.credit: held + available + in payout + paid + reversed ==
          # amount + credit), clawbacks owed because a paid payout was reversed rather than a
          # reversal, and clawbacks an open payout nets that a won dispute forgave meanwhile.
          "credit", "overpaid", "forgiven_in_payout")
UNITS = ("tokens", "minor")
_HELD_COLUMNS = ("hold_id", "creator_id", "source_kind", "source_id", "unit", "amount_tokens",
                 "amount_minor", "held_tokens", "held_minor", "status", "earned_at", "release_at")


# What the creator's chart follows over time: the five states an earning's value sits in.
HISTORY_STATES = ("held", "available", "in_payout", "paid", "reversed")


def _columns(prefix: str = "", states: tuple[str, ...] = STATES) -> str:
    return ",\n".join(f"            {prefix}{state}_{unit} BIGINT NOT NULL DEFAULT 0"
                       for unit in UNITS for state in states)


def _day(event: Any) -> str:
    """The day a movement happened, by the ledger's moment of it (UTC)."""
    moment = getattr(event, "at", None) or getattr(event, "earned_at", None) or event.timestamp
    return str(moment.isoformat()[:10])


class EarningsProjection(Projection):
    """Each earning keeps its unit: a token hold moves the *_tokens columns, a pence hold (a
    subscription invoice) the *_minor ones; every event carries both amounts, one of them zero."""

    name = "earnings"
    rebuild_weight = 8
    version = 5  # 5: each day's movements between states (the creator's chart over time)
    reader_indexes = ("rm_earnings_holds_due", "rm_earnings_holds_creator")
    tables = ("rm_creator_earnings", "rm_earnings_holds", "rm_creator_earnings_daily")
    ddl = (
        f"""CREATE TABLE IF NOT EXISTS rm_creator_earnings (
            creator_id TEXT PRIMARY KEY,
{_columns()},
            earnings_count BIGINT NOT NULL DEFAULT 0)""",
        f"""CREATE TABLE IF NOT EXISTS rm_earnings_holds (
            hold_id TEXT PRIMARY KEY,
            creator_id TEXT NOT NULL,
            source_kind TEXT NOT NULL,
            source_id TEXT NOT NULL,
            unit TEXT NOT NULL,
            amount_tokens BIGINT NOT NULL,
            amount_minor BIGINT NOT NULL,
{_columns()},
            status TEXT NOT NULL,
            earned_at TEXT NOT NULL,
            release_at TEXT NOT NULL)""",
        "CREATE INDEX IF NOT EXISTS rm_earnings_holds_due ON rm_earnings_holds (status, release_at)",
        "CREATE INDEX IF NOT EXISTS rm_earnings_holds_creator "
        "ON rm_earnings_holds (creator_id, earned_at)",
        # What moved into (+) and out of (-) each state on each day: summed up to a day, the
        # creator's earnings by state as they stood then (not today's states smeared back).
        f"""CREATE TABLE IF NOT EXISTS rm_creator_earnings_daily (
            creator_id TEXT NOT NULL,
            day TEXT NOT NULL,
{_columns(states=HISTORY_STATES)},
            PRIMARY KEY (creator_id, day))""",
    )

    @singledispatchmethod
    def process(self, event: Any, tx: Tx, position: int) -> None:
        pass

    @process.register
    def _(self, event: EarningsHold.Held, tx: Tx, position: int) -> None:
        unit = "minor" if event.source_amount_minor else "tokens"
        tx.defer_insert("rm_earnings_holds", _HELD_COLUMNS, (
            str(event.originator_id), event.creator_id, event.source_kind, str(event.source_id),
            unit, event.amount_tokens, event.amount_minor, event.amount_tokens,
            event.amount_minor, "held", event.earned_at.isoformat(), event.release_at.isoformat()))
        tx.execute(
            "INSERT INTO rm_creator_earnings (creator_id, held_tokens, held_minor, earnings_count) "
            "VALUES (%s, %s, %s, 1) ON CONFLICT (creator_id) DO UPDATE SET "
            "held_tokens = rm_creator_earnings.held_tokens + excluded.held_tokens, "
            "held_minor = rm_creator_earnings.held_minor + excluded.held_minor, "
            "earnings_count = rm_creator_earnings.earnings_count + 1",
            (event.creator_id, event.amount_tokens, event.amount_minor))
        self._daily(tx, event.creator_id, _day(event), None, "held", event.amount_tokens,
                    event.amount_minor)

    @process.register
    def _(self, event: EarningsHold.Released, tx: Tx, position: int) -> None:
        self._move(tx, event, "held", "available", event.amount_tokens, event.amount_minor,
                   "available")

    @process.register
    def _(self, event: EarningsHold.PaidOut, tx: Tx, position: int) -> None:
        self._move(tx, event, "available", "paid", event.amount_tokens, event.amount_minor, "paid")

    @process.register
    def _(self, event: EarningsHold.Reserved, tx: Tx, position: int) -> None:
        status = self._hold(tx, event)["status"]
        self._move(tx, event, "available", "in_payout", event.amount_tokens, event.amount_minor,
                   status)
        self._move(tx, event, "clawback", "clawback_in_payout", event.clawback_tokens,
                   event.clawback_minor, status)

    @process.register
    def _(self, event: EarningsHold.Settled, tx: Tx, position: int) -> None:
        self._move(tx, event, "in_payout", "paid", event.amount_tokens, event.amount_minor,
                   self._hold(tx, event)["status"])
        self._move(tx, event, "clawback_in_payout", "clawback_recovered", event.clawback_tokens,
                   event.clawback_minor, None)
        back_tokens = event.forgiven_tokens + event.change_tokens - event.credit_tokens
        back_minor = event.forgiven_minor - event.credit_minor
        if event.forgiven_tokens or event.forgiven_minor:  # the payout's netting of them ends
            self._move(tx, event, None, "forgiven_in_payout", -event.forgiven_tokens,
                       -event.forgiven_minor, None)
        if back_tokens or back_minor:  # netted, then forgiven: owed back from what was paid
            self._move(tx, event, "paid", "available", back_tokens, back_minor, "available")
        if event.credit_tokens or event.credit_minor:  # beyond what was paid: a credit
            self._credit(tx, event, event.credit_tokens, event.credit_minor)
        if back_tokens or back_minor or event.credit_tokens or event.credit_minor:
            return
        tx.execute("UPDATE rm_earnings_holds SET status = 'paid' WHERE hold_id = %s "
                   "AND status <> 'held' AND available_tokens + available_minor = 0 "
                   "AND in_payout_tokens + in_payout_minor = 0", (str(event.originator_id),))

    @process.register
    def _(self, event: EarningsHold.ReservationReturned, tx: Tx, position: int) -> None:
        was = "paid" if event.was_settled else "in_payout"
        claw = "clawback_recovered" if event.was_settled else "clawback_in_payout"
        self._move(tx, event, was, "available", event.amount_tokens, event.amount_minor,
                   "available")
        self._move(tx, event, claw, "clawback", event.clawback_tokens, event.clawback_minor, None)
        self._move(tx, event, "available", "paid", event.taken_back_tokens,
                   event.taken_back_minor, None)
        # What is taken back leaves the credit first (and what of it was paid out since, the
        # credit and paid).
        credit_tokens = event.credit_tokens + event.credit_overpaid_tokens
        credit_minor = event.credit_minor + event.credit_overpaid_minor
        if credit_tokens or credit_minor:
            self._move(tx, event, None, "paid", -credit_tokens, -credit_minor, None)
            self._move(tx, event, None, "credit", -credit_tokens, -credit_minor, None)
        self._move(tx, event, None, "clawback", event.overpaid_tokens, event.overpaid_minor, None)
        self._move(tx, event, None, "overpaid", event.overpaid_tokens, event.overpaid_minor, None)
        if event.forgiven_dropped_tokens or event.forgiven_dropped_minor:
            self._move(tx, event, None, "forgiven_in_payout", -event.forgiven_dropped_tokens,
                       -event.forgiven_dropped_minor, None)

    @process.register
    def _(self, event: EarningsHold.Reversed, tx: Tx, position: int) -> None:
        hold = self._hold(tx, event)
        source = "held" if hold["status"] == "held" else "available"
        self._move(tx, event, source, "reversed", event.amount_tokens, event.amount_minor,
                   hold["status"])

    @process.register
    def _(self, event: EarningsHold.ClawedBack, tx: Tx, position: int) -> None:
        self._move(tx, event, None, "clawback", event.amount_tokens, event.amount_minor, "paid")

    @process.register
    def _(self, event: EarningsHold.Reinstated, tx: Tx, position: int) -> None:
        hold = self._hold(tx, event)
        status = hold["status"]
        if event.from_clawback_tokens or event.from_clawback_minor:  # an adjustment cancelled
            self._move(tx, event, None, "clawback", -event.from_clawback_tokens,
                       -event.from_clawback_minor, None)
        if event.from_recovered_tokens or event.from_recovered_minor:  # owed again
            self._move(tx, event, None, "clawback_recovered", -event.from_recovered_tokens,
                       -event.from_recovered_minor, None)
            status = "available"
            self._move(tx, event, "paid", "available",
                       event.from_recovered_tokens - event.credit_tokens,
                       event.from_recovered_minor - event.credit_minor, status)
            self._credit(tx, event, event.credit_tokens, event.credit_minor)
        forgiven = sum((event.forgiven_in_payouts or {}).values())
        if forgiven:  # a payout is netting it: settled (owed back) or dropped with the payout
            forgiven_tokens, forgiven_minor = (0, forgiven) if hold["unit"] == "minor" else \
                (forgiven, 0)
            self._move(tx, event, "clawback_in_payout", "forgiven_in_payout", forgiven_tokens,
                       forgiven_minor, None)
        else:
            forgiven_tokens = forgiven_minor = 0
        again_tokens = event.amount_tokens - event.from_clawback_tokens - \
            event.from_recovered_tokens - forgiven_tokens
        again_minor = event.amount_minor - event.from_clawback_minor - \
            event.from_recovered_minor - forgiven_minor
        if again_tokens or again_minor:
            target = "held" if hold["status"] == "held" else "available"
            if target == "available":
                status = "available"
            self._move(tx, event, "reversed", target, again_tokens, again_minor, status)

    def _credit(self, tx: Tx, event: Any, amount_tokens: int, amount_minor: int) -> None:
        """Value a payout's netting gave the earning beyond its amount: available, credited."""
        if amount_tokens or amount_minor:
            self._move(tx, event, None, "credit", amount_tokens, amount_minor, None)
            self._move(tx, event, None, "available", amount_tokens, amount_minor, "available")

    def _move(self, tx: Tx, event: Any, source: str | None, target: str, amount_tokens: int,
              amount_minor: int, status: str | None) -> None:
        """Move an amount between two states (or into one), on the hold and its creator's
        totals; status None leaves the hold's status as it is."""
        assert target in STATES and (source is None or source in STATES)
        if not (amount_tokens or amount_minor) and status is None:
            return
        hold = self._hold(tx, event)
        status = status or hold["status"]
        sets, params = [], []
        for unit, amount in (("tokens", amount_tokens), ("minor", amount_minor)):
            if source:
                sets.append(f"{source}_{unit} = {source}_{unit} - %s")
                params.append(amount)
            sets.append(f"{target}_{unit} = {target}_{unit} + %s")
            params.append(amount)
        assignments = ", ".join(sets)
        tx.execute(f"UPDATE rm_earnings_holds SET {assignments}, status = %s WHERE hold_id = %s",
                   (*params, status, str(event.originator_id)))
        tx.execute(f"UPDATE rm_creator_earnings SET {assignments} WHERE creator_id = %s",
                   (*params, hold["creator_id"]))
        self._daily(tx, hold["creator_id"], _day(event), source, target, amount_tokens,
                    amount_minor)

    @staticmethod
    def _daily(tx: Tx, creator_id: str, day: str, source: str | None, target: str,
               amount_tokens: int, amount_minor: int) -> None:
        """One movement in the day's row (one statement: inserted or added to)."""
        moved = {f"{state}_{unit}": sign * amount
                 for state, sign in ((source, -1), (target, 1)) if state in HISTORY_STATES
                 for unit, amount in (("tokens", amount_tokens), ("minor", amount_minor))}
        if not any(moved.values()):
            return
        columns = ", ".join(moved)
        tx.execute(f"INSERT INTO rm_creator_earnings_daily (creator_id, day, {columns}) "
                   f"VALUES (%s, %s, {', '.join(['%s'] * len(moved))}) "
                   f"ON CONFLICT (creator_id, day) DO UPDATE SET " +
                   ", ".join(f"{c} = rm_creator_earnings_daily.{c} + excluded.{c}"
                             for c in moved), (creator_id, day, *moved.values()))

    @staticmethod
    def _hold(tx: Tx, event: Any) -> dict[str, Any]:
        row = tx.one("SELECT creator_id, status, unit FROM rm_earnings_holds WHERE hold_id = %s",
                     (str(event.originator_id),))
        if row is None:
            raise LookupError(f"hold {event.originator_id} has no Held event before it")
        return row
