"""The fan's pages: browse, a persona's profile (feed, prices, subscribe, tip, unlock), the wallet
and subscriptions. Each form becomes the same command the JSON API sends."""

import secrets
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from api.deps import CoreDep
from api.pages.render import after_command, flash, page, what_happened
from api.pages.session import Form, SignedIn, Viewer
from api.params import Position
from api.routers import media
from application.spending import commands as spend
from domain.catalogue import TIP_MAX_TOKENS, TIP_MIN_TOKENS, TIP_PRESETS_TOKENS, TOKEN_PACKS
from domain.errors import DomainError

router = APIRouter(include_in_schema=False)


def _whole(value: Any) -> int | None:
    try:
        return int(str(value))
    except ValueError:
        return None


@router.get("/")
def browse(request: Request, core: CoreDep, q: str = "", tag: str = "",
           category: str = "") -> Response:
    found = core.persona_queries.discover(tag=tag or None, category=category or None,
                                          q=q[:100] or None, sort="newest", limit=48, offset=0)
    return page(request, "browse.html", models=found["models"], total=found["total"],
                vocabulary=core.persona_queries.tags(), q=q, tag=tag, category=category)


@router.get("/models/{persona_id}")
def profile(request: Request, persona_id: UUID, core: CoreDep, user: Viewer) -> Response:
    found = core.persona_queries.public(str(persona_id))
    if found is None:
        return page(request, "missing.html", status_code=404, what="persona")
    feed = media.feed(persona_id, core, user, limit=20, before=None, min_position=None)
    balance = core.queries.wallet(user.user_id)["balance_tokens"] if user else 0
    access = core.subscriptions.access(user.user_id, str(persona_id)) if user else None
    modes = core.chat_modes.of(core.ledger.repository.get(persona_id))
    return page(request, "profile.html", model=found, posts=feed["posts"],
                offers=core.ppv_queries.on_sale(str(persona_id)), balance=balance,
                access=access, modes=modes, presets=TIP_PRESETS_TOKENS,
                tip_key=secrets.token_hex(12),
                unlocked={u["offer_id"] for u in core.ppv_queries.unlocks(user.user_id)
                          if u["entitled"]} if user else set(),
                tip_min=TIP_MIN_TOKENS, tip_max=TIP_MAX_TOKENS)


@router.post("/models/{persona_id}/tip")
def tip(request: Request, persona_id: UUID, core: CoreDep, user: SignedIn,
        form: Form) -> Response:
    """The tip modal's answer, as an htmx fragment: the success, or why not and what to do."""
    found = core.persona_queries.public(str(persona_id))
    amount = _whole(form.get("amount_tokens"))
    if found is None or amount is None:
        return page(request, "tip_result.html", status_code=422, error="choose an amount")
    try:
        sent = core.spending.send(spend.send_tip(
            user.user_id, found["creator_id"], amount,
            idempotency_key=str(form.get("idempotency_key") or secrets.token_hex(12)),
            thread_id=str(form.get("thread_id") or "") or None,
            chat_mode=str(form.get("chat_mode") or "") or None))
    except DomainError as error:
        return page(request, "tip_result.html", status_code=200, error=str(error),
                    code=error.code)
    return page(request, "tip_result.html", sent=sent, persona_name=found["name"],
                next_key=secrets.token_hex(12))


@router.post("/models/{persona_id}/subscribe")
def subscribe(request: Request, persona_id: UUID, core: CoreDep, user: SignedIn,
              form: Form) -> Response:
    try:
        session = core.subscriptions.subscribe(user.user_id, str(persona_id),
                                               f"{user.user_id}:{secrets.token_hex(12)}")
    except DomainError as error:
        flash(request, str(error), "bad")
        return RedirectResponse(f"/models/{persona_id}", status_code=303)
    return RedirectResponse(session.url, status_code=303)  # Stripe Checkout, or the simulator


@router.post("/ppv/{offer_id}/unlock")
def unlock(request: Request, offer_id: UUID, core: CoreDep, user: SignedIn,
           form: Form) -> Response:
    back = f"/models/{form.get('persona_id', '')}"
    def unlock_and_show() -> None:  # the page shown next reads the unlock back
        spent = core.ppv.unlock(user.user_id, offer_id, _whole(form.get("price_tokens")),
                                f"page:{secrets.token_hex(8)}")
        core.projections.wait_for(spent.position, timeout_s=5)

    return after_command(request, back if back != "/models/" else "/", unlock_and_show,
                         "Unlocked.")


def _after_checkout(core: CoreDep, checkout: str) -> None:
    """Back from a paid checkout: show what its webhook recorded (read-your-writes)."""
    if checkout == "success":
        core.projections.wait_for(core.ledger.max_position(), timeout_s=5)


HISTORY_PAGE_ROWS = 50


@router.get("/wallet")
def wallet(request: Request, core: CoreDep, user: SignedIn, checkout: str = "",
           before: Position | None = None) -> Response:
    """The balance, packs to buy and the history, newest first, a page at a time."""
    _after_checkout(core, checkout)
    history = core.queries.transactions(user.user_id, limit=HISTORY_PAGE_ROWS,
                                        before_position=before)
    older = history[-1]["position"] if len(history) == HISTORY_PAGE_ROWS else None
    return page(request, "wallet.html", wallet=core.queries.wallet(user.user_id),
                history=history, older=older, paged=before is not None, packs=TOKEN_PACKS)


@router.post("/wallet/buy")
def buy(request: Request, core: CoreDep, user: SignedIn, form: Form) -> Response:
    try:
        session = core.purchases.start_checkout(user.user_id, str(form.get("pack_sku", "")),
                                                f"{user.user_id}:{secrets.token_hex(16)}")
    except DomainError as error:
        flash(request, str(error), "bad")
        return RedirectResponse("/wallet", status_code=303)
    return RedirectResponse(session.url, status_code=303)


@router.get("/notifications")
def notifications(request: Request, core: CoreDep, user: SignedIn) -> Response:
    """The fan's activity, newest first: money in and out of the wallet (and why anything was
    taken back) and every subscription's state."""
    items = [{"at": t["occurred_at"], "text": what_happened(t),
              "detail": f"{t['amount_tokens']:+} tokens" + (
                  f" (reversed: {t['reversal_reason']})" if t["reversal_reason"] else ""),
              "link": "/wallet"}
             for t in core.queries.transactions(user.user_id, limit=50, before_position=None)]
    items += [{"at": s["updated_at"], "text": f"Subscription {s['status'].replace('_', ' ')}",
               "detail": f"paid through {(s['paid_through'] or '')[:10]}",
               "link": f"/models/{s['persona_id']}"}
              for s in core.subscription_queries.of_fan(user.user_id)]
    items.sort(key=lambda item: str(item["at"]), reverse=True)
    return page(request, "notifications.html", items=items[:60])


@router.get("/subscriptions")
def subscriptions(request: Request, core: CoreDep, user: SignedIn,
                  checkout: str = "") -> Response:
    _after_checkout(core, checkout)
    rows = [{**row, "access": core.subscriptions.access(user.user_id, row["persona_id"])}
            for row in core.subscription_queries.of_fan(user.user_id)]
    return page(request, "subscriptions.html", subscriptions=rows)


@router.post("/subscriptions/{persona_id}/cancel")
def cancel(request: Request, persona_id: UUID, core: CoreDep, user: SignedIn,
           form: Form) -> Response:
    resume = form.get("resume") == "1"
    return after_command(request, "/subscriptions", lambda: core.subscriptions.cancel(
        user.user_id, str(persona_id), cancel=not resume),
        "Resumed." if resume else "Cancelled at the end of the period.")
