"""Connect's webhooks, applied to payouts and the holds they cover.

- payout.paid (an event of the creator's Connect account): the payout is paid; its holds settle.
- payout.failed: the bank refused this attempt; the money is still on the Connect account, so
  the payout waits (its holds stay in payout) and the next run asks the bank again, unless the
  failure is one no retry mends (PERMANENT_BANK_FAILURES) or the attempts ran out: then the run
  takes the transfer back (application/payouts/run.py).
- transfer.reversed: the money came back to the platform, even after the payout was paid: its
  earnings are available again and the negative adjustments it netted are owed again.
Each is handled once and in any order (a late payout.paid after a failure changes nothing). An
event naming no payout we know is recorded and flagged for finance, never applied.
"""

from typing import Any
from uuid import UUID

from adapters.eventstore.ledger import Ledger
from application.clock import Clock
from domain.aggregates.payout import Payout

Plan = tuple[str, list[Any]]

# Stripe's payout failure codes that the same bank account will give every time.
PERMANENT_BANK_FAILURES = frozenset({
    "account_closed", "account_frozen", "bank_account_restricted", "bank_ownership_changed",
    "debit_not_authorized", "incorrect_account_holder_address", "incorrect_account_holder_name",
    "incorrect_account_holder_tax_id", "invalid_account_number", "invalid_currency",
    "no_account", "unsupported_card"})


class ConnectEvents:
    def __init__(self, ledger: Ledger, clock: Clock) -> None:
        self._ledger = ledger
        self._clock = clock

    def plan_stripe_event(self, event: dict[str, Any]) -> Plan | None:
        kind = event["type"]
        if kind not in ("payout.paid", "payout.failed", "transfer.reversed"):
            return None
        if kind.startswith("payout.") and not event.get("account"):
            return "ignored", []  # the platform's own payout to its bank: not a creator's
        obj = event.get("data", {}).get("object", {}) or {}
        payout = self._payout((obj.get("metadata") or {}).get("lyra_payout_id"))
        if payout is None:
            return "unmatched", []
        now = self._clock()
        holds = list(self._ledger.get_many(payout.hold_ids).values())
        ref = str(payout.id)
        if kind == "payout.paid":
            if not payout.mark_paid(str(obj.get("id")), now):
                return "no_change", []
            return "payout_paid", [payout, *[h for h in holds if h.settle(ref, now)]]
        reason = obj.get("failure_code") or obj.get("failure_message") or kind
        if kind == "payout.failed":
            permanent = obj.get("failure_code") in PERMANENT_BANK_FAILURES
            if not payout.mark_bank_payout_failed(str(obj.get("id")), reason, now, permanent):
                return "no_change", []
            return "payout_failed", [payout]
        if not payout.mark_reversed(reason, now):
            return "no_change", []
        return "transfer_reversed", [payout, *[h for h in holds
                                               if h.return_reservation(ref, reason, now)]]

    def _payout(self, payout_id: str | None) -> Payout | None:
        try:
            found = self._ledger.get_or_none(UUID(str(payout_id)))
        except ValueError:
            return None
        return found if isinstance(found, Payout) else None
