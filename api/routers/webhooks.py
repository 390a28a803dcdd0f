"""Stripe webhooks: verified by signature, handled once per Stripe event id."""

from typing import Annotated, Any

from fastapi import APIRouter, Header, Request
from starlette.concurrency import run_in_threadpool

from api.deps import CoreDep

router = APIRouter(tags=["webhooks"])


@router.post("/api/webhooks/stripe")
async def stripe_webhook(request: Request, core: CoreDep,
                         stripe_signature: Annotated[str, Header()] = "") -> dict[str, Any]:
    """Receive a Stripe event; a bad signature gets 400 and writes nothing."""
    payload = await request.body()
    event = core.gateway.parse_webhook(payload, stripe_signature)
    outcome = await run_in_threadpool(core.stripe_events.handle, event)
    return {"received": True, "event_id": event["id"], "outcome": outcome}
