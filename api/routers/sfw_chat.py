"""Companion (SFW) chat: its own routes, threads and personality settings."""

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Header, Query, Request
from pydantic import BaseModel, Field, StrictInt

from api.chat_http import ChatMessageIn, send, thread_view, transcript_page
from api.deps import CoreDep, CurrentUser, require, wait_for_position
from api.params import Position

router = APIRouter(tags=["companion chat"])


@router.get("/api/sfw-chat/{persona_id}")
def history(persona_id: UUID, core: CoreDep, user: CurrentUser,
            min_position: Position | None = None) -> dict[str, Any]:
    """The fan's companion thread with the persona, and what the next message costs."""
    require(user, "fan", "creator")
    wait_for_position(core, min_position)  # the tips in the thread come from a read model
    return thread_view(core.companion_chat.conversation, core.chat_queries, user.user_id,
                       str(persona_id))


@router.get("/api/sfw-chat/{persona_id}/messages")
def transcript(persona_id: UUID, core: CoreDep, user: CurrentUser,
               before_seq: Position | None = None,
               limit: Annotated[int, Query(ge=1, le=200)] = 50,
               min_position: Position | None = None) -> dict[str, Any]:
    """The whole thread, newest first, a page at a time (read model)."""
    require(user, "fan", "creator")
    wait_for_position(core, min_position)
    return transcript_page(core.companion_chat.conversation, core.chat_queries, user.user_id,
                           str(persona_id), before_seq, limit)


@router.get("/api/sfw-chat/{persona_id}/price")
def price(persona_id: UUID, core: CoreDep, user: CurrentUser) -> dict[str, Any]:
    """What the next message will cost: included (0) or its price in tokens."""
    require(user, "fan", "creator")
    return core.companion_chat.conversation.quote(user.user_id, str(persona_id)).as_dict()


@router.post("/api/sfw-chat/{persona_id}", status_code=201)
def send_message(persona_id: UUID, body: ChatMessageIn, request: Request, core: CoreDep,
                 user: CurrentUser,
                 idempotency_key: Annotated[str | None, Header(max_length=100)] = None) -> Any:
    """Send a message; the reply streams as server-sent events (Accept: text/event-stream)."""
    require(user, "fan", "creator")
    return send(core.companion_chat.conversation, user.user_id, str(persona_id), body,
                idempotency_key, request)


class PersonalityIn(BaseModel):
    persona_id: UUID
    display_name: str = Field(min_length=1, max_length=80)
    traits: list[str] = Field(min_length=1, max_length=12)
    flirt_level: str = "friendly"
    interests: list[str] = Field(default_factory=list, max_length=12)
    tasteful_traits: list[str] = Field(default_factory=list, max_length=12)
    message_price_tokens: StrictInt = 100


@router.get("/api/creator/sfw-personality")
def get_personality(persona_id: UUID, core: CoreDep, user: CurrentUser) -> dict[str, Any]:
    """The persona's companion personality (null: the persona's own traits, friendly)."""
    require(user, "creator")
    return {"persona_id": str(persona_id),
            "personality": core.companion_chat.personality(user.user_id, persona_id)}


@router.post("/api/creator/sfw-personality")
def set_personality(body: PersonalityIn, core: CoreDep, user: CurrentUser) -> dict[str, Any]:
    require(user, "creator")
    config = body.model_dump(exclude={"persona_id"})
    return {"persona_id": str(body.persona_id),
            "personality": core.companion_chat.configure(user.user_id, body.persona_id, config)}


@router.delete("/api/creator/sfw-personality")
def reset_personality(persona_id: UUID, core: CoreDep, user: CurrentUser) -> dict[str, Any]:
    """Back to the defaults: the persona's own traits, friendly, the persona's message price."""
    require(user, "creator")
    core.companion_chat.reset(user.user_id, persona_id)
    return {"persona_id": str(persona_id), "personality": None}
