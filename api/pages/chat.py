"""The chat page, in either mode: the thread, the price of the next message, and the reply
streamed into the page as it is written (the same turn as the JSON API's)."""

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from api.chat_http import ChatMessageIn, send, thread_view, transcript_page
from api.deps import CoreDep
from api.errors import ApiError
from api.pages.render import flash, page
from api.pages.session import Form, SignedIn
from api.params import Position
from application.bootstrap import Core
from application.chat.conversation import Conversation
from domain.errors import DomainError

router = APIRouter(include_in_schema=False)
MODES = ("companion", "intimate")
HISTORY_PAGE = 50  # messages


def _conversation(core: Core, mode: str) -> Conversation:
    if mode == "intimate" and core.intimate_chat is not None:
        return core.intimate_chat
    if mode != "companion":
        raise ApiError(404, "chat_unavailable", "this chat mode is not offered")
    return core.companion_chat.conversation


@router.get("/chat/{persona_id}")
def chat_page(request: Request, persona_id: str, core: CoreDep, user: SignedIn,
              mode: str = "companion") -> Response:
    model = core.persona_queries.public(persona_id)
    if model is None or mode not in MODES:
        return page(request, "missing.html", status_code=404, what="persona")
    try:
        thread = thread_view(_conversation(core, mode), core.chat_queries, user.user_id,
                             persona_id)
    except DomainError as error:
        return page(request, "chat_closed.html", status_code=403 if error.code ==
                    "age_verification_required" else 404, model=model, mode=mode,
                    code=error.code, message=str(error))
    other = [m for m in model["chat_modes"] if m != mode]
    shown = [e for e in thread["entries"] if e["type"] == "message"]
    earlier = core.chat_queries.earlier_than(thread["thread_id"], shown[0]["message_id"]) \
        if shown else None
    return page(request, "chat.html", model=model, mode=mode, thread=thread, other_modes=other,
                earlier_before_seq=earlier)


@router.get("/chat/{persona_id}/history")
def chat_history(request: Request, persona_id: str, core: CoreDep, user: SignedIn,
                 mode: str = "companion", before_seq: Position | None = None) -> Response:
    """The whole transcript, newest first, a page at a time: what the chat page's window of
    latest messages leaves out."""
    model = core.persona_queries.public(persona_id)
    if model is None or mode not in MODES:
        return page(request, "missing.html", status_code=404, what="persona")
    history = transcript_page(_conversation(core, mode), core.chat_queries, user.user_id,
                              persona_id, before_seq, HISTORY_PAGE)
    return page(request, "chat_history.html", model=model, mode=mode, history=history)


@router.post("/chat/{persona_id}/send")
def send_message(request: Request, persona_id: str, core: CoreDep, user: SignedIn, form: Form,
                 mode: str = "companion") -> Response:
    """The page's script posts here and reads server-sent events, like an API client."""
    try:
        body = ChatMessageIn(message=str(form.get("message", "")),
                             expected_cost_tokens=int(str(form.get("expected_cost_tokens", ""))),
                             message_id=str(form.get("message_id") or "") or None)
    except (ValidationError, ValueError):
        raise ApiError(422, "invalid_request", "write a message of 1 to 2,000 characters") from None
    return send(_conversation(core, mode), user.user_id, persona_id, body, None, request)  # type: ignore[no-any-return]


@router.post("/age-verification")
def verify_age(request: Request, core: CoreDep, user: SignedIn, form: Form) -> Response:
    started = core.age_verifications.start(user.user_id)
    if started["url"]:
        return RedirectResponse(started["url"], status_code=303)
    flash(request, "Your age is verified.")
    return RedirectResponse(str(form.get("next") or "/"), status_code=303)
