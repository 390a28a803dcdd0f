"""One entry point for verified Stripe events: each is handled once, whoever it concerns.

Its receipt (keyed by the Stripe event id) is saved in the same transaction as its effects, so a
second delivery, or a racing one that meets a version conflict, changes nothing.
"""

from typing import Any, Protocol

from eventsourcing.persistence import IntegrityError

from adapters.eventstore.ledger import Ledger
from application.clock import Clock
from domain import ids
from domain.aggregates.stripe_event import StripeEventReceipt

Plan = tuple[str, list[Any]]
# Events about a charge: one of the planners must own it, else finance looks at it.
CLAIMED_PREFIXES = ("charge.", "transfer.reversed", "payout.paid", "payout.failed")


class StripeEventPlanner(Protocol):
    def plan_stripe_event(self, event: dict[str, Any]) -> Plan | None:
        """The outcome and the aggregates to save, or None if the event is not this one's."""
        ...


class StripeEvents:
    def __init__(self, ledger: Ledger, clock: Clock, planners: list[StripeEventPlanner]) -> None:
        self._ledger = ledger
        self._clock = clock
        self._planners = planners

    def handle(self, event: dict[str, Any]) -> str:
        for _ in range(3):
            if self._ledger.get_or_none(ids.stripe_event_id(event["id"])) is not None:
                return "duplicate"
            outcome, aggregates = self._plan(event)
            obj = event.get("data", {}).get("object", {}) or {}
            receipt = StripeEventReceipt(event_id=event["id"], event_type=event["type"],
                                         object_id=str(obj.get("id", "")), outcome=outcome,
                                         received_at=self._clock())
            try:
                self._ledger.save(receipt, *aggregates)
            except IntegrityError:
                continue  # a concurrent delivery or a concurrent write: look again
            return outcome
        raise IntegrityError(f"could not record Stripe event {event['id']}")

    def _plan(self, event: dict[str, Any]) -> Plan:
        for planner in self._planners:
            planned = planner.plan_stripe_event(event)
            if planned is not None:
                return planned
        if event["type"].startswith(CLAIMED_PREFIXES):
            return "unmatched", []  # money we cannot place: recorded and flagged for finance
        return "ignored", []
