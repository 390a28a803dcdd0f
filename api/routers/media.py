"""The content library over HTTP: uploads and posts for creators, a persona's feed and signed
media links for everyone (what each may see), takedowns for admins. Each route only translates
HTTP to the library's commands and reads."""

from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, File, Form, Path, Query, Request, UploadFile
from fastapi.responses import RedirectResponse, Response, StreamingResponse
from pydantic import BaseModel, Field

from api.deps import CoreDep, CurrentUser, MaybeUser, require, wait_for_position
from api.downloads import attachment
from api.errors import ApiError
from api.params import INT64_MAX, Position
from application.content.library import Served
from domain.aggregates.media_item import MediaItem

router = APIRouter(tags=["content"])
MULTIPART_OVERHEAD_BYTES = 64 * 1024
STAFF = ("admin",)


class TierChange(BaseModel):
    tier: str = Field(min_length=1, max_length=20)


class PostCreate(BaseModel):
    persona_id: UUID
    caption: str = Field(default="", max_length=2_000)
    item_ids: list[UUID] = Field(min_length=1, max_length=20)


class Takedown(BaseModel):
    reason: str = Field(min_length=1, max_length=500)


def _item_public(item: MediaItem) -> dict[str, Any]:
    return {"item_id": str(item.id), "persona_id": item.persona_id, "kind": item.kind,
            "content_type": item.content_type, "size_bytes": item.size_bytes,
            "sha256": item.sha256, "tier": item.tier, "title": item.title,
            "taken_down": item.taken_down, "status": item.status,
            "failure_reason": item.failure_reason, "duration_s": item.duration_s,
            "renditions": {name: {"sha256": r[0], "content_type": r[1], "width": r[2],
                                  "height": r[3], "size_bytes": r[4]}
                           for name, r in item.renditions.items()}}


@router.post("/api/creator/media", status_code=201)
def upload(request: Request, core: CoreDep, user: CurrentUser,
           file: Annotated[UploadFile, File(description="an image or a short video")],
           persona_id: Annotated[UUID, Form()],
           tier: Annotated[str, Form(max_length=20)] = "public",
           title: Annotated[str, Form(max_length=120)] = "") -> dict[str, Any]:
    """Upload to one of your personas' libraries; the type is read from the bytes."""
    require(user, "creator")
    declared = int(request.headers.get("content-length") or 0)
    if declared > core.library.limits.video_bytes + MULTIPART_OVERHEAD_BYTES:
        raise ApiError(413, "media_too_large", "this upload is larger than any item may be")
    item = core.library.upload(user.user_id, persona_id, file.file, tier, title)
    return {**_item_public(item), "position": core.ledger.last_saved_position()}


@router.get("/api/creator/media")
def my_media(core: CoreDep, user: CurrentUser, persona_id: UUID | None = None,
             min_position: Position | None = None) -> dict[str, Any]:
    require(user, "creator")
    wait_for_position(core, min_position)
    return {"items": core.content_queries.creator_items(
        user.user_id, str(persona_id) if persona_id else None),
        "limits_bytes": {"image": core.library.limits.image_bytes,
                         "video": core.library.limits.video_bytes}}


@router.post("/api/creator/media/{item_id}/tier")
def change_tier(item_id: UUID, body: TierChange, core: CoreDep,
                user: CurrentUser) -> dict[str, Any]:
    require(user, "creator")
    item = core.library.change_tier(user.user_id, item_id, body.tier)
    return {**_item_public(item), "position": core.ledger.last_saved_position()}


@router.post("/api/creator/posts", status_code=201)
def publish_post(body: PostCreate, core: CoreDep, user: CurrentUser) -> dict[str, Any]:
    """A post on the persona's feed showing library items in order."""
    require(user, "creator")
    post = core.library.publish_post(user.user_id, body.persona_id, body.caption, body.item_ids)
    return {"post_id": str(post.id), "persona_id": post.persona_id, "item_ids": post.item_ids,
            "position": core.ledger.last_saved_position()}


@router.get("/api/models/{persona_id}/feed")
def feed(persona_id: UUID, core: CoreDep, user: MaybeUser,
         limit: Annotated[int, Query(ge=1, le=50)] = 20,
         before: Annotated[str | None, Query(max_length=40)] = None,
         min_position: Position | None = None) -> dict[str, Any]:
    """The persona's posts; each item carries a signed link if this viewer may see it, or says
    what would open it (a subscription, or the offers that include it)."""
    wait_for_position(core, min_position)
    posts = core.content_queries.feed(str(persona_id), limit, before)
    shown = core.library.shown(user.user_id if user else None,
                               bool(user and user.has(*STAFF)),
                               [str(i["item_id"]) for post in posts for i in post["items"]])
    return {"posts": [{**post, "items": [shown[str(i["item_id"])] for i in post["items"]
                                         if str(i["item_id"]) in shown]} for post in posts],
            "next_before": posts[-1]["published_at"] if len(posts) == limit else None}


Size = Literal["full", "thumb", "preview", "teaser", "poster"]


@router.get("/api/media/{item_id}/url")
def media_url(item_id: UUID, core: CoreDep, user: MaybeUser,
              size: Size = "full") -> dict[str, Any]:
    """A short-lived link to one size of the item's bytes, for whoever may see it (the blurred
    teaser: for anyone the item is listed to)."""
    url = core.library.signed_url(user.user_id if user else None,
                                  bool(user and user.has(*STAFF)), item_id, size)
    return {"url": url.path, "expires_at": url.expires_at}


@router.get("/media/{item_id}")
def media(item_id: UUID, core: CoreDep,
          expires: Annotated[int, Query(ge=0, le=INT64_MAX)],
          signature: Annotated[str, Query(pattern=r"^[0-9a-f]{64}$")],
          size: Size = "full") -> Response:
    """The bytes behind a signed link (no session needed; expired links are refused), or a
    redirect to the object store's own short-lived link to them."""
    return _served(core.library.open_signed(item_id, expires, signature, size), 60)


def _served(served: Served, max_age_s: int) -> Response:
    if served.redirect:
        return RedirectResponse(served.redirect, status_code=307,
                                headers={"Cache-Control": "no-store"})
    assert served.chunks is not None
    return StreamingResponse(served.chunks, media_type=served.content_type, headers={
        "Cache-Control": f"private, max-age={max_age_s}", "X-Content-Type-Options": "nosniff"})


@router.get("/persona-media/{sha256}")
def persona_media(sha256: Annotated[str, Path(pattern=r"^[0-9a-f]{64}$")], core: CoreDep,
                  expires: Annotated[int, Query(ge=0, le=INT64_MAX)],
                  signature: Annotated[str, Query(pattern=r"^[0-9a-f]{64}$")]
                  ) -> Response:
    """A persona's avatar or cover behind a signed link (sizes are WebP)."""
    return _served(core.persona_images.open_signed(sha256, expires, signature), 300)


@router.get("/api/creator/media/{item_id}/original")
def original(item_id: UUID, core: CoreDep, user: CurrentUser) -> StreamingResponse:
    """Your upload as you sent it, metadata and all: no one else is ever served it."""
    require(user, "creator")
    content_type, chunks = core.library.original(user.user_id, item_id)
    return StreamingResponse(chunks, media_type=content_type, headers={
        "Cache-Control": "private, no-store",
        "Content-Disposition": attachment(f"original-{item_id}")})


@router.post("/api/admin/media/{item_id}/takedown")
def take_down(item_id: UUID, body: Takedown, core: CoreDep, user: CurrentUser) -> dict[str, Any]:
    """Stop serving a reported item; its record stays in the ledger."""
    require(user, "admin")
    item = core.library.take_down(user.user_id, item_id, body.reason)
    return {**_item_public(item), "position": core.ledger.last_saved_position()}


@router.post("/api/admin/posts/{post_id}/takedown")
def take_down_post(post_id: UUID, body: Takedown, core: CoreDep,
                   user: CurrentUser) -> dict[str, Any]:
    require(user, "admin")
    post = core.library.take_down_post(user.user_id, post_id, body.reason)
    return {"post_id": str(post.id), "taken_down": post.taken_down,
            "position": core.ledger.last_saved_position()}
