"""The model wizard: a creator's own personas, their drafts, submission and publishing."""

from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, File, UploadFile
from pydantic import BaseModel, Field, StrictInt

from api.deps import CoreDep, CurrentUser, require, wait_for_position
from api.params import Position
from domain.catalogue import EXTRA_MESSAGE_TOKENS

router = APIRouter(tags=["creator models"], prefix="/api/creator/models")


class PersonaText(BaseModel):
    traits: list[str] = Field(default_factory=list, max_length=12)
    interests: list[str] = Field(default_factory=list, max_length=12)
    backstory: str = Field(default="", max_length=2_000)
    style: str = Field(default="", max_length=500)


class Monetization(BaseModel):
    subscription_price_minor: StrictInt
    included_messages: StrictInt = 0
    extra_message_tokens: StrictInt = EXTRA_MESSAGE_TOKENS


class ModelIn(BaseModel):
    name: str = Field(max_length=60)
    stated_age: StrictInt
    visuals: list[str] = Field(default_factory=list, max_length=10)
    persona: PersonaText = Field(default_factory=PersonaText)
    monetization: Monetization
    chat_modes: list[Literal["companion", "intimate"]] = Field(min_length=1, max_length=2)
    primary_category: str = Field(max_length=40)
    tags: list[str] = Field(default_factory=list, max_length=8)


@router.post("/{persona_id}/images")
def upload_images(persona_id: UUID, core: CoreDep, user: CurrentUser,
                  avatar: Annotated[UploadFile | None, File(description="a picture")] = None,
                  cover: Annotated[UploadFile | None, File(description="a picture")] = None
                  ) -> dict[str, Any]:
    """The persona's avatar and/or cover, in one change: on a live persona it goes to review
    first (and a persona in review takes no change until it is decided)."""
    require(user, "creator")
    sources = {role: upload.file for role, upload in (("avatar", avatar), ("cover", cover))
               if upload is not None}
    core.persona_images.upload(user.user_id, persona_id, sources)
    mine = _mine(core, user.user_id, persona_id)
    return {**mine, "draft_images": core.persona_images.urls(mine["draft"])}


def _mine(core: CoreDep, user_id: str, persona_id: UUID) -> dict[str, Any]:
    wait_for_position(core, core.ledger.last_saved_position())
    return next(p for p in core.persona_queries.of_creator(user_id) if p["id"] == str(persona_id))


@router.get("")
def list_models(core: CoreDep, user: CurrentUser, min_position: Position | None = None) -> dict[str, Any]:
    """The signed-in creator's personas: draft, review state, live version, findings."""
    require(user, "creator")
    wait_for_position(core, min_position)
    return {"models": core.persona_queries.of_creator(user.user_id),
            "limit": core.personas.limit}


@router.post("", status_code=201)
def create_model(body: ModelIn, core: CoreDep, user: CurrentUser) -> dict[str, Any]:
    """Start a persona as a draft (blocked terms are refused; the per-creator limit applies)."""
    require(user, "creator")
    persona = core.personas.create(user.user_id, body.model_dump())
    return _mine(core, user.user_id, persona.id)


@router.put("/{persona_id}")
def update_model(persona_id: UUID, body: ModelIn, core: CoreDep, user: CurrentUser) -> dict[str, Any]:
    """Replace the draft; an approved persona goes back to review and stays live meanwhile."""
    require(user, "creator")
    core.personas.update(user.user_id, persona_id, body.model_dump())
    return _mine(core, user.user_id, persona_id)


@router.post("/{persona_id}/submit")
def submit_model(persona_id: UUID, core: CoreDep, user: CurrentUser) -> dict[str, Any]:
    """Send the draft to admin review, with the likeness check's findings."""
    require(user, "creator")
    core.personas.submit(user.user_id, persona_id)
    return _mine(core, user.user_id, persona_id)


@router.post("/{persona_id}/publish")
def publish_model(persona_id: UUID, core: CoreDep, user: CurrentUser) -> dict[str, Any]:
    """Show the approved version to fans."""
    require(user, "creator")
    core.personas.publish(user.user_id, persona_id, publish=True)
    return _mine(core, user.user_id, persona_id)


@router.post("/{persona_id}/unpublish")
def unpublish_model(persona_id: UUID, core: CoreDep, user: CurrentUser) -> dict[str, Any]:
    """Take the persona out of discovery."""
    require(user, "creator")
    core.personas.publish(user.user_id, persona_id, publish=False)
    return _mine(core, user.user_id, persona_id)
