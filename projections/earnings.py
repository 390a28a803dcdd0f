"""Each creator's earnings by state (held, available, paid, reversed, clawed back) and every hold."""

from collections.abc import Iterable
from typing import Any

from domain.aggregates.earnings_hold import EarningsHold
from projections.fold import KEYED, TOTALS, Fold, Row, State, Table, on

STATES = ("held", "available", "in_payout", "paid", "reversed", "clawback",
          "clawback_in_payout", "clawback_recovered",
          # Counters beside the states: what payouts' netting credited an earning beyond its
          # amount (EarningsHold.credit: held + available + in payout + paid + reversed ==
          # amount + credit), clawbacks owed because a paid payout was reversed rather than a
          # reversal, and clawbacks an open payout nets that a won dispute forgave meanwhile.
          "credit", "overpaid", "forgiven_in_payout")
UNITS = ("tokens", "minor")


# What the creator's chart follows over time: the five states an earning's value sits in.
HISTORY_STATES = ("held", "available", "in_payout", "paid", "reversed")


def _columns(prefix: str = "", states: tuple[str, ...] = STATES) -> str:
    return ",\n".join(f"            {prefix}{state}_{unit} BIGINT NOT NULL DEFAULT 0"
                       for unit in UNITS for state in states)


def _day(event: Any) -> str:
    """The day a movement happened, by the ledger's moment of it (UTC)."""
    moment = getattr(event, "at", None) or getattr(event, "earned_at", None) or event.timestamp
    return str(moment.isoformat()[:10])


def _named(states: tuple[str, ...] = STATES) -> tuple[str, ...]:
    return tuple(f"{state}_{unit}" for unit in UNITS for state in states)


HOLDS = Table("rm_earnings_holds", KEYED, ("hold_id",), (
    "hold_id", "creator_id", "source_kind", "source_id", "unit", "amount_tokens",
    "amount_minor", *_named(), "status", "earned_at", "release_at"),
    dict.fromkeys(_named(), 0))
TOTALS_BY_CREATOR = Table("rm_creator_earnings", TOTALS, ("creator_id",), (
    "creator_id", *_named(), "earnings_count"))
DAILY = Table("rm_creator_earnings_daily", TOTALS, ("creator_id", "day"), (
    "creator_id", "day", *_named(HISTORY_STATES)))


class EarningsProjection(Fold):
    """Each earning keeps its unit: a token hold moves the *_tokens columns, a pence hold (a
    subscription invoice) the *_minor ones; every event carries both amounts, one of them zero."""

    name = "earnings"
    splits = True
    rebuild_weight = 4
    version = 5  # 5: each day's movements between states (the creator's chart over time)
    reader_indexes = ("rm_earnings_holds_due", "rm_earnings_holds_creator")
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

    schema = (HOLDS, TOTALS_BY_CREATOR, DAILY)

    def touches(self, cls: type, event: Any) -> Iterable[tuple[Table, Any]]:
        if cls is not EarningsHold.Held:
            yield HOLDS, str(event.originator_id)

    @on(EarningsHold.Held)
    def _held(self, event: Any, position: int, s: State) -> None:
        unit = "minor" if event.source_amount_minor else "tokens"
        s[HOLDS].put(HOLDS.new(
            hold_id=str(event.originator_id), creator_id=event.creator_id,
            source_kind=event.source_kind, source_id=str(event.source_id), unit=unit,
            amount_tokens=event.amount_tokens, amount_minor=event.amount_minor,
            held_tokens=event.amount_tokens, held_minor=event.amount_minor, status="held",
            earned_at=event.earned_at.isoformat(), release_at=event.release_at.isoformat()))
        s[TOTALS_BY_CREATOR].add(event.creator_id, {
            "held_tokens": event.amount_tokens, "held_minor": event.amount_minor,
            "earnings_count": 1})
        _daily(s, event.creator_id, _day(event), None, "held", event.amount_tokens,
               event.amount_minor)

    @on(EarningsHold.Released)
    def _released(self, event: Any, position: int, s: State) -> None:
        _move(s, event, "held", "available", event.amount_tokens, event.amount_minor,
              "available")

    @on(EarningsHold.PaidOut)
    def _paid_out(self, event: Any, position: int, s: State) -> None:
        _move(s, event, "available", "paid", event.amount_tokens, event.amount_minor, "paid")

    @on(EarningsHold.Reserved)
    def _reserved(self, event: Any, position: int, s: State) -> None:
        status = _hold(s, event)["status"]
        _move(s, event, "available", "in_payout", event.amount_tokens, event.amount_minor,
              status)
        _move(s, event, "clawback", "clawback_in_payout", event.clawback_tokens,
              event.clawback_minor, status)

    @on(EarningsHold.Settled)
    def _settled(self, event: Any, position: int, s: State) -> None:
        _move(s, event, "in_payout", "paid", event.amount_tokens, event.amount_minor,
              _hold(s, event)["status"])
        _move(s, event, "clawback_in_payout", "clawback_recovered", event.clawback_tokens,
              event.clawback_minor, None)
        back_tokens = event.forgiven_tokens + event.change_tokens - event.credit_tokens
        back_minor = event.forgiven_minor - event.credit_minor
        if event.forgiven_tokens or event.forgiven_minor:  # the payout's netting of them ends
            _move(s, event, None, "forgiven_in_payout", -event.forgiven_tokens,
                  -event.forgiven_minor, None)
        if back_tokens or back_minor:  # netted, then forgiven: owed back from what was paid
            _move(s, event, "paid", "available", back_tokens, back_minor, "available")
        if event.credit_tokens or event.credit_minor:  # beyond what was paid: a credit
            _credit(s, event, event.credit_tokens, event.credit_minor)
        if back_tokens or back_minor or event.credit_tokens or event.credit_minor:
            return
        hold = _hold(s, event)
        if hold["status"] != "held" and hold["available_tokens"] + hold["available_minor"] == 0 \
                and hold["in_payout_tokens"] + hold["in_payout_minor"] == 0:
            hold["status"] = "paid"
            s[HOLDS].put(hold)

    @on(EarningsHold.ReservationReturned)
    def _reservation_returned(self, event: Any, position: int, s: State) -> None:
        was = "paid" if event.was_settled else "in_payout"
        claw = "clawback_recovered" if event.was_settled else "clawback_in_payout"
        _move(s, event, was, "available", event.amount_tokens, event.amount_minor, "available")
        _move(s, event, claw, "clawback", event.clawback_tokens, event.clawback_minor, None)
        _move(s, event, "available", "paid", event.taken_back_tokens, event.taken_back_minor,
              None)
        # What is taken back leaves the credit first (and what of it was paid out since, the
        # credit and paid).
        credit_tokens = event.credit_tokens + event.credit_overpaid_tokens
        credit_minor = event.credit_minor + event.credit_overpaid_minor
        if credit_tokens or credit_minor:
            _move(s, event, None, "paid", -credit_tokens, -credit_minor, None)
            _move(s, event, None, "credit", -credit_tokens, -credit_minor, None)
        _move(s, event, None, "clawback", event.overpaid_tokens, event.overpaid_minor, None)
        _move(s, event, None, "overpaid", event.overpaid_tokens, event.overpaid_minor, None)
        if event.forgiven_dropped_tokens or event.forgiven_dropped_minor:
            _move(s, event, None, "forgiven_in_payout", -event.forgiven_dropped_tokens,
                  -event.forgiven_dropped_minor, None)

    @on(EarningsHold.Reversed)
    def _reversed(self, event: Any, position: int, s: State) -> None:
        status = _hold(s, event)["status"]
        source = "held" if status == "held" else "available"
        _move(s, event, source, "reversed", event.amount_tokens, event.amount_minor, status)

    @on(EarningsHold.ClawedBack)
    def _clawed_back(self, event: Any, position: int, s: State) -> None:
        _move(s, event, None, "clawback", event.amount_tokens, event.amount_minor, "paid")

    @on(EarningsHold.Reinstated)
    def _reinstated(self, event: Any, position: int, s: State) -> None:
        hold = _hold(s, event)
        was, unit = hold["status"], hold["unit"]
        status = was
        if event.from_clawback_tokens or event.from_clawback_minor:  # an adjustment cancelled
            _move(s, event, None, "clawback", -event.from_clawback_tokens,
                  -event.from_clawback_minor, None)
        if event.from_recovered_tokens or event.from_recovered_minor:  # owed again
            _move(s, event, None, "clawback_recovered", -event.from_recovered_tokens,
                  -event.from_recovered_minor, None)
            status = "available"
            _move(s, event, "paid", "available", event.from_recovered_tokens - event.credit_tokens,
                  event.from_recovered_minor - event.credit_minor, status)
            _credit(s, event, event.credit_tokens, event.credit_minor)
        forgiven = sum((event.forgiven_in_payouts or {}).values())
        if forgiven:  # a payout is netting it: settled (owed back) or dropped with the payout
            forgiven_tokens, forgiven_minor = (0, forgiven) if unit == "minor" else (forgiven, 0)
            _move(s, event, "clawback_in_payout", "forgiven_in_payout", forgiven_tokens,
                  forgiven_minor, None)
        else:
            forgiven_tokens = forgiven_minor = 0
        again_tokens = event.amount_tokens - event.from_clawback_tokens - \
            event.from_recovered_tokens - forgiven_tokens
        again_minor = event.amount_minor - event.from_clawback_minor - \
            event.from_recovered_minor - forgiven_minor
        if again_tokens or again_minor:
            target = "held" if was == "held" else "available"
            if target == "available":
                status = "available"
            _move(s, event, "reversed", target, again_tokens, again_minor, status)


def _hold(s: State, event: Any) -> Row:
    row = s[HOLDS].get(str(event.originator_id))
    if row is None:
        raise LookupError(f"hold {event.originator_id} has no Held event before it")
    return row


def _credit(s: State, event: Any, amount_tokens: int, amount_minor: int) -> None:
    """Value a payout's netting gave the earning beyond its amount: available, credited."""
    if amount_tokens or amount_minor:
        _move(s, event, None, "credit", amount_tokens, amount_minor, None)
        _move(s, event, None, "available", amount_tokens, amount_minor, "available")


def _move(s: State, event: Any, source: str | None, target: str, amount_tokens: int,
          amount_minor: int, status: str | None) -> None:
    """Move an amount between two states (or into one), on the hold and its creator's totals;
    status None leaves the hold's status as it is."""
    assert target in STATES and (source is None or source in STATES)
    if not (amount_tokens or amount_minor) and status is None:
        return
    hold = _hold(s, event)
    deltas: dict[str, int] = {}
    for unit, amount in (("tokens", amount_tokens), ("minor", amount_minor)):
        if source:
            deltas[f"{source}_{unit}"] = -amount
        deltas[f"{target}_{unit}"] = amount
    for column, delta in deltas.items():
        hold[column] += delta
    hold["status"] = status or hold["status"]
    s[HOLDS].put(hold)
    s[TOTALS_BY_CREATOR].add(hold["creator_id"], deltas)
    _daily(s, hold["creator_id"], _day(event), source, target, amount_tokens, amount_minor)


def _daily(s: State, creator_id: str, day: str, source: str | None, target: str,
           amount_tokens: int, amount_minor: int) -> None:
    """One movement in the day's row."""
    s[DAILY].add((creator_id, day), {
        f"{state}_{unit}": sign * amount
        for state, sign in ((source, -1), (target, 1)) if state in HISTORY_STATES
        for unit, amount in (("tokens", amount_tokens), ("minor", amount_minor))})
