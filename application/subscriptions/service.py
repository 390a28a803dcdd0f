"""What a fan does with a subscription: subscribe (a Stripe Checkout in subscription mode), cancel
at the period's end or take that back, and what access it gives now.

Stripe's webhooks (application/subscriptions/billing_events.py) carry it from there: each paid
invoice pays the creator and extends access.
"""

import contextlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from eventsourcing.persistence import IntegrityError

from adapters.eventstore.ledger import ConcurrencyExhaustedError, Ledger
from application.clock import Clock
from application.ports import CheckoutSession, PaymentGateway, SubscriptionPlan
from application.sellers import as_uuid, live_persona, receiving_creator
from domain import ids
from domain.aggregates.subscription import (
    LIVE,
    AlreadySubscribedError,
    NotSubscribedError,
    Subscription,
)
from domain.catalogue import CURRENCY
from domain.errors import DomainError


class OwnPersonaError(DomainError):
    code = "own_persona"


@dataclass(frozen=True)
class Access:
    subscribed: bool  # may see subscriber content and use included messages now
    status: str | None
    included_messages: int
    period_start: datetime | None
    paid_through: datetime | None


class Subscriptions:
    def __init__(self, ledger: Ledger, gateway: PaymentGateway, clock: Clock, public_url: str,
                 grace: timedelta) -> None:
        self._ledger = ledger
        self._gateway = gateway
        self._clock = clock
        self._public_url = public_url.rstrip("/")
        self.grace = grace

    def subscribe(self, fan_id: str, persona_id: str, idempotency_key: str) -> CheckoutSession:
        """A checkout for the persona's monthly price; refused, before Stripe is called, for an
        unpublished persona, a creator who cannot be paid, your own persona, or a live
        subscription."""
        persona_uuid = as_uuid(persona_id)
        persona = live_persona({persona_uuid: self._ledger.get_or_none(persona_uuid)}, persona_id)
        creator_id = persona.creator_user_id
        if creator_id == fan_id:
            raise OwnPersonaError("you cannot subscribe to your own persona")
        receiving_creator({ids.creator_id(creator_id):
                           self._ledger.get_or_none(ids.creator_id(creator_id))}, creator_id)
        existing = self._get(fan_id, persona_id)
        if existing is not None and existing.status in LIVE:
            raise AlreadySubscribedError("you are already subscribed to this persona")
        live = persona.live
        assert live is not None  # live_persona checked it
        money = live["monetization"]
        plan = SubscriptionPlan(fan_id=fan_id, persona_id=persona_id,
                                product_name=f"{live['name']}: monthly subscription",
                                price_minor=money["subscription_price_minor"], currency=CURRENCY)
        session = self._gateway.create_subscription_checkout(
            plan=plan, idempotency_key=idempotency_key,
            success_url=f"{self._public_url}/subscriptions?checkout=success",
            cancel_url=f"{self._public_url}/models/{persona_id}?checkout=cancelled")
        for _ in range(3):
            subscription = self._get(fan_id, persona_id)
            now = self._clock()
            if subscription is None:
                subscription = Subscription(
                    fan_id=fan_id, persona_id=persona_id, creator_id=creator_id,
                    price_minor=plan.price_minor, currency=plan.currency,
                    included_messages=money["included_messages"], checkout_session_id=session.id,
                    at=now)
            elif not subscription.request_again(session.id, plan.price_minor,
                                                money["included_messages"], now):
                return session
            try:
                self._ledger.save(subscription)
            except IntegrityError:
                continue  # a concurrent subscribe: look again
            return session
        raise ConcurrencyExhaustedError("could not record the subscription; try again")

    def cancel(self, fan_id: str, persona_id: str, cancel: bool = True) -> Subscription:
        """Cancel at the period's end (access stays until then), or take that back."""
        subscription = self._get(fan_id, persona_id)
        if subscription is None or subscription.status not in LIVE or \
                subscription.stripe_subscription_id is None:
            raise NotSubscribedError("you have no live subscription to this persona")
        if (subscription.cancel_at is not None) == cancel:
            return subscription
        stripe_id = subscription.stripe_subscription_id
        self._gateway.set_cancel_at_period_end(
            stripe_subscription_id=stripe_id, cancel=cancel,
            idempotency_key=f"{subscription.id}:{subscription.term}:cancel:{cancel}")
        # Stripe's webhook may already have recorded it; else record what Stripe accepted.
        with contextlib.suppress(IntegrityError):
            subscription = self._ledger.repository.get(subscription.id)
            now = self._clock()
            if subscription.set_cancel_at_period_end(stripe_id, cancel, subscription.paid_through,
                                                     as_of=now, at=now):
                self._ledger.save(subscription)
        return self._ledger.repository.get(subscription.id)

    def access(self, fan_id: str, persona_id: str) -> Access:
        subscription = self._get(fan_id, persona_id)
        if subscription is None:
            return Access(False, None, 0, None, None)
        subscribed = subscription.has_access(self._clock(), self.grace)
        return Access(subscribed, subscription.status,
                      subscription.included_messages if subscribed else 0,
                      subscription.period_start, subscription.paid_through)

    def _get(self, fan_id: str, persona_id: str) -> Any:
        return self._ledger.get_or_none(ids.subscription_id(fan_id, persona_id))
