"""The creator's pages: the overview (earnings by state and source, a chart over time, payouts,
subscribers) and the chat-mode switches."""

from datetime import timedelta
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from api.deps import CoreDep
from api.errors import ApiError
from api.pages.render import after_command, page
from api.pages.session import Form, SignedIn
from api.routers import payouts as payouts_api
from domain.errors import DomainError

router = APIRouter(include_in_schema=False)
STATES = ("held", "available", "in_payout", "paid", "reversed")


CHART_DAYS = 60
STATE_LABELS = {"held": "Held", "available": "Available", "in_payout": "In a payout",
                "paid": "Paid", "reversed": "Reversed"}


def _nice(top: int) -> int:
    """The smallest 1, 2 or 5 times a power of ten at or above top (a readable scale)."""
    scale = 1
    while True:
        for step in (1, 2, 5):
            if step * scale >= top:
                return step * scale
        scale *= 10


def chart(history: list[dict[str, Any]], unit: str, width: int = 640,
          height: int = 220) -> dict[str, Any] | None:
    """Stacked bars of one unit's earnings by state at the end of each day, with a value axis
    (four gridlines), a date axis (a label a week) and a legend: what the template draws as
    SVG, positions precomputed. None when the unit never earned anything in the window."""
    left, bottom, top_pad = 72, 28, 8
    plot_w, plot_h = width - left - 8, height - bottom - top_pad
    totals = [sum(int(d[f"{s}_{unit}"]) for s in STATES) for d in history]
    if not any(totals):
        return None
    top = _nice(max(totals))
    step = plot_w / len(history)
    bars = []
    for n, day in enumerate(history):
        y = float(top_pad + plot_h)
        for state in STATES:
            value = int(day[f"{state}_{unit}"])
            if value <= 0:
                continue
            h = value * plot_h / top
            y -= h
            bars.append({"x": left + n * step + 1, "y": y, "w": max(step - 2, 1), "h": h,
                         "state": state, "day": day["day"], "value": value})
    ticks = [{"y": top_pad + plot_h - plot_h * k / 4, "value": top * k // 4} for k in range(5)]
    labels = [{"x": left + n * step, "day": history[n]["day"][5:]}
              for n in range(0, len(history), 7)]
    return {"unit": unit, "width": width, "height": height, "left": left, "bars": bars,
            "ticks": ticks, "labels": labels, "plot_right": width - 8,
            "axis_y": top_pad + plot_h, "legend": [(s, STATE_LABELS[s]) for s in STATES],
            "rows": [{"day": d["day"], **{s: int(d[f"{s}_{unit}"]) for s in STATES}}
                     for d in history if any(int(d[f"{s}_{unit}"]) for s in STATES)]}


CARRY_REASONS = {
    "below_minimum": "below the payout minimum: carried to the next run",
    "debt_exceeds_earnings": "what you owe is more than what is available",
    "no_connect_account": "no payout account yet (finish onboarding)",
    "payouts_disabled": "Stripe has not enabled payouts on your account",
    "creator_not_in_good_standing": "your account is not in good standing",
    "nothing_available": "nothing available yet",
    "bank_needs_support": "your bank refused a payout: give Stripe new bank details, or "
                          "support will contact you",
}


@router.get("/creator")
def overview(request: Request, core: CoreDep, user: SignedIn) -> Response:
    if not user.has("creator"):
        return page(request, "missing.html", status_code=403, what="creator account")
    last = core.clock().date()
    history = core.queries.earnings_history(
        user.user_id, (last - timedelta(days=CHART_DAYS - 1)).isoformat(), last.isoformat())
    charts = [c for c in (chart(history, "tokens"), chart(history, "minor")) if c]
    return page(request, "creator.html", earnings=core.queries.earnings(user.user_id),
                by_source=core.queries.earnings_by_source(user.user_id), charts=charts,
                states=STATES, payouts=core.payout_queries.payouts(creator_id=user.user_id, limit=20),
                carried=core.payout_queries.carries(user.user_id, limit=10),
                carry_reasons=CARRY_REASONS,
                bank_problem=core.payout_queries.payout_problem(user.user_id),
                subscribers=core.subscription_queries.subscriber_counts(user.user_id),
                modes=core.chat_modes.mine(user.user_id))


@router.get("/creator/subscribers")
def subscribers(request: Request, core: CoreDep, user: SignedIn) -> Response:
    return page(request, "subscribers.html",
                subscribers=core.subscription_queries.subscribers(user.user_id),
                counts=core.subscription_queries.subscriber_counts(user.user_id))


STATEMENT_PAGE_ROWS = 100


@router.get("/creator/statements", response_model=None)
def statements(request: Request, core: CoreDep, user: SignedIn, month: str = "",
               download: str = "", page_no: Annotated[int, Query(ge=1, le=100_000)] = 1
               ) -> Response:
    """A month's statement (every earning made in it as it stands now, every payout), a page
    of rows at a time with the month's totals, and all of it as CSV: the JSON API's statement,
    shown."""
    month = month or core.clock().strftime("%Y-%m")
    try:
        if download == "csv":
            return payouts_api.statement(core, user, month, None, "csv")  # type: ignore[return-value]
        found = payouts_api.statement(core, user, month, None)
        rows, error = found["rows"], None  # type: ignore[index]
    except (ApiError, DomainError, ValueError) as problem:
        rows, error = [], getattr(problem, "message", None) or str(problem)
    pages = max(1, -(-len(rows) // STATEMENT_PAGE_ROWS))
    page_no = min(page_no, pages)
    shown = rows[(page_no - 1) * STATEMENT_PAGE_ROWS:page_no * STATEMENT_PAGE_ROWS]
    totals = {unit: sum(int(r["amount"] or 0) for r in rows
                        if r["unit"] == unit and r["kind"] == "earning")
              for unit in ("tokens", "minor")}
    return page(request, "statements.html", month=month, rows=shown, error=error,
                page_no=page_no, pages=pages, total_rows=len(rows), totals=totals)


@router.get("/creator/chat-modes")
def chat_modes(request: Request, core: CoreDep, user: SignedIn) -> Response:
    return page(request, "chat_modes.html", personas=core.chat_modes.mine(user.user_id))


@router.post("/creator/chat-modes")
def set_chat_modes(request: Request, core: CoreDep, user: SignedIn, form: Form) -> Response:
    enabled = [m for m in ("companion", "intimate") if form.get(m)]
    default = str(form.get("default_mode") or "")
    return after_command(request, "/creator/chat-modes", lambda: core.chat_modes.set(
        user.user_id, UUID(str(form.get("persona_id"))), enabled,
        default if default in enabled else None), "Chat modes saved.")
