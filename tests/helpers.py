"""Small builders of signed Stripe events and funded wallets, shared by the tests."""

import itertools
from typing import Any
from uuid import UUID

from application.bootstrap import Core

_counter = itertools.count(1)


def stripe_event(event_type: str, obj: dict[str, Any], event_id: str | None = None) -> dict[str, Any]:
    return {"id": event_id or f"evt_test_{next(_counter)}", "object": "event", "type": event_type,
            "data": {"object": obj}}


def session_completed(session_id: str, fan_id: str, pack_sku: str, amount_total: int,
                      payment_intent: str, event_id: str | None = None) -> dict[str, Any]:
    return stripe_event("checkout.session.completed", {
        "id": session_id, "object": "checkout.session", "payment_status": "paid",
        "amount_total": amount_total, "payment_intent": payment_intent,
        "metadata": {"lyra_kind": "token_pack", "fan_id": fan_id, "pack_sku": pack_sku}},
        event_id)


def charge_refunded(payment_intent: str, amount: int, amount_refunded: int,
                    event_id: str | None = None) -> dict[str, Any]:
    return stripe_event("charge.refunded", {
        "id": f"ch_{payment_intent}", "object": "charge", "amount": amount,
        "amount_refunded": amount_refunded, "payment_intent": payment_intent}, event_id)


def fund(core: Core, fan_id: str, pack_sku: str = "pack_500", tag: str | None = None) -> str:
    """Buy a pack through checkout and a completed webhook; returns the payment intent id."""
    from domain.catalogue import find_pack

    pack = find_pack(pack_sku)
    assert pack is not None
    tag = tag or str(next(_counter))
    session = core.purchases.start_checkout(fan_id, pack_sku, f"{fan_id}:{tag}")
    assert core.simulator is not None
    simulated = core.simulator.session(session.id)
    assert simulated is not None
    payment_intent = simulated.payment_intent_id
    outcome = core.stripe_events.handle(
        session_completed(session.id, fan_id, pack_sku, pack.price_minor, payment_intent))
    assert outcome == "credited"
    return payment_intent


def published_persona(core: Core, creator: str = "creator-1", name: str = "Luna") -> UUID:
    """A registered creator with one reviewed, published persona (the neutral test profile)."""
    from tests.api.test_personas_http import PROFILE

    core.creators.register(creator, name, "adm")
    persona = core.personas.create(creator, dict(PROFILE))
    core.personas.submit(creator, persona.id)
    core.personas.review("adm-1", persona.id, True, "")
    core.personas.publish(creator, persona.id, True)
    return persona.id


def post_with_a_locked_picture(core: Core, persona_id: UUID, locked_title: str,
                               colour: tuple[int, int, int] = (120, 60, 160),
                               size: tuple[int, int] = (600, 400)) -> UUID:
    """A post of the persona's showing a pay-per-view picture (and a public one, "Harbour"), with
    an offer at 300 tokens that opens the locked one; returns the offer's id."""
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, format="PNG")
    locked = core.library.upload("creator-1", persona_id, io.BytesIO(out.getvalue()), "ppv",
                                 locked_title)
    public = core.library.upload("creator-1", persona_id, io.BytesIO(out.getvalue()), "public",
                                 "Harbour")
    core.library.publish_post("creator-1", persona_id, "New set", [locked.id, public.id])
    return core.ppv.create_offer("creator-1", persona_id, locked_title.split()[0], 300,
                                 [locked.id]).id


def run_async(coroutine: Any) -> Any:
    """`asyncio.run` on a thread of its own: a browser test's Playwright (sync API) keeps an
    event loop running on the worker's main thread, where `asyncio.run` would refuse."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()
