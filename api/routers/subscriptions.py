"""Subscriptions: a fan subscribes to a persona (Stripe Checkout), sees and cancels theirs; a
creator sees their subscribers. Stripe's webhooks do the rest."""

import secrets
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Header

from api.deps import CoreDep, CurrentUser, require, wait_for_position
from api.params import Position

router = APIRouter(tags=["subscriptions"])
IdempotencyKey = Annotated[str | None, Header(max_length=200)]


@router.post("/api/models/{persona_id}/subscribe", status_code=201)
def subscribe(persona_id: UUID, core: CoreDep, user: CurrentUser,
              idempotency_key: IdempotencyKey = None) -> dict[str, Any]:
    """A Stripe Checkout for the persona's monthly price; access starts when Stripe reports the
    first invoice paid."""
    require(user, "fan", "creator")
    key = f"{user.user_id}:subscribe:{idempotency_key or secrets.token_hex(16)}"
    session = core.subscriptions.subscribe(user.user_id, str(persona_id), key)
    return {"checkout_session_id": session.id, "url": session.url,
            "position": core.ledger.last_saved_position()}


@router.get("/api/subscriptions")
def my_subscriptions(core: CoreDep, user: CurrentUser,
                     min_position: Position | None = None) -> dict[str, Any]:
    """The fan's subscriptions, each with whether it gives access now."""
    require(user, "fan", "creator")
    wait_for_position(core, min_position)
    rows = core.subscription_queries.of_fan(user.user_id)
    return {"subscriptions": [
        {**row, "access": core.subscriptions.access(user.user_id, row["persona_id"]).subscribed}
        for row in rows]}


@router.get("/api/models/{persona_id}/subscription")
def my_subscription(persona_id: UUID, core: CoreDep, user: CurrentUser) -> dict[str, Any]:
    """What the fan's subscription to this persona gives now (read from its stream)."""
    access = core.subscriptions.access(user.user_id, str(persona_id))
    return {"persona_id": str(persona_id), "subscribed": access.subscribed,
            "status": access.status, "included_messages": access.included_messages,
            "period_start": access.period_start, "paid_through": access.paid_through}


@router.post("/api/models/{persona_id}/subscription/cancel")
def cancel(persona_id: UUID, core: CoreDep, user: CurrentUser) -> dict[str, Any]:
    """Cancel at the end of the paid period: access stays until then."""
    subscription = core.subscriptions.cancel(user.user_id, str(persona_id), cancel=True)
    return _state(core, subscription)


@router.post("/api/models/{persona_id}/subscription/resume")
def resume(persona_id: UUID, core: CoreDep, user: CurrentUser) -> dict[str, Any]:
    """Take back a cancellation before the period ends."""
    subscription = core.subscriptions.cancel(user.user_id, str(persona_id), cancel=False)
    return _state(core, subscription)


@router.get("/api/creator/subscribers")
def subscribers(core: CoreDep, user: CurrentUser, persona_id: UUID | None = None,
                min_position: Position | None = None) -> dict[str, Any]:
    """The creator's subscribers with what each paid them (after refunds and disputes)."""
    require(user, "creator")
    wait_for_position(core, min_position)
    return {"subscribers": core.subscription_queries.subscribers(
                user.user_id, str(persona_id) if persona_id else None),
            "counts": core.subscription_queries.subscriber_counts(user.user_id)}


def _state(core: CoreDep, subscription: Any) -> dict[str, Any]:
    return {"subscription_id": str(subscription.id), "persona_id": subscription.persona_id,
            "status": subscription.status, "cancel_at": subscription.cancel_at,
            "paid_through": subscription.paid_through,
            "position": core.ledger.last_saved_position()}
