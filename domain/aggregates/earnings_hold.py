"""One creator earning, held 14 days from the event that earned it, then available, then in a
payout, then paid.

An earning keeps the unit it was earned in: tokens for a spend (tip, unlock, paid message), pence
for a subscription invoice. Every unit of it is in exactly one of held, available, paid or
reversed. A reversal of an already-paid earning cannot take the money back, so it is recorded as a
clawback: a negative adjustment carried against the creator's future earnings. A reversal undone
(a dispute the platform won) re-earns the share with the hold's original release time: it goes
back to held or available, as the hold stands, and an outstanding clawback is cancelled rather
than paid twice.

A payout reserves what it takes (all or part of what is available, and outstanding clawbacks it
nets) in the same save as its creation, so nothing is in two payouts; it then settles them (paid,
recovered), or returns them (available, outstanding again) if its transfer fails or is reversed.
A dispute won while a payout is netting its clawback forgives that part of the netting: owed back
to the creator (available) if the payout is paid, simply dropped if it fails. A paid payout
reversed later takes back what it had made owed; what the creator has meanwhile been paid of it
is an overpayment, carried as a clawback like any other.

Value a payout's netting gives back (a forgiven netting, a recovered clawback re-earned, the
change of a token debt recovered with pence) becomes available out of what this earning was
paid; beyond that (the earning is itself still in another payout) it is a *credit*, so that
held + available + in payout + paid + reversed = amount + credit and nothing is ever negative.
Taking such value back leaves the credit first.

Every event names its amount in both units (`amount_tokens`, `amount_minor`), one of them zero,
so a reader of the log never has to know the hold to know what moved; the aggregate keeps one
set of balances in its own unit.
"""

from datetime import datetime, timedelta
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain import ids
from domain.errors import HoldNotDueError, InvalidAmountError, InvalidTransitionError

HELD = "held"
AVAILABLE = "available"
PAID = "paid"

TOKENS = "tokens"
MINOR = "minor"  # pence


def _forgiven_units(unit: str, forgiven: int) -> dict[str, int]:
    return {"forgiven_tokens": 0, "forgiven_minor": forgiven} if unit == MINOR else \
        {"forgiven_tokens": forgiven, "forgiven_minor": 0}


def _credit_units(unit: str, credit: int) -> dict[str, int]:
    return {"credit_tokens": 0, "credit_minor": credit} if unit == MINOR else \
        {"credit_tokens": credit, "credit_minor": 0}


def _clawback_units(unit: str, clawback: int) -> dict[str, int]:
    return {"clawback_tokens": 0, "clawback_minor": clawback} if unit == MINOR else \
        {"clawback_tokens": clawback, "clawback_minor": 0}


class EarningsHold(Aggregate):
    @staticmethod
    def create_id(source_kind: str, source_id: UUID, **_: object) -> UUID:
        return ids.hold_id(source_kind, source_id)

    class Held(Aggregate.Created):
        source_kind: str
        source_id: UUID
        creator_id: str
        amount_tokens: int
        source_amount_tokens: int
        earned_at: datetime
        release_at: datetime
        amount_minor: int = 0
        source_amount_minor: int = 0

    @event(Held)
    def __init__(self, source_kind: str, source_id: UUID, creator_id: str, amount_tokens: int,
                 source_amount_tokens: int, earned_at: datetime, release_at: datetime,
                 amount_minor: int = 0, source_amount_minor: int = 0) -> None:
        self.unit = MINOR if source_amount_minor else TOKENS
        self.source_kind = source_kind
        self.source_id = source_id
        self.creator_id = creator_id
        self.amount = amount_minor if self.unit == MINOR else amount_tokens
        self.source_amount = source_amount_minor if self.unit == MINOR else source_amount_tokens
        self.earned_at = earned_at
        self.release_at = release_at
        self.status = HELD
        # Balances in the hold's own unit (self.unit).
        self.held = self.amount
        self.available = 0
        self.in_payout = 0
        self.paid = 0
        self.reversed = 0
        self.clawback = 0  # outstanding negative adjustment
        self.clawback_in_payout = 0
        self.clawback_recovered = 0
        self.overpaid = 0  # clawback owed because a paid payout was reversed, not a reversal
        # What payouts' netting gave this earning beyond its own amount: the change of a token
        # debt recovered with pence, and a forgiven netting it had no paid amount to return
        # from. held + available + in_payout + paid + reversed == amount + credit.
        self.credit = 0
        self.source_clawed = 0
        # payout ref -> [amount, clawback netted, clawback forgiven while netting, change]
        self.reservations: dict[str, list[int]] = {}
        self.settled_payouts: dict[str, list[int]] = {}

    @classmethod
    def hold(cls, *, source_kind: str, source_id: UUID, creator_id: str, amount_tokens: int,
             source_amount_tokens: int, earned_at: datetime,
             hold_period: timedelta) -> "EarningsHold":
        """A creator's share of a token spend."""
        if not 0 <= amount_tokens <= source_amount_tokens:
            raise InvalidAmountError("an earning must be within 0 and the amount that earned it")
        return cls(source_kind=source_kind, source_id=source_id, creator_id=creator_id,
                   amount_tokens=amount_tokens, source_amount_tokens=source_amount_tokens,
                   earned_at=earned_at, release_at=earned_at + hold_period)

    @classmethod
    def hold_minor(cls, *, source_kind: str, source_id: UUID, creator_id: str, amount_minor: int,
                   source_amount_minor: int, earned_at: datetime,
                   hold_period: timedelta) -> "EarningsHold":
        """A creator's share of a card payment (a subscription invoice), in pence."""
        if source_amount_minor <= 0 or not 0 <= amount_minor <= source_amount_minor:
            raise InvalidAmountError("an earning must be within 0 and the amount that earned it")
        return cls(source_kind=source_kind, source_id=source_id, creator_id=creator_id,
                   amount_tokens=0, source_amount_tokens=0, amount_minor=amount_minor,
                   source_amount_minor=source_amount_minor, earned_at=earned_at,
                   release_at=earned_at + hold_period)

    def _in_units(self, amount: int) -> dict[str, int]:
        return {"amount_tokens": 0, "amount_minor": amount} if self.unit == MINOR else \
            {"amount_tokens": amount, "amount_minor": 0}

    def _source_in_units(self, amount: int) -> dict[str, int]:
        return {"source_tokens": 0, "source_minor": amount} if self.unit == MINOR else \
            {"source_tokens": amount, "source_minor": 0}

    # Read in a named unit: zero in the other one.
    @property
    def clawed(self) -> int:
        """Every clawback ever: outstanding, being netted, recovered."""
        return self.clawback + self.clawback_in_payout + self.clawback_recovered

    held_tokens = property(lambda self: self.held if self.unit == TOKENS else 0)
    available_tokens = property(lambda self: self.available if self.unit == TOKENS else 0)
    paid_tokens = property(lambda self: self.paid if self.unit == TOKENS else 0)
    reversed_tokens = property(lambda self: self.reversed if self.unit == TOKENS else 0)
    clawback_tokens = property(lambda self: self.clawback if self.unit == TOKENS else 0)
    in_payout_tokens = property(lambda self: self.in_payout if self.unit == TOKENS else 0)
    amount_tokens = property(lambda self: self.amount if self.unit == TOKENS else 0)
    held_minor = property(lambda self: self.held if self.unit == MINOR else 0)
    available_minor = property(lambda self: self.available if self.unit == MINOR else 0)
    paid_minor = property(lambda self: self.paid if self.unit == MINOR else 0)
    reversed_minor = property(lambda self: self.reversed if self.unit == MINOR else 0)
    clawback_minor = property(lambda self: self.clawback if self.unit == MINOR else 0)
    in_payout_minor = property(lambda self: self.in_payout if self.unit == MINOR else 0)
    amount_minor = property(lambda self: self.amount if self.unit == MINOR else 0)

    def release(self, now: datetime) -> None:
        if self.status != HELD:
            raise InvalidTransitionError(f"hold is {self.status}, not held")
        if now < self.release_at:
            raise HoldNotDueError(f"hold releases at {self.release_at.isoformat()}")
        self._released(at=now, **self._in_units(self.held))

    def reserve(self, payout_ref: str, amount: int, clawback: int, at: datetime,
                change: int = 0) -> None:
        """A payout takes amount of what is available and nets clawback of what is owed; change
        is what it recovered beyond that debt (pence paid a token debt in whole 5-token steps),
        given back as available tokens once the payout is paid."""
        if payout_ref in self.reservations:
            raise InvalidTransitionError(f"hold is already in payout {payout_ref}")
        if not (0 <= amount <= self.available and 0 <= clawback <= self.clawback) or \
                amount + clawback == 0:
            raise InvalidAmountError("a payout takes what is available and nets what is owed")
        if change and not (self.unit == TOKENS and clawback and 0 < change < 5):
            raise InvalidAmountError("change is 1 to 4 tokens beyond a token debt netted")
        self._reserved(payout_ref=payout_ref, at=at, **self._in_units(amount),
                       **_clawback_units(self.unit, clawback), change_tokens=change)

    def settle(self, payout_ref: str, at: datetime) -> bool:
        """The payout was paid: what it took is paid, what it netted is recovered."""
        if payout_ref not in self.reservations:
            return False
        amount, clawback, forgiven, change = self.reservations[payout_ref]
        # What the netting owes back (a forgiven netting, the change of a rounded-up step)
        # becomes available: out of what this earning was paid, and beyond that (the earning
        # is itself still in another payout) as a credit.
        credit = max(0, forgiven + change - (self.paid + amount))
        self._settled(payout_ref=payout_ref, at=at, **self._in_units(amount),
                      **_clawback_units(self.unit, clawback),
                      **_forgiven_units(self.unit, forgiven), change_tokens=change,
                      **_credit_units(self.unit, credit))
        return True

    def return_reservation(self, payout_ref: str, reason: str, at: datetime) -> bool:
        """The payout failed or was reversed: what it took is available again and what it
        netted is owed again (paid or not yet)."""
        if payout_ref not in self.reservations and payout_ref not in self.settled_payouts:
            return False
        settled = payout_ref in self.settled_payouts
        amount, clawback, forgiven, change = (self.settled_payouts if settled else
                                              self.reservations)[payout_ref]
        taken_back = overpaid = credit = credit_overpaid = 0
        dropped = 0 if settled else forgiven  # a forgiven netting of a payout that never paid
        if settled:
            # The netting is undone: what it recovered is owed again, as far as it is still
            # recovered; what was owed back to the creator because of it (forgiven, change, or
            # recovered and reinstated since) is taken back from available, and whatever of
            # that has been paid out meanwhile is an overpayment. What is taken back leaves the
            # earning's credit first, then returns to paid.
            owed_again = min(clawback, self.clawback_recovered)
            owed_back = forgiven + change + clawback - owed_again
            clawback = owed_again
            taken_back = min(owed_back, self.available + amount)
            overpaid = owed_back - taken_back
            credit = min(taken_back, self.credit)
            paid_then = self.paid - amount + taken_back - credit
            credit_overpaid = min(overpaid, self.credit - credit, paid_then)
        minor = self.unit == MINOR
        self._reservation_returned(payout_ref=payout_ref, reason=reason, was_settled=settled,
                                   at=at, **self._in_units(amount),
                                   **_clawback_units(self.unit, clawback),
                                   taken_back_tokens=0 if minor else taken_back,
                                   taken_back_minor=taken_back if minor else 0,
                                   overpaid_tokens=0 if minor else overpaid,
                                   overpaid_minor=overpaid if minor else 0,
                                   **_credit_units(self.unit, credit),
                                   credit_overpaid_tokens=0 if minor else credit_overpaid,
                                   credit_overpaid_minor=credit_overpaid if minor else 0,
                                   forgiven_dropped_tokens=0 if minor else dropped,
                                   forgiven_dropped_minor=dropped if minor else 0)
        return True

    def reverse_source(self, source_amount: int, reason: str, at: datetime) -> int:
        """Reverse the share of this earning funded by source_amount (in the hold's unit) of the
        spend or payment behind it.

        Cumulative flooring makes partial reversals sum exactly to the whole earning. Returns the
        creator's amount reversed (or clawed back), in the hold's unit.
        """
        if source_amount <= 0 or self.source_clawed + source_amount > self.source_amount:
            raise InvalidAmountError("reversal must be positive and within the source amount")
        before = self.amount * self.source_clawed // self.source_amount
        amount = self.amount * (self.source_clawed + source_amount) // self.source_amount - before
        # What has not left yet is reversed; what is paid or in a payout becomes a clawback.
        from_open = min(amount, self.held if self.status == HELD else self.available)
        clawed = amount - from_open
        source_open = source_amount if clawed == 0 else (
            source_amount * from_open // amount if amount else source_amount)
        if from_open or clawed == 0:
            self._reversed(reason=reason, at=at, **self._in_units(from_open),
                           **self._source_in_units(source_open))
        if clawed:
            self._clawed_back(reason=reason, at=at, **self._in_units(clawed),
                              **self._source_in_units(source_amount - source_open))
        return amount

    def reinstate_source(self, source_amount: int, reason: str, at: datetime) -> int:
        """Undo the reversal of source_amount; returns the creator's amount re-earned.

        The creator's reversed total is a function of the source reversed (cumulative flooring),
        so reversals and reinstatements in any order never drift by a unit.
        """
        if source_amount <= 0 or source_amount > self.source_clawed:
            raise InvalidAmountError("a reinstatement must be positive and within what was reversed")
        before = self.amount * self.source_clawed // self.source_amount
        after = self.amount * (self.source_clawed - source_amount) // self.source_amount
        amount = before - after
        # An outstanding clawback is cancelled first, then one a payout is netting is forgiven
        # (settled with that payout), then what was reversed is earned again; a clawback a
        # payout already recovered is owed to the creator again (available).
        from_clawback = min(amount, self.clawback)
        rest = amount - from_clawback
        forgiven: dict[str, int] = {}
        for ref, (_, netting, *_) in self.reservations.items():
            if rest and netting:
                forgiven[ref] = min(rest, netting)
                rest -= forgiven[ref]
        from_reversed = min(rest, self.reversed)
        from_recovered = rest - from_reversed
        # Owed back out of what this earning was paid; beyond that (the earning is still in a
        # payout), as a credit.
        credit = max(0, from_recovered - self.paid)
        minor = self.unit == MINOR
        self._reinstated(reason=reason, at=at, **self._in_units(amount),
                         from_clawback_tokens=0 if minor else from_clawback,
                         from_clawback_minor=from_clawback if minor else 0,
                         from_recovered_tokens=0 if minor else from_recovered,
                         from_recovered_minor=from_recovered if minor else 0,
                         forgiven_in_payouts=forgiven or None,
                         **self._source_in_units(source_amount),
                         **_credit_units(self.unit, credit))
        return amount

    class Reinstated(Aggregate.Event):
        amount_tokens: int
        from_clawback_tokens: int  # cancels an outstanding negative adjustment; the rest re-earns
        source_tokens: int
        reason: str
        at: datetime
        amount_minor: int = 0
        from_clawback_minor: int = 0
        source_minor: int = 0
        from_recovered_tokens: int = 0  # a clawback already recovered: owed (available) again
        from_recovered_minor: int = 0
        # payout ref -> units of the clawback it nets forgiven (in the hold's unit)
        forgiven_in_payouts: dict[str, int] | None = None
        credit_tokens: int = 0  # of from_recovered, what is a credit rather than out of paid
        credit_minor: int = 0

    @event(Reinstated)
    def _reinstated(self, amount_tokens: int, from_clawback_tokens: int, source_tokens: int,
                    reason: str, at: datetime, amount_minor: int = 0,
                    from_clawback_minor: int = 0, source_minor: int = 0,
                    from_recovered_tokens: int = 0, from_recovered_minor: int = 0,
                    forgiven_in_payouts: dict[str, int] | None = None,
                    credit_tokens: int = 0, credit_minor: int = 0) -> None:
        amount = amount_tokens + amount_minor
        from_clawback = from_clawback_tokens + from_clawback_minor
        from_recovered = from_recovered_tokens + from_recovered_minor
        credit = credit_tokens + credit_minor
        self.clawback -= from_clawback
        self.clawback_recovered -= from_recovered
        self.paid -= from_recovered - credit
        self.available += from_recovered
        self.credit += credit
        for ref, units in (forgiven_in_payouts or {}).items():
            self.reservations[ref][1] -= units
            self.reservations[ref][2] += units
            self.clawback_in_payout -= units
        earned_again = amount - from_clawback - from_recovered - \
            sum((forgiven_in_payouts or {}).values())
        self.reversed -= earned_again
        if self.status == HELD:
            self.held += earned_again
        else:
            self.available += earned_again
        if self.status == PAID and self.available:
            self.status = AVAILABLE
        self.source_clawed -= source_tokens + source_minor

    class Released(Aggregate.Event):
        amount_tokens: int
        at: datetime
        amount_minor: int = 0

    @event(Released)
    def _released(self, amount_tokens: int, at: datetime, amount_minor: int = 0) -> None:
        amount = amount_tokens + amount_minor
        self.held -= amount
        self.available += amount
        self.status = AVAILABLE

    class PaidOut(Aggregate.Event):
        """Legacy: paid straight from available (streams recorded before payouts reserved)."""

        payout_ref: str
        amount_tokens: int
        at: datetime
        amount_minor: int = 0

    @event(PaidOut)
    def _paid_out(self, payout_ref: str, amount_tokens: int, at: datetime,
                  amount_minor: int = 0) -> None:
        amount = amount_tokens + amount_minor
        self.available -= amount
        self.paid += amount
        self.status = PAID

    class Reserved(Aggregate.Event):
        payout_ref: str
        amount_tokens: int
        amount_minor: int
        clawback_tokens: int
        clawback_minor: int
        at: datetime
        change_tokens: int = 0  # given back (available) when the payout is paid

    @event(Reserved)
    def _reserved(self, payout_ref: str, amount_tokens: int, amount_minor: int,
                  clawback_tokens: int, clawback_minor: int, at: datetime,
                  change_tokens: int = 0) -> None:
        amount, clawback = amount_tokens + amount_minor, clawback_tokens + clawback_minor
        self.available -= amount
        self.in_payout += amount
        self.clawback -= clawback
        self.clawback_in_payout += clawback
        self.reservations[payout_ref] = [amount, clawback, 0, change_tokens]

    class Settled(Aggregate.Event):
        payout_ref: str
        amount_tokens: int
        amount_minor: int
        clawback_tokens: int
        clawback_minor: int
        at: datetime
        forgiven_tokens: int = 0  # netted, but forgiven meanwhile: owed back (available)
        forgiven_minor: int = 0
        change_tokens: int = 0  # recovered beyond the debt: given back (available)
        credit_tokens: int = 0  # of forgiven and change, what is new to this earning (not
        credit_minor: int = 0  # moved back from paid): see EarningsHold.credit

    @event(Settled)
    def _settled(self, payout_ref: str, amount_tokens: int, amount_minor: int,
                 clawback_tokens: int, clawback_minor: int, at: datetime,
                 forgiven_tokens: int = 0, forgiven_minor: int = 0,
                 change_tokens: int = 0, credit_tokens: int = 0, credit_minor: int = 0) -> None:
        amount, clawback = amount_tokens + amount_minor, clawback_tokens + clawback_minor
        forgiven, credit = forgiven_tokens + forgiven_minor, credit_tokens + credit_minor
        self.in_payout -= amount
        self.paid += amount - (forgiven + change_tokens - credit)
        self.available += forgiven + change_tokens
        self.credit += credit
        self.clawback_in_payout -= clawback
        self.clawback_recovered += clawback
        self.settled_payouts[payout_ref] = self.reservations.pop(payout_ref)
        if self.available == 0 and self.in_payout == 0 and self.status != HELD:
            self.status = PAID
        elif self.available and self.status == PAID:
            self.status = AVAILABLE

    class ReservationReturned(Aggregate.Event):
        payout_ref: str
        reason: str
        was_settled: bool
        amount_tokens: int
        amount_minor: int
        clawback_tokens: int
        clawback_minor: int
        at: datetime
        taken_back_tokens: int = 0  # owed back because of the netting, no longer owed
        taken_back_minor: int = 0
        overpaid_tokens: int = 0  # of that, already paid out: owed by the creator
        overpaid_minor: int = 0
        credit_tokens: int = 0  # of taken back, what leaves the credit rather than returning
        credit_minor: int = 0  # to paid
        credit_overpaid_tokens: int = 0  # of overpaid, what leaves the credit (and paid)
        credit_overpaid_minor: int = 0
        forgiven_dropped_tokens: int = 0  # forgiven while it netted, and it never paid
        forgiven_dropped_minor: int = 0

    @event(ReservationReturned)
    def _reservation_returned(self, payout_ref: str, reason: str, was_settled: bool,
                              amount_tokens: int, amount_minor: int, clawback_tokens: int,
                              clawback_minor: int, at: datetime, taken_back_tokens: int = 0,
                              taken_back_minor: int = 0, overpaid_tokens: int = 0,
                              overpaid_minor: int = 0, credit_tokens: int = 0,
                              credit_minor: int = 0, credit_overpaid_tokens: int = 0,
                              credit_overpaid_minor: int = 0, forgiven_dropped_tokens: int = 0,
                              forgiven_dropped_minor: int = 0) -> None:
        amount, clawback = amount_tokens + amount_minor, clawback_tokens + clawback_minor
        taken_back, overpaid = taken_back_tokens + taken_back_minor, overpaid_tokens + overpaid_minor
        if was_settled:
            self.paid -= amount
            self.clawback_recovered -= clawback
            del self.settled_payouts[payout_ref]
        else:
            self.in_payout -= amount
            self.clawback_in_payout -= self.reservations.pop(payout_ref)[1]
        credit, credit_overpaid = credit_tokens + credit_minor, \
            credit_overpaid_tokens + credit_overpaid_minor
        self.available += amount - taken_back
        self.paid += taken_back - credit - credit_overpaid
        self.credit -= credit + credit_overpaid
        self.clawback += clawback + overpaid
        self.overpaid += overpaid
        if self.status == PAID:
            self.status = AVAILABLE

    class Reversed(Aggregate.Event):
        amount_tokens: int
        source_tokens: int
        reason: str
        at: datetime
        amount_minor: int = 0
        source_minor: int = 0

    @event(Reversed)
    def _reversed(self, amount_tokens: int, source_tokens: int, reason: str, at: datetime,
                  amount_minor: int = 0, source_minor: int = 0) -> None:
        amount = amount_tokens + amount_minor
        if self.status == HELD:
            self.held -= amount
        else:
            self.available -= amount
        self.reversed += amount
        self.source_clawed += source_tokens + source_minor

    class ClawedBack(Aggregate.Event):
        amount_tokens: int
        source_tokens: int
        reason: str
        at: datetime
        amount_minor: int = 0
        source_minor: int = 0

    @event(ClawedBack)
    def _clawed_back(self, amount_tokens: int, source_tokens: int, reason: str, at: datetime,
                     amount_minor: int = 0, source_minor: int = 0) -> None:
        self.clawback += amount_tokens + amount_minor
        self.source_clawed += source_tokens + source_minor
