"""A creator's chat-mode switches per persona, and a fan's age verification for intimate chat."""

from typing import Any, Literal
from uuid import UUID

from fastapi import APIRouter
from pydantic import BaseModel, Field

from api.deps import CoreDep, CurrentUser, require

router = APIRouter(tags=["chat settings"])


class ChatModesIn(BaseModel):
    persona_id: UUID
    enabled: list[Literal["companion", "intimate"]] = Field(max_length=2)
    default_mode: Literal["companion", "intimate"] | None = None


@router.get("/api/creator/chat-modes")
def chat_modes(core: CoreDep, user: CurrentUser) -> dict[str, Any]:
    """Each of the creator's personas: the modes on, the default, and what review approved."""
    require(user, "creator")
    return {"personas": core.chat_modes.mine(user.user_id)}


@router.post("/api/creator/chat-modes")
def set_chat_modes(body: ChatModesIn, core: CoreDep, user: CurrentUser) -> dict[str, Any]:
    """Switch modes on or off; intimate only where an admin approved the persona for it."""
    require(user, "creator")
    return core.chat_modes.set(user.user_id, body.persona_id, list(body.enabled),
                               body.default_mode)


@router.get("/api/age-verification")
def age_status(core: CoreDep, user: CurrentUser) -> dict[str, Any]:
    return core.age_verifications.status(user.user_id)


@router.post("/api/age-verification", status_code=201)
def start_age_verification(core: CoreDep, user: CurrentUser) -> dict[str, Any]:
    """Start a verification with the identity provider; open `url` to complete it."""
    require(user, "fan", "creator")
    return core.age_verifications.start(user.user_id)


@router.post("/api/admin/chat/settle-stale")
def settle_stale(core: CoreDep, user: CurrentUser) -> dict[str, Any]:
    """Give back messages whose turn never ended, paid or included (also `lyra chat settle-stale`)."""
    require(user, "admin", "finance")
    return {"given_back": core.stale_turns.settle()}
