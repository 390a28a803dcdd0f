"""The payout run: for every creator who may be paid, pay what is available, or carry it.

A creator may be paid when approved, not suspended, and their Connect account has payouts
enabled. What a payout takes is decided by domain.payouts; the Payout and the reservations on
its holds are saved together, so no earning is in two payouts. Then two Stripe calls, each with
an idempotency key derived from the payout id: a Transfer to the Connect account, and a Payout
from it to the creator's bank. Each step is recorded before the next, so a run is safe to repeat
and safe to kill at any step: rerunning the same run (its key) resumes every open payout and
never pays twice. Stripe's webhooks then settle the payout (application/payouts/stripe_events.py).

The run key names the run: by default the ISO week, so the weekly schedule is one run a week and
running it twice in a week is a no-op for creators already paid.

A payout whose bank payout failed, whatever run made it, is asked again by every run; after a
failure no retry mends or `max_bank_attempts` failures, the run takes the transfer back instead
(a Stripe transfer reversal), returns its earnings to available, and flags the creator for
support: no payout goes to that bank until support clears it.
"""

import contextlib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from eventsourcing.persistence import IntegrityError

from adapters.eventstore.ledger import ConcurrencyExhaustedError, Ledger
from application.clock import Clock
from application.holds import HoldReleases
from application.ports import PaymentGateway, PaymentProviderError, PaymentRefusedError
from domain import ids
from domain.aggregates.creator import BANK_REFUSED, Creator
from domain.aggregates.earnings_hold import HELD, EarningsHold
from domain.aggregates.payout import CREATED, Payout
from domain.aggregates.payout_carry import PayoutCarry
from domain.catalogue import CURRENCY
from domain.errors import DomainError
from domain.payouts import HoldBalance, PayoutPlan, plan_payout


@dataclass
class RunReport:
    run_key: str
    released_holds: int = 0
    payouts: dict[str, str] = field(default_factory=dict)  # creator -> payout status
    retried: dict[str, str] = field(default_factory=dict)  # earlier payout -> its status now
    carried: dict[str, str] = field(default_factory=dict)  # creator -> why nothing was paid
    amount_minor: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {"run_key": self.run_key, "released_holds": self.released_holds,
                "payouts": self.payouts, "carried": self.carried, "retried": self.retried,
                "paid_creators": len(self.payouts), "amount_minor": self.amount_minor}


class Payouts:
    def __init__(self, ledger: Ledger, gateway: PaymentGateway, clock: Clock,
                 releases: HoldReleases, candidates: Any, minimum_minor: int,
                 catch_up: Callable[[], object], workers: int = 8,
                 max_bank_attempts: int = 3) -> None:
        self.workers = workers
        self.max_bank_attempts = max_bank_attempts
        self._ledger = ledger
        self._gateway = gateway
        self._clock = clock
        self._releases = releases
        self._candidates = candidates  # read side: creators with money, their holds
        self.minimum_minor = minimum_minor
        self._catch_up = catch_up

    def run(self, run_key: str | None = None) -> RunReport:
        run_key = run_key or self.default_run_key()
        report = RunReport(run_key)
        self._catch_up()
        report.released_holds = self._releases.release_due()
        self._catch_up()
        for payout_id in self._candidates.payouts_waiting_on_the_bank():
            payout = self._ledger.get_or_none(payout_id)
            if isinstance(payout, Payout) and payout.run_key != run_key:
                report.retried[str(payout.id)] = self._advance(payout).status
        self._catch_up()
        creators = set(self._candidates.creators_with_payable_money())
        creators.update(self._candidates.creators_paid_in_run(run_key))  # to resume or report
        # Creators are independent: their payouts overlap (each is a few commits and calls).
        with ThreadPoolExecutor(max_workers=self.workers) as pool:
            outcomes = pool.map(lambda c: (c, *self._pay_or_say_why(c, run_key)),
                                sorted(creators))
            for creator_id, outcome, payout in outcomes:
                if payout is None:
                    report.carried[creator_id] = outcome
                else:
                    report.payouts[creator_id] = payout.status
                    report.amount_minor += payout.amount_minor
        return report

    def _pay_or_say_why(self, creator_id: str, run_key: str) -> tuple[str, Payout | None]:
        try:
            outcome, payout = self.pay(creator_id, run_key)
        except DomainError as error:  # one creator's trouble does not stop the run
            outcome, payout = error.code, None
        if payout is None:
            self._record_carry(creator_id, run_key, outcome)
        return outcome, payout

    def _record_carry(self, creator_id: str, run_key: str, reason: str) -> None:
        """Why this run paid the creator nothing, in the ledger (once per creator per run)."""
        if self._ledger.get_or_none(ids.payout_carry_id(creator_id, run_key)) is not None:
            return
        holds = self._holds(creator_id)
        balances = [HoldBalance(h.id, h.unit, h.available, h.clawback) for h in holds]
        plan, _ = plan_payout(balances, 0)
        carry = PayoutCarry(
            creator_id=creator_id, run_key=run_key, reason=reason,
            available_tokens=sum(h.available_tokens for h in holds),
            available_minor=sum(h.available_minor for h in holds),
            owed_tokens=sum(h.clawback_tokens for h in holds),
            owed_minor=sum(h.clawback_minor for h in holds),
            would_pay_minor=plan.amount_minor if plan else 0,
            minimum_minor=self.minimum_minor, at=self._clock())
        with contextlib.suppress(IntegrityError):  # a concurrent run recorded it first
            self._ledger.save(carry)

    def default_run_key(self) -> str:
        year, week, _ = self._clock().isocalendar()
        return f"{year}-W{week:02d}"

    def estimate(self, creator_id: str) -> dict[str, Any]:
        """What a run now would pay this creator, and what would carry and why (a run releases
        the holds that are due first, so they count as available here)."""
        now = self._clock()
        due = self._ledger.get_many(self._candidates.due_hold_ids(creator_id, now.isoformat()))
        balances = [HoldBalance(h.id, h.unit, h.available, h.clawback)
                    for h in self._holds(creator_id) if h.id not in due]
        balances += [HoldBalance(h.id, h.unit, h.held + h.available, h.clawback)
                     for h in due.values() if h.creator_id == creator_id and
                     h.status == HELD and h.release_at <= now]
        plan, why = plan_payout(balances, self.minimum_minor)
        eligible = self._ineligible(creator_id)
        body: dict[str, Any] = {"minimum_minor": self.minimum_minor,
                                "would_pay": plan is not None and eligible is None,
                                "reason": eligible or why}
        if plan is not None:
            body.update({k: v for k, v in vars(plan).items() if k != "lines"})
        return body

    def pay(self, creator_id: str, run_key: str) -> tuple[str, Payout | None]:
        """This run's payout to the creator, made or resumed; or why there is none."""
        for _ in range(3):
            payout = self._ledger.get_or_none(ids.payout_id(creator_id, run_key))
            if payout is not None and payout.status != CREATED:
                return "resumed", self._advance(payout)  # the money has moved: finish it
            why_not = self._ineligible(creator_id)
            if payout is not None and why_not:
                return why_not, self.fail(payout, why_not)  # suspended before any money moved
            if payout is not None:
                return "resumed", self._advance(payout)
            if why_not:
                return why_not, None
            holds = self._holds(creator_id)
            plan, why = self._plan(holds)
            if plan is None:
                return why, None
            try:
                payout = self._create(creator_id, run_key, plan, holds)
            except IntegrityError:
                continue  # a concurrent run, a reversal or a release: plan again
            return "created", self._advance(payout)
        raise ConcurrencyExhaustedError(f"could not pay {creator_id}; run again")

    def _ineligible(self, creator_id: str) -> str | None:
        creator = self._ledger.get_or_none(ids.creator_id(creator_id))
        if not isinstance(creator, Creator) or not creator.can_receive_money:
            return "creator_not_in_good_standing"
        if not creator.stripe_account_id:
            return "no_connect_account"
        if not creator.stripe.get("payouts_enabled"):
            return "payouts_disabled"
        if creator.payout_problem is not None:
            return "bank_needs_support"
        return None

    def _holds(self, creator_id: str) -> list[EarningsHold]:
        found = self._ledger.get_many(self._candidates.payable_hold_ids(creator_id))
        return sorted((h for h in found.values() if h.creator_id == creator_id),
                      key=lambda h: (h.earned_at, str(h.id)))

    def _plan(self, holds: list[EarningsHold]) -> tuple[PayoutPlan | None, str]:
        balances = [HoldBalance(h.id, h.unit, h.available, h.clawback) for h in holds]
        return plan_payout(balances, self.minimum_minor)

    def _create(self, creator_id: str, run_key: str, plan: PayoutPlan,
                holds: list[EarningsHold]) -> Payout:
        now = self._clock()
        creator: Creator = self._ledger.repository.get(ids.creator_id(creator_id))
        payout = Payout.create(creator_id=creator_id, run_key=run_key,
                               account_id=str(creator.stripe_account_id), plan=plan,
                               currency=CURRENCY, at=now)
        by_id = {h.id: h for h in holds}
        for line in plan.lines:
            by_id[line.hold_id].reserve(str(payout.id), line.amount, line.clawback, now,
                                        change=line.change)
        self._ledger.save(payout, *(by_id[line.hold_id] for line in plan.lines))
        return payout

    def _advance(self, payout: Payout) -> Payout:
        """Submit what has not been submitted yet; each step recorded before the next."""
        if payout.status == CREATED:
            try:
                transfer_id = self._gateway.create_transfer(
                    payout_id=str(payout.id), account_id=payout.account_id,
                    amount_minor=payout.amount_minor, currency=payout.currency,
                    idempotency_key=f"{payout.id}:transfer")
            except PaymentRefusedError as error:
                return self.fail(payout, f"transfer_refused: {error.message}")
            except PaymentProviderError:
                return payout  # unreachable: the next run retries with the same key
            payout = self._record(payout, lambda p: p.record_transfer(transfer_id, self._clock()))
        if payout.gives_up_on_the_bank(self.max_bank_attempts):
            return self._take_the_transfer_back(payout)
        if payout.needs_bank_payout:
            try:
                bank_payout_id = self._gateway.create_bank_payout(
                    payout_id=str(payout.id), account_id=payout.account_id,
                    amount_minor=payout.amount_minor, currency=payout.currency,
                    idempotency_key=f"{payout.id}:bank:{payout.bank_attempts + 1}")
            except PaymentProviderError:
                return payout  # the money is on the Connect account; the next run retries
            payout = self._record(
                payout, lambda p: p.record_bank_payout(bank_payout_id, self._clock()))
        return payout

    def _take_the_transfer_back(self, payout: Payout) -> Payout:
        """The bank will not take the money: reverse the transfer, return the earnings to
        available, and flag the creator for support (the reversal's key makes it once)."""
        try:
            self._gateway.create_transfer_reversal(
                payout_id=str(payout.id), transfer_id=str(payout.transfer_id),
                amount_minor=payout.amount_minor, idempotency_key=f"{payout.id}:reversal")
        except PaymentRefusedError as error:  # Stripe will not: a person must look
            self._flag_creator(payout, f"transfer_reversal_refused: {error.message}")
            return payout
        except PaymentProviderError:
            return payout  # unreachable: the next run tries again with the same key
        reason = BANK_REFUSED + (payout.failure or "unknown") + (
            "" if payout.bank_failure_permanent else
            f" ({payout.bank_attempts} attempts)")
        now = self._clock()
        reversed_payout = self._record(
            payout, lambda p: p.mark_reversed(reason, now),
            holds=lambda p, holds: [h for h in holds if h.return_reservation(str(p.id), reason,
                                                                             now)])
        self._flag_creator(payout, reason)
        return reversed_payout

    def _flag_creator(self, payout: Payout, reason: str) -> None:
        for _ in range(3):
            creator: Creator = self._ledger.repository.get(ids.creator_id(payout.creator_id))
            if not creator.flag_payout_problem(str(payout.id), reason, self._clock()):
                return
            try:
                self._ledger.save(creator)
                return
            except IntegrityError:
                continue
        raise ConcurrencyExhaustedError(f"could not flag {payout.creator_id}; run again")

    def fail(self, payout: Payout, reason: str) -> Payout:
        return self._record(payout, lambda p: p.mark_failed(reason, self._clock()),
                            holds=lambda p, holds: [
                                h for h in holds
                                if h.return_reservation(str(p.id), reason, self._clock())])

    def _record(self, payout: Payout, change: Callable[[Payout], bool],
                holds: Callable[[Payout, list[EarningsHold]], list[EarningsHold]] | None = None
                ) -> Payout:
        """Apply a change to the payout; after a conflict (a webhook moved it), to the freshest
        copy."""
        fresh = payout
        for _ in range(3):
            if not change(fresh):
                return fresh
            changed = holds(fresh, list(self._ledger.get_many(fresh.hold_ids).values())) \
                if holds else []
            try:
                self._ledger.save(fresh, *changed)
            except IntegrityError:
                fresh = self._ledger.repository.get(payout.id)
                continue
            return fresh
        raise ConcurrencyExhaustedError(f"could not record payout {payout.id}; run again")
