"""Rendering: the Jinja2 environment, and the few filters that turn integer money into text."""

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse
from fastapi.templating import Jinja2Templates
from starlette.responses import Response

from api.errors import ApiError
from api.pages.session import csrf_token, viewer
from domain.errors import DomainError
from domain.money import TOKENS_PER_GBP

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=str(HERE / "templates"))


def pounds(minor: int | None) -> str:
    minor = int(minor or 0)
    sign = "-" if minor < 0 else ""
    return f"{sign}£{abs(minor) // 100:,}.{abs(minor) % 100:02d}"


def tokens_in_pounds(tokens: int | None) -> str:
    """What tokens are worth at 250 per £1 (the fan's view: what they paid for them)."""
    return pounds(int(tokens or 0) * 100 // TOKENS_PER_GBP)


WHAT_HAPPENED = {
    "purchase": "Tokens added to your wallet", "tip": "Tip to {name}",
    "unlock": "Unlocked an offer from {name}", "message": "Paid message to {name}",
    "no_reply": "A message got no reply: its tokens are back",
    "refund": "A refund took tokens back", "dispute": "A dispute took tokens back",
    "dispute_won": "A dispute was decided: tokens restored",
}


def what_happened(row: dict[str, Any]) -> str:
    """A wallet history row as a person says it, naming the creator a spend paid."""
    text = WHAT_HAPPENED.get(str(row["kind"]), str(row["kind"]))
    name = row.get("counterparty_name") or row.get("counterparty_id")
    return text.format(name=name) if name else text.replace(" to {name}", "").replace(
        " from {name}", "")


def as_local_input(text: str) -> str:
    """A moment as a datetime-local field shows it: in UTC, without a zone ("" if none)."""
    try:
        moment = datetime.fromisoformat(text)
    except (TypeError, ValueError):
        return ""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.isoformat(timespec="milliseconds")


templates.env.filters["pounds"] = pounds
templates.env.filters["as_local_input"] = as_local_input
templates.env.filters["what_happened"] = what_happened
templates.env.filters["tokens_gbp"] = tokens_in_pounds
templates.env.globals["TOKENS_PER_GBP"] = TOKENS_PER_GBP


def page(request: Request, template: str, status_code: int = 200, **context: Any) -> Response:
    user = viewer(request)
    mode = request.session.get("mode", "fan")
    return templates.TemplateResponse(request, template, {
        "user": user, "csrf": csrf_token(request), "mode": mode,
        "is_creator": bool(user and user.has("creator")),
        "is_staff": bool(user and user.has("admin", "finance", "auditor")),
        "flash": request.session.pop("flash", None),
        "image_urls": request.app.state.core.persona_images.urls, **context},
        status_code=status_code)


def flash(request: Request, message: str, kind: str = "ok") -> None:
    request.session["flash"] = {"message": message, "kind": kind}


def after_command(request: Request, to: str, run: Callable[[], object],
                  done: str | Callable[[], str]) -> Response:
    """Run a form's command and go back to `to`, saying it was done (what `done` says, or
    returns once it ran) or why it was refused."""
    try:
        run()
        flash(request, done if isinstance(done, str) else done())
    except (DomainError, ApiError, ValueError) as error:
        flash(request, getattr(error, "message", None) or str(error), "bad")
    return RedirectResponse(to, status_code=303)
