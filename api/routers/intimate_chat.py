"""Intimate chat: its own routes and threads; age-verified fans only. Absent when the platform
switched the mode off."""

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Header, Query, Request

from api.chat_http import ChatMessageIn, send, thread_view, transcript_page
from api.deps import CoreDep, CurrentUser, require, wait_for_position
from api.errors import ApiError
from api.params import Position
from application.chat.conversation import Conversation

router = APIRouter(tags=["intimate chat"])


def _chat(core: CoreDep) -> Conversation:
    if core.intimate_chat is None:
        raise ApiError(404, "chat_unavailable", "intimate chat is not offered on this platform")
    return core.intimate_chat


@router.get("/api/intimate-chat/{persona_id}")
def history(persona_id: UUID, core: CoreDep, user: CurrentUser,
            min_position: Position | None = None) -> dict[str, Any]:
    require(user, "fan", "creator")
    wait_for_position(core, min_position)  # the tips in the thread come from a read model
    return thread_view(_chat(core), core.chat_queries, user.user_id, str(persona_id))


@router.get("/api/intimate-chat/{persona_id}/messages")
def transcript(persona_id: UUID, core: CoreDep, user: CurrentUser,
               before_seq: Position | None = None,
               limit: Annotated[int, Query(ge=1, le=200)] = 50,
               min_position: Position | None = None) -> dict[str, Any]:
    """The whole thread, newest first, a page at a time (read model)."""
    require(user, "fan", "creator")
    wait_for_position(core, min_position)
    return transcript_page(_chat(core), core.chat_queries, user.user_id, str(persona_id),
                           before_seq, limit)


@router.get("/api/intimate-chat/{persona_id}/price")
def price(persona_id: UUID, core: CoreDep, user: CurrentUser) -> dict[str, Any]:
    require(user, "fan", "creator")
    return _chat(core).quote(user.user_id, str(persona_id)).as_dict()


@router.post("/api/intimate-chat/{persona_id}", status_code=201)
def send_message(persona_id: UUID, body: ChatMessageIn, request: Request, core: CoreDep,
                 user: CurrentUser,
                 idempotency_key: Annotated[str | None, Header(max_length=100)] = None) -> Any:
    """Send a message; the reply streams as server-sent events (Accept: text/event-stream)."""
    require(user, "fan", "creator")
    return send(_chat(core), user.user_id, str(persona_id), body, idempotency_key, request)
