"""A creator's content pages: the library (upload, tiers), posts, pay-per-view offers, and the
companion personality. Each form is the same command as the JSON API's."""

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import UploadFile

from api.deps import CoreDep
from api.pages.render import flash, page
from api.pages.session import Form, SignedIn
from domain.aggregates.companion_personality import FLIRT_LEVELS, TRAITS
from domain.errors import DomainError

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
    file = form.get("file")
    try:
        if not isinstance(file, UploadFile) or not file.filename:
            raise ValueError("choose a file to upload")
        core.library.upload(user.user_id, persona_id, file.file, str(form.get("tier", "public")),
                            str(form.get("title", "")))
        flash(request, "Uploaded.")
    except (DomainError, ValueError) as error:
        flash(request, str(error), "bad")
    return RedirectResponse(f"/creator/library?persona_id={persona_id}", status_code=303)


@router.post("/creator/library/{persona_id}/post")
def post(request: Request, persona_id: UUID, core: CoreDep, user: SignedIn,
         form: Form) -> Response:
    try:
        core.library.publish_post(user.user_id, persona_id, str(form.get("caption", "")),
                                  _ids(form, "item_"))
        flash(request, "Posted.")
    except (DomainError, ValueError) as error:
        flash(request, str(error), "bad")
    return RedirectResponse(f"/creator/library?persona_id={persona_id}", status_code=303)


@router.post("/creator/library/{persona_id}/offer")
def offer(request: Request, persona_id: UUID, core: CoreDep, user: SignedIn,
          form: Form) -> Response:
    try:
        price = int(str(form.get("price_tokens", "")))
        core.ppv.create_offer(user.user_id, persona_id, str(form.get("title", "")), price,
                              _ids(form, "offer_item_"))
        flash(request, "Offer on sale.")
    except (DomainError, ValueError) as error:
        flash(request, str(error), "bad")
    return RedirectResponse(f"/creator/library?persona_id={persona_id}", status_code=303)


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
    try:
        if form.get("reset") == "1":
            core.companion_chat.reset(user.user_id, persona_id)
            flash(request, "Back to the persona's own traits.")
        else:
            core.companion_chat.configure(user.user_id, persona_id, {
                "display_name": str(form.get("display_name", "")),
                "traits": [t for t in TRAITS if form.get(f"trait_{t}")],
                "flirt_level": str(form.get("flirt_level", "friendly")),
                "interests": [i.strip() for i in str(form.get("interests", "")).split(",")],
                "tasteful_traits": [i.strip() for i in
                                    str(form.get("tasteful_traits", "")).split(",")],
                "message_price_tokens": int(str(form.get("message_price_tokens", "0")) or 0)})
            flash(request, "Companion personality saved.")
    except (DomainError, ValueError) as error:
        flash(request, str(error), "bad")
    return RedirectResponse(f"/creator/companion?persona_id={persona_id}", status_code=303)
