"""A creator's content pages: the library (upload, tiers), posts, pay-per-view offers, and the
companion personality. Each form is the same command as the JSON API's."""

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from api.deps import CoreDep
from api.pages.render import after_command, page
from api.pages.session import Form, SignedIn
from domain.aggregates.companion_personality import FLIRT_LEVELS, TRAITS

router = APIRouter(include_in_schema=False)


def _persona(core: CoreDep, user_id: str, chosen: str | None) -> tuple[list[dict[str, Any]],
                                                                        dict[str, Any] | None]:
    core.projections.wait_for(core.ledger.max_position(), timeout_s=5)
    mine = core.persona_queries.of_creator(user_id)
    current = next((p for p in mine if p["id"] == chosen), mine[0] if mine else None)
    return mine, current


def _ids(form: dict[str, Any], prefix: str) -> list[UUID]:
    return [UUID(k.removeprefix(prefix)) for k in form if k.startswith(prefix)]


@router.get("/creator/library")
def library(request: Request, core: CoreDep, user: SignedIn, persona_id: str = "") -> Response:
    mine, current = _persona(core, user.user_id, persona_id)
    items = core.content_queries.creator_items(user.user_id, current["id"]) if current else []
    offers = [o for o in core.ppv_queries.creator_offers(user.user_id)
              if current and o["persona_id"] == current["id"]]
    return page(request, "library.html", personas=mine, current=current, items=items,
                offers=offers, limits=core.library.limits)


@router.post("/creator/library/{persona_id}/upload")
def upload(request: Request, persona_id: UUID, core: CoreDep, user: SignedIn,
           form: Form) -> Response:
    def upload() -> None:
        file = form.get("file")
        if not isinstance(file, UploadFile) or not file.filename:
            raise ValueError("choose a file to upload")
        core.library.upload(user.user_id, persona_id, file.file, str(form.get("tier", "public")),
                            str(form.get("title", "")))

    return after_command(request, f"/creator/library?persona_id={persona_id}", upload,
                         "Uploaded.")


@router.post("/creator/library/{persona_id}/post")
def post(request: Request, persona_id: UUID, core: CoreDep, user: SignedIn,
         form: Form) -> Response:
    return after_command(request, f"/creator/library?persona_id={persona_id}",
                         lambda: core.library.publish_post(user.user_id, persona_id,
                                                           str(form.get("caption", "")),
                                                           _ids(form, "item_")), "Posted.")


@router.post("/creator/library/{persona_id}/offer")
def offer(request: Request, persona_id: UUID, core: CoreDep, user: SignedIn,
          form: Form) -> Response:
    return after_command(request, f"/creator/library?persona_id={persona_id}",
                         lambda: core.ppv.create_offer(
                             user.user_id, persona_id, str(form.get("title", "")),
                             int(str(form.get("price_tokens", ""))), _ids(form, "offer_item_")),
                         "Offer on sale.")


@router.get("/creator/companion")
def companion(request: Request, core: CoreDep, user: SignedIn, persona_id: str = "") -> Response:
    mine, current = _persona(core, user.user_id, persona_id)
    config = core.companion_chat.personality(user.user_id, UUID(current["id"])) \
        if current and current["review"] == "approved" or (current and current["live"]) else None
    return page(request, "companion.html", personas=mine, current=current, config=config or {},
                traits=TRAITS, flirt_levels=FLIRT_LEVELS)


@router.post("/creator/companion/{persona_id}")
def save_companion(request: Request, persona_id: UUID, core: CoreDep, user: SignedIn,
                   form: Form) -> Response:
    to = f"/creator/companion?persona_id={persona_id}"
    if form.get("reset") == "1":
        return after_command(request, to, lambda: core.companion_chat.reset(user.user_id,
                                                                            persona_id),
                             "Back to the persona's own traits.")

    def listed(name: str) -> list[str]:
        return [i.strip() for i in str(form.get(name, "")).split(",")]

    return after_command(request, to, lambda: core.companion_chat.configure(
        user.user_id, persona_id, {
            "display_name": str(form.get("display_name", "")),
            "traits": [t for t in TRAITS if form.get(f"trait_{t}")],
            "flirt_level": str(form.get("flirt_level", "friendly")),
            "interests": listed("interests"), "tasteful_traits": listed("tasteful_traits"),
            "message_price_tokens": int(str(form.get("message_price_tokens", "0")) or 0)}),
        "Companion personality saved.")
