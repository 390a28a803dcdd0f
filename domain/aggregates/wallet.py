"""A fan's token wallet: credited in lots, spent oldest lot first, every token traced to its lot.

Each lot keeps the spends it funds, so a refund or dispute of the purchase behind a lot traces to
exactly the tips (and later unlocks and messages) it paid for. Reversing N tokens of a lot takes,
in order: the lot's unspent tokens; then the fan's other unspent tokens, onto which the lot's most
recent spends are re-sourced (they stand, funded by the other lots from then on); then, for what
is still missing, the lot's most recent spends are reversed. A token is re-sourced or reversed,
never both, and a reversed spend is never also charged to the wallet, so a reversal cannot drive
the balance below zero.

A reversal can be undone (a dispute the platform won): its reversed spends stand again, funded by
the lot as before, and the tokens it took from the lot or re-sourced away are the lot's again.

State that stays small: a lot whose tokens are all spent, none reversed, and which is past the
window in which its purchase could still be refunded or disputed (nor any of its spends given
back) is *archived* by an event: the state keeps its totals and drops the spends it funded. The
events keep every spend, so replays, rebuilds and the trial balance are unchanged; should a
refund or dispute of an archived lot arrive after all, the caller loads the wallet in detail
(`keep_detail()`: its events replayed with nothing archived) and plans on that.
"""

import contextlib
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain import ids
from domain.errors import InsufficientFundsError, InvalidAmountError, WalletFrozenError

_KEEP_DETAIL: ContextVar[bool] = ContextVar("wallet_keep_detail", default=False)


@contextlib.contextmanager
def keep_detail() -> Iterator[None]:
    """Wallets replayed inside keep every lot's spends (archiving events change nothing)."""
    token = _KEEP_DETAIL.set(True)
    try:
        yield
    finally:
        _KEEP_DETAIL.reset(token)


class LotArchivedError(Exception):
    """Planning needs the spends an archived lot funded: load the wallet in detail. Not a
    DomainError: callers handle it, it never reaches a person."""


SPEND = "spend"
# Kinds of consumption that only streams recorded before the reversal rule contain.
REVERSAL_COVER = "reversal_cover"
DEBT_SETTLEMENT = "debt_settlement"


@dataclass
class Consumption:
    """Tokens of one spend that one lot funds; `gone_tokens` were re-sourced away or reversed."""

    ref_id: str
    kind: str
    tokens: int
    gone_tokens: int = 0

    @property
    def standing_tokens(self) -> int:
        return self.tokens - self.gone_tokens


@dataclass
class ReversalRecord:
    """What one reversal of a lot took, and how much of it is still taken (not yet reinstated)."""

    reason: str
    free_tokens: int  # unspent and re-sourced tokens it took from the lot
    spends: list[list[Any]]  # [consumption index, ref_id, kind, tokens still reversed]


def pack_consumptions(consumptions: list[Consumption]) -> str:
    """A lot's spends as one string (`ref,kind,tokens,gone;…`): what a snapshot stores, so that
    reading a wallet decodes a lot's spends only when something needs them. Refs and kinds are
    ids and words, never commas or semicolons."""
    packed = ";".join(f"{c.ref_id},{c.kind},{c.tokens},{c.gone_tokens}" for c in consumptions)
    if packed.count(";") != max(len(consumptions) - 1, 0) or \
            packed.count(",") != 3 * len(consumptions):
        raise ValueError("a spend's ref or kind holds a separator")
    return packed


def unpack_consumptions(packed: str) -> list[Consumption]:
    rows = []
    for row in packed.split(";") if packed else ():
        ref_id, kind, tokens, gone = row.split(",")
        rows.append(Consumption(ref_id, kind, int(tokens), int(gone)))
    return rows


@dataclass(eq=False)
class Lot:
    purchase_id: str
    credited_tokens: int
    remaining_tokens: int
    credited_at: datetime
    reversed_tokens: int = 0
    spends: list[Consumption] | None = field(default_factory=list)  # None while `packed`
    reversals: list[ReversalRecord] = field(default_factory=list)
    last_spent_at: datetime | None = None  # the latest spend it funded (or re-sourced onto it)
    archived: bool = False  # its consumptions are in the events only (see the module docstring)
    packed: str | None = None  # the spends as read from a snapshot, unpacked on first use
    added: list[Consumption] = field(default_factory=list)  # funded since, while still packed
    # Its earlier spends as the store keeps them apart (names of packed chunks, in order), and
    # how to read them: set by the store that read the lot, used on first need only. A tip
    # appends to a lot without reading the tens of thousands of spends before it.
    sealed: list[str] = field(default_factory=list)
    read_sealed: Callable[[list[str]], str] | None = None

    @property
    def consumptions(self) -> list[Consumption]:
        """The spends this lot funds, in order (a spend's index in it is recorded in events)."""
        if self.spends is None:
            self.spends = unpack_consumptions(self.packed_consumptions())
            self.packed, self.added, self.sealed = None, [], []
        return self.spends

    @consumptions.setter
    def consumptions(self, value: list[Consumption]) -> None:
        self.spends, self.packed, self.added, self.sealed = value, None, [], []

    def fund(self, consumption: Consumption) -> None:
        """A spend it funds from now on, appended; while its spends are still packed as read,
        kept beside them, so a tip need not decode the thousands of spends before it."""
        if self.spends is None:
            self.added.append(consumption)
        else:
            self.spends.append(consumption)

    def packed_consumptions(self) -> str:
        """Its spends packed, reusing what was read if nothing has unpacked it since."""
        if self.spends is not None:
            return pack_consumptions(self.spends)
        parts = []
        if self.sealed:
            if self.read_sealed is None:
                raise LookupError(f"lot {self.purchase_id}: sealed spends and no way to read them")
            parts.append(self.read_sealed(self.sealed))
        parts.append(self.unsealed_packed())
        return ";".join(part for part in parts if part)

    def unsealed_packed(self) -> str:
        """While packed: its spends after the sealed ones, packed (what a snapshot writes
        beside the names of the sealed ones, without reading them)."""
        added = pack_consumptions(self.added)
        return ";".join(part for part in (self.packed or "", added) if part)

    def _key(self) -> tuple[Any, ...]:
        return (self.purchase_id, self.credited_tokens, self.remaining_tokens, self.credited_at,
                self.reversed_tokens, self.packed_consumptions(), self.reversals,
                self.last_spent_at, self.archived)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Lot) and self._key() == other._key()

    __hash__ = None  # type: ignore[assignment]  # mutable

    @property
    def reversible_tokens(self) -> int:
        return self.credited_tokens - self.reversed_tokens

    def is_settled(self, now: datetime, window: timedelta) -> bool:
        """All spent, nothing reversed, and past the window for refunds, disputes and spends
        given back: nothing can need its spends any more."""
        return (not self.archived and self.remaining_tokens == 0 and self.reversed_tokens == 0
                and not self.reversals and self.credited_at + window <= now
                and (self.last_spent_at is None or self.last_spent_at + window <= now))


@dataclass(frozen=True)
class ReversalPlan:
    """What a reversal takes, as stored in its event (lists, so they encode as JSON)."""

    from_lot_tokens: int
    resourced: list[list[Any]]  # [consumption index, ref_id, kind, onto lot, tokens]
    reversed_spends: list[list[Any]]  # [consumption index, ref_id, kind, tokens]

    @property
    def resourced_tokens(self) -> int:
        return sum(row[4] for row in self.resourced)

    @property
    def reversed_spend_tokens(self) -> int:
        return sum(row[3] for row in self.reversed_spends)


@dataclass(frozen=True)
class ReinstatementPlan:
    """What undoing reversals gives back, as stored in its event."""

    freed: list[list[Any]]  # [reversal record, tokens] back to the lot as unspent
    reinstated_spends: list[list[Any]]  # [reversal record, consumption index, ref_id, kind, tokens]


class Wallet(Aggregate):
    @staticmethod
    def create_id(fan_id: str) -> UUID:
        return ids.wallet_id(fan_id)

    class Opened(Aggregate.Created):
        fan_id: str

    @event(Opened)
    def __init__(self, fan_id: str) -> None:
        self.fan_id = fan_id
        self.lots: dict[str, Lot] = {}
        self.debt_tokens = 0  # only ever non-zero in streams recorded before the reversal rule
        self.frozen_reason: str | None = None
        self.credited_tokens = 0
        self.spent_tokens = 0
        self.spends_reversed_tokens = 0
        self.reversed_tokens = 0
        self.compact = True  # False once loaded in detail (Ledger.get_in_detail)

    @property
    def balance_tokens(self) -> int:
        return sum(lot.remaining_tokens for lot in self.lots.values()) - self.debt_tokens

    @property
    def is_frozen(self) -> bool:
        return self.frozen_reason is not None or self.debt_tokens > 0

    @property
    def has_archived_lots(self) -> bool:
        return any(lot.archived for lot in self.lots.values())

    def needs_detail(self, purchase_id: str, now: datetime, window: timedelta) -> bool:
        """A reversal of this purchase must be planned on the wallet loaded in detail: its lot
        is archived, or it is past the window while others are archived (a spend it funded may
        be funded by an archived lot too, which only a spend as old as the window can be)."""
        lot = self.lots.get(purchase_id)
        return lot is not None and (lot.archived or (
            self.has_archived_lots and lot.credited_at + window <= now))

    def archive_settled_lots(self, now: datetime, window: timedelta) -> list[str]:
        """Archive the lots nothing can need the spends of any more (see the module docstring);
        returns their purchase ids."""
        settled = [key for key, lot in self.lots.items() if lot.is_settled(now, window)]
        if settled:
            self._lots_archived(purchase_ids=settled, at=now)
        return settled

    # -- commands ---------------------------------------------------------------------------

    def credit(self, purchase_id: str, amount_tokens: int, at: datetime) -> None:
        if amount_tokens <= 0:
            raise InvalidAmountError("a credit must be a positive number of tokens")
        if purchase_id in self.lots:
            return  # one lot per purchase: a second credit is a no-op, never a second lot
        settled = min(self.debt_tokens, amount_tokens)
        self._credited(purchase_id=purchase_id, amount_tokens=amount_tokens,
                       settled_debt_tokens=settled, at=at)

    def spend(self, amount_tokens: int, ref_id: str, at: datetime) -> list[list[Any]]:
        """Debit oldest lots first; returns the [lot, tokens] pairs used, as stored in the event."""
        if amount_tokens <= 0:
            raise InvalidAmountError("amount_tokens must be a positive whole number")
        if self.is_frozen:
            raise WalletFrozenError(f"wallet is frozen ({self.frozen_reason or 'tokens owed'})"
                                    "; staff must clear it before it can spend")
        if self.balance_tokens < amount_tokens:
            raise InsufficientFundsError(
                f"balance {self.balance_tokens} tokens is less than {amount_tokens}"
            )
        lots_used = self._take_oldest_first(amount_tokens, exclude=None)
        self._spent(amount_tokens=amount_tokens, ref_id=ref_id, lots_used=lots_used, at=at)
        return lots_used

    def reverse_purchase(self, purchase_id: str, amount_tokens: int, reason: str,
                         at: datetime) -> ReversalPlan:
        """Take back amount_tokens of a refunded or disputed purchase, by the reversal rule.

        Returns the plan; its reversed spends are what the caller must reverse downstream (both
        shares of each spend, and whatever it bought).
        """
        lot = self.lots.get(purchase_id)
        if lot is None:
            raise InvalidAmountError(f"no lot for purchase {purchase_id}")
        if amount_tokens <= 0 or amount_tokens > lot.reversible_tokens:
            raise InvalidAmountError("reversal must be positive and within the lot")
        if lot.archived:
            raise LotArchivedError(purchase_id)
        plan = self._plan_reversal(purchase_id, lot, amount_tokens)
        self._lot_reversed(purchase_id=purchase_id, amount_tokens=amount_tokens,
                           from_lot_tokens=plan.from_lot_tokens, resourced=plan.resourced,
                           reversed_spends=plan.reversed_spends, reason=reason, at=at)
        return plan

    def reinstate_purchase(self, purchase_id: str, amount_tokens: int, reason: str,
                           at: datetime) -> ReinstatementPlan:
        """Undo amount_tokens of the lot's reversals, most recent reversal first; within one, its
        reversed spends stand again before its other tokens come back (creators first)."""
        lot = self.lots.get(purchase_id)
        if lot is None:
            raise InvalidAmountError(f"no lot for purchase {purchase_id}")
        if amount_tokens <= 0 or amount_tokens > lot.reversed_tokens:
            raise InvalidAmountError("a reinstatement must be positive and within what was reversed")
        missing = amount_tokens
        freed: list[list[Any]] = []
        spends: list[list[Any]] = []
        for number in range(len(lot.reversals) - 1, -1, -1):
            record = lot.reversals[number]
            for index, ref_id, kind, tokens in record.spends:
                take = min(tokens, missing)
                if take:
                    spends.append([number, index, ref_id, kind, take])
                    missing -= take
            take = min(record.free_tokens, missing)
            if take:
                freed.append([number, take])
                missing -= take
            if missing == 0:
                break
        if missing:
            raise InvalidAmountError("only reversals recorded under the reversal rule can be undone")
        self._lot_reinstated(purchase_id=purchase_id, amount_tokens=amount_tokens, freed=freed,
                             reinstated_spends=spends, reason=reason, at=at)
        return ReinstatementPlan(freed=freed, reinstated_spends=spends)

    def return_spend(self, ref_id: str, reason: str, at: datetime,
                     standing_tokens: int | None = None) -> int:
        """Give a spend's standing tokens back to the lots that fund it (a paid message with no
        reply, an unlock revoked for good): the spend no longer stands and the fan can spend
        them again. Returns the tokens; a spend with nothing standing returns 0 and records
        nothing. `standing_tokens`, what the spend itself says still stands: when the lots
        in view fund less, an archived lot funds the rest (a spend re-sourced or revoked long
        after it was made), and the caller must plan on the wallet in detail."""
        funding = [(key, index, c) for key, lot in self.lots.items()
                   for index, c in enumerate(lot.consumptions)
                   if c.ref_id == ref_id and c.kind == SPEND]
        returned: list[list[Any]] = [[key, index, c.standing_tokens]
                                     for key, index, c in funding if c.standing_tokens > 0]
        tokens = sum(int(row[2]) for row in returned)
        if self.has_archived_lots and (
                not funding or any(self.lots[key].archived for key, _, _ in funding)
                or (standing_tokens is not None and tokens < standing_tokens)):
            raise LotArchivedError(ref_id)  # an archived lot may fund it: plan in detail
        if tokens:
            self._spend_returned(ref_id=ref_id, returned=returned, amount_tokens=tokens,
                                 reason=reason, at=at)
        return tokens

    def spends_reversed_by(self, purchase_id: str) -> list[str]:
        """The spends a purchase's reversals still take tokens of."""
        lot = self.lots.get(purchase_id)
        if lot is None:
            return []
        return list(dict.fromkeys(row[1] for record in lot.reversals for row in record.spends
                                  if row[3] > 0))

    def purchases_reversing(self, ref_id: str) -> list[str]:
        """The purchases whose reversals still take tokens of a spend: what revoked it, and
        what could give it back (a dispute won)."""
        return [lot.purchase_id for lot in self.lots.values()
                if any(row[1] == ref_id and row[3] > 0
                       for record in lot.reversals for row in record.spends)]

    def freeze(self, reason: str, at: datetime) -> None:
        """Stop spending (a dispute); only staff clear it. Freezing a frozen wallet is a no-op."""
        if self.frozen_reason is None:
            self._frozen(reason=reason, at=at)

    def unfreeze(self, actor: str, reason: str, at: datetime) -> bool:
        """True when this call cleared a freeze; clearing a wallet that is not frozen records nothing."""
        if not reason.strip():
            raise InvalidAmountError("a reason is required to clear a frozen wallet")
        if self.frozen_reason is None:
            return False
        self._unfrozen(actor=actor, reason=reason.strip(), at=at)
        return True

    # -- helpers (pure planning, no state change) -------------------------------------------

    def _take_oldest_first(self, amount_tokens: int, exclude: str | None) -> list[list[Any]]:
        taken: list[list[Any]] = []
        needed = amount_tokens
        for key, lot in self.lots.items():
            if needed == 0:
                break
            if key == exclude or lot.remaining_tokens == 0:
                continue
            take = min(lot.remaining_tokens, needed)
            taken.append([key, take])
            needed -= take
        return taken

    def _plan_reversal(self, purchase_id: str, lot: Lot, amount_tokens: int) -> ReversalPlan:
        from_lot = min(lot.remaining_tokens, amount_tokens)
        missing = amount_tokens - from_lot
        # The lot's standing spends, most recent first: recent earnings are likeliest still held.
        recent_first = [(index, c) for index, c in reversed(list(enumerate(lot.consumptions)))
                        if c.standing_tokens > 0]
        elsewhere = self._take_oldest_first(
            min(missing, sum(o.remaining_tokens for k, o in self.lots.items() if k != purchase_id)),
            exclude=purchase_id)
        resourced: list[list[Any]] = []
        reversed_spends: list[list[Any]] = []
        for index, consumption in recent_first:
            if missing == 0:
                break
            left = min(consumption.standing_tokens, missing)
            while left and elsewhere:  # re-source onto the fan's other unspent tokens first
                onto, free = elsewhere[0]
                take = min(free, left)
                resourced.append([index, consumption.ref_id, consumption.kind, onto, take])
                left -= take
                missing -= take
                if take == free:
                    elsewhere.pop(0)
                else:
                    elsewhere[0] = [onto, free - take]
            if left:  # nothing else to fund it: the spend is reversed for what is left
                reversed_spends.append([index, consumption.ref_id, consumption.kind, left])
                missing -= left
        if missing:  # cannot happen: a lot's reversible tokens are its unspent plus its spends
            raise InvalidAmountError("reversal exceeds what the lot holds and funds")
        return ReversalPlan(from_lot_tokens=from_lot, resourced=resourced,
                            reversed_spends=reversed_spends)

    # -- events -----------------------------------------------------------------------------

    class TokensCredited(Aggregate.Event):
        purchase_id: str
        amount_tokens: int
        settled_debt_tokens: int
        at: datetime

    @event(TokensCredited)
    def _credited(self, purchase_id: str, amount_tokens: int, settled_debt_tokens: int,
                  at: datetime) -> None:
        lot = Lot(purchase_id=purchase_id, credited_tokens=amount_tokens,
                  remaining_tokens=amount_tokens - settled_debt_tokens, credited_at=at)
        if settled_debt_tokens:
            lot.fund(Consumption("", DEBT_SETTLEMENT, settled_debt_tokens))
        self.lots[purchase_id] = lot
        self.debt_tokens -= settled_debt_tokens
        self.credited_tokens += amount_tokens

    class TokensSpent(Aggregate.Event):
        amount_tokens: int
        ref_id: str
        lots_used: list[list[Any]]
        at: datetime

    @event(TokensSpent)
    def _spent(self, amount_tokens: int, ref_id: str, lots_used: list[list[Any]],
               at: datetime) -> None:
        for key, tokens in lots_used:
            lot = self.lots[key]
            lot.remaining_tokens -= tokens
            lot.fund(Consumption(ref_id, SPEND, tokens))
            lot.last_spent_at = at
        self.spent_tokens += amount_tokens

    class LotReversed(Aggregate.Event):
        purchase_id: str
        amount_tokens: int
        from_lot_tokens: int
        resourced: list[list[Any]]
        reversed_spends: list[list[Any]]
        reason: str
        at: datetime

    @event(LotReversed)
    def _lot_reversed(self, purchase_id: str, amount_tokens: int, from_lot_tokens: int,
                      resourced: list[list[Any]], reversed_spends: list[list[Any]], reason: str,
                      at: datetime) -> None:
        lot = self.lots[purchase_id]
        lot.remaining_tokens -= from_lot_tokens
        lot.reversed_tokens += amount_tokens
        for index, ref_id, kind, onto, tokens in resourced:
            if not lot.archived:  # an archived lot's spends are in its events only
                lot.consumptions[index].gone_tokens += tokens
            other = self.lots[onto]
            other.remaining_tokens -= tokens
            other.fund(Consumption(ref_id, kind, tokens))
            other.last_spent_at = at
        for index, _ref_id, _kind, tokens in reversed_spends:
            if not lot.archived:
                lot.consumptions[index].gone_tokens += tokens
            self.spends_reversed_tokens += tokens
        self.reversed_tokens += amount_tokens
        lot.reversals.append(ReversalRecord(
            reason=reason, free_tokens=amount_tokens - sum(r[3] for r in reversed_spends),
            spends=[list(row) for row in reversed_spends]))

    class LotReinstated(Aggregate.Event):
        purchase_id: str
        amount_tokens: int
        freed: list[list[Any]]
        reinstated_spends: list[list[Any]]
        reason: str
        at: datetime

    @event(LotReinstated)
    def _lot_reinstated(self, purchase_id: str, amount_tokens: int, freed: list[list[Any]],
                        reinstated_spends: list[list[Any]], reason: str, at: datetime) -> None:
        lot = self.lots[purchase_id]
        for number, tokens in freed:
            lot.reversals[number].free_tokens -= tokens
            lot.remaining_tokens += tokens
        for number, index, ref_id, _kind, tokens in reinstated_spends:
            row = next(r for r in lot.reversals[number].spends if r[0] == index and r[1] == ref_id)
            row[3] -= tokens
            if not lot.archived:
                lot.consumptions[index].gone_tokens -= tokens
            self.spends_reversed_tokens -= tokens
        lot.reversed_tokens -= amount_tokens
        self.reversed_tokens -= amount_tokens

    class SpendReturned(Aggregate.Event):
        ref_id: str
        returned: list[list[Any]]  # [lot, consumption index, tokens]
        amount_tokens: int
        reason: str
        at: datetime

    @event(SpendReturned)
    def _spend_returned(self, ref_id: str, returned: list[list[Any]], amount_tokens: int,
                        reason: str, at: datetime) -> None:
        for key, index, tokens in returned:
            lot = self.lots[key]
            if not lot.archived:
                lot.consumptions[index].gone_tokens += tokens
            lot.remaining_tokens += tokens
        self.spends_reversed_tokens += amount_tokens

    class LotsArchived(Aggregate.Event):
        """These lots can no longer need the spends they funded: the state keeps their totals
        only. Moves no token; a wallet replayed with keep_detail() ignores it."""

        purchase_ids: list[str]
        at: datetime

    @event(LotsArchived)
    def _lots_archived(self, purchase_ids: list[str], at: datetime) -> None:
        if _KEEP_DETAIL.get():
            return
        for key in purchase_ids:
            lot = self.lots[key]
            lot.archived = True
            lot.consumptions = []

    class Frozen(Aggregate.Event):
        reason: str
        at: datetime

    @event(Frozen)
    def _frozen(self, reason: str, at: datetime) -> None:
        self.frozen_reason = reason

    class Unfrozen(Aggregate.Event):
        actor: str
        reason: str
        at: datetime

    @event(Unfrozen)
    def _unfrozen(self, actor: str, reason: str, at: datetime) -> None:
        self.frozen_reason = None

    class PurchaseReversed(Aggregate.Event):
        """Recorded before the reversal rule: it clawed spends *and* charged the wallet for them.
        Kept, with its original meaning, so that streams holding it still replay as they were."""

        purchase_id: str
        amount_tokens: int
        from_lot_tokens: int
        covered: list[list[Any]]
        debt_added_tokens: int
        clawed: list[list[Any]]
        reason: str
        at: datetime

    @event(PurchaseReversed)
    def _reversed(self, purchase_id: str, amount_tokens: int, from_lot_tokens: int,
                  covered: list[list[Any]], debt_added_tokens: int, clawed: list[list[Any]],
                  reason: str, at: datetime) -> None:
        lot = self.lots[purchase_id]
        lot.remaining_tokens -= from_lot_tokens
        lot.reversed_tokens += amount_tokens
        for index, _ref_id, _kind, tokens in clawed:
            lot.consumptions[index].gone_tokens += tokens
        for key, tokens in covered:
            other = self.lots[key]
            other.remaining_tokens -= tokens
            other.fund(Consumption(purchase_id, REVERSAL_COVER, tokens))
        self.debt_tokens += debt_added_tokens
        self.reversed_tokens += amount_tokens
