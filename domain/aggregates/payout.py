"""One payout to a creator: the earnings it covers, the amount, and its life.

created → transfer submitted (Stripe Transfer to the creator's Connect account) → bank payout
requested (a Stripe Payout on that account) → paid. A transfer Stripe refuses fails the payout;
a bank payout that fails leaves the money on the Connect account, so the payout waits for the
next run to ask the bank again (it must not be paid a second time by a new transfer); a
reversed transfer (even after paid) ends it. Its holds are reserved in the same save as its
creation; they settle when it is paid and return to available (and negative adjustments to
outstanding) when it fails before any money moved or its transfer is reversed. Every step
is idempotent, so a run can be repeated or resumed after a crash at any point.
"""

from datetime import datetime
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain import ids
from domain.payouts import PayoutPlan

CREATED = "created"
TRANSFER_SUBMITTED = "transfer_submitted"
BANK_PAYOUT_REQUESTED = "bank_payout_requested"
BANK_PAYOUT_FAILED = "bank_payout_failed"
PAID = "paid"
FAILED = "failed"
REVERSED = "reversed"
OPEN = (CREATED, TRANSFER_SUBMITTED, BANK_PAYOUT_REQUESTED, BANK_PAYOUT_FAILED)


class Payout(Aggregate):
    @staticmethod
    def create_id(creator_id: str, run_key: str, **_: object) -> UUID:
        return ids.payout_id(creator_id, run_key)

    class Created(Aggregate.Created):
        creator_id: str
        run_key: str
        account_id: str
        # [hold id, unit, amount taken, clawback netted(, tokens of change)]
        lines: list[list[object]]
        tokens_taken: int
        tokens_netted: int
        tokens_converted: int
        tokens_carried: int
        minor_from_tokens: int
        minor_taken: int
        minor_netted: int
        amount_minor: int
        currency: str
        at: datetime
        # Netting across units (zero in payouts recorded before it): see domain.payouts.
        tokens_netted_with_minor: int = 0
        minor_for_tokens_debt: int = 0
        tokens_change: int = 0
        minor_netted_with_tokens: int = 0

    @event(Created)
    def __init__(self, creator_id: str, run_key: str, account_id: str, lines: list[list[object]],
                 tokens_taken: int, tokens_netted: int, tokens_converted: int,
                 tokens_carried: int, minor_from_tokens: int, minor_taken: int,
                 minor_netted: int, amount_minor: int, currency: str, at: datetime,
                 tokens_netted_with_minor: int = 0, minor_for_tokens_debt: int = 0,
                 tokens_change: int = 0, minor_netted_with_tokens: int = 0) -> None:
        self.creator_id = creator_id
        self.run_key = run_key
        self.account_id = account_id
        self.lines = lines
        self.amount_minor = amount_minor
        self.currency = currency
        self.status = CREATED
        self.transfer_id: str | None = None
        self.bank_payout_id: str | None = None
        self.bank_attempts = 0
        self.bank_failure_permanent = False
        self.failure: str | None = None

    @classmethod
    def create(cls, *, creator_id: str, run_key: str, account_id: str, plan: PayoutPlan,
               currency: str, at: datetime) -> "Payout":
        return cls(creator_id=creator_id, run_key=run_key, account_id=account_id,
                   lines=[[str(line.hold_id), line.unit, line.amount, line.clawback,
                           *([line.change] if line.change else [])] for line in plan.lines],
                   tokens_taken=plan.tokens_taken, tokens_netted=plan.tokens_netted,
                   tokens_converted=plan.tokens_converted, tokens_carried=plan.tokens_carried,
                   minor_from_tokens=plan.minor_from_tokens, minor_taken=plan.minor_taken,
                   minor_netted=plan.minor_netted, amount_minor=plan.amount_minor,
                   currency=currency, at=at,
                   tokens_netted_with_minor=plan.tokens_netted_with_minor,
                   minor_for_tokens_debt=plan.minor_for_tokens_debt,
                   tokens_change=plan.tokens_change,
                   minor_netted_with_tokens=plan.minor_netted_with_tokens)

    @property
    def hold_ids(self) -> list[UUID]:
        return [UUID(str(line[0])) for line in self.lines]

    def record_transfer(self, transfer_id: str, at: datetime) -> bool:
        if self.status != CREATED:
            return False
        self._transfer_submitted(transfer_id=transfer_id, at=at)
        return True

    @property
    def needs_bank_payout(self) -> bool:
        return self.status in (TRANSFER_SUBMITTED, BANK_PAYOUT_FAILED)

    def record_bank_payout(self, bank_payout_id: str, at: datetime) -> bool:
        if not self.needs_bank_payout:
            return False
        self._bank_payout_requested(bank_payout_id=bank_payout_id, at=at)
        return True

    def mark_paid(self, bank_payout_id: str, at: datetime) -> bool:
        """The money reached the creator's bank: its holds settle (the caller saves them).
        Only the attempt in flight can be paid (it may be reported before it is recorded)."""
        if self.status == TRANSFER_SUBMITTED or (
                self.status == BANK_PAYOUT_REQUESTED and bank_payout_id == self.bank_payout_id):
            self._paid(at=at)
            return True
        return False

    def mark_failed(self, reason: str, at: datetime) -> bool:
        """Nothing was moved (Stripe refused the transfer, or the creator may no longer be
        paid): the payout ends and its holds return."""
        if self.status != CREATED:
            return False
        self._failed(reason=reason, at=at)
        return True

    def mark_bank_payout_failed(self, bank_payout_id: str, reason: str, at: datetime,
                                permanent: bool = False) -> bool:
        """The bank refused this attempt; the money waits on the Connect account. Permanent:
        it will refuse every attempt (an account closed, a currency it does not take)."""
        if self.status != BANK_PAYOUT_REQUESTED or bank_payout_id != self.bank_payout_id:
            return False
        self._bank_payout_failed(bank_payout_id=bank_payout_id, reason=reason, at=at,
                                 permanent=permanent)
        return True

    def gives_up_on_the_bank(self, max_attempts: int) -> bool:
        """Asking the bank again is pointless: take the transfer back instead."""
        return self.status == BANK_PAYOUT_FAILED and (
            self.bank_failure_permanent or self.bank_attempts >= max_attempts)

    def mark_reversed(self, reason: str, at: datetime) -> bool:
        """The transfer was reversed, even after the payout was paid: its holds return."""
        if self.status in (FAILED, REVERSED):
            return False
        self._reversed(reason=reason, at=at)
        return True

    class TransferSubmitted(Aggregate.Event):
        transfer_id: str
        at: datetime

    @event(TransferSubmitted)
    def _transfer_submitted(self, transfer_id: str, at: datetime) -> None:
        self.transfer_id = transfer_id
        self.status = TRANSFER_SUBMITTED

    class BankPayoutRequested(Aggregate.Event):
        bank_payout_id: str
        at: datetime

    @event(BankPayoutRequested)
    def _bank_payout_requested(self, bank_payout_id: str, at: datetime) -> None:
        self.bank_payout_id = bank_payout_id
        self.bank_attempts += 1
        self.status = BANK_PAYOUT_REQUESTED

    class BankPayoutFailed(Aggregate.Event):
        bank_payout_id: str
        reason: str
        at: datetime
        permanent: bool = False

    @event(BankPayoutFailed)
    def _bank_payout_failed(self, bank_payout_id: str, reason: str, at: datetime,
                            permanent: bool = False) -> None:
        self.status = BANK_PAYOUT_FAILED
        self.failure = reason
        self.bank_failure_permanent = permanent

    class Paid(Aggregate.Event):
        at: datetime

    @event(Paid)
    def _paid(self, at: datetime) -> None:
        self.status = PAID

    class Failed(Aggregate.Event):
        reason: str
        at: datetime

    @event(Failed)
    def _failed(self, reason: str, at: datetime) -> None:
        self.status = FAILED
        self.failure = reason

    class Reversed(Aggregate.Event):
        reason: str
        at: datetime

    @event(Reversed)
    def _reversed(self, reason: str, at: datetime) -> None:
        self.status = REVERSED
        self.failure = reason
