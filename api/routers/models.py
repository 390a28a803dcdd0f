"""Discovery: published personas of approved creators in good standing, by tag, category, text."""

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query

from api.deps import CoreDep, wait_for_position
from api.errors import ApiError
from api.params import Offset, Position

router = APIRouter(tags=["models"])


@router.get("/api/models")
def discover(core: CoreDep, tag: str | None = None, category: str | None = None,
             q: Annotated[str | None, Query(max_length=100)] = None,
             sort: Literal["newest", "name"] = "newest",
             limit: Annotated[int, Query(ge=1, le=100)] = 24,
             offset: Offset = 0, min_position: Position | None = None) -> dict[str, Any]:
    """Published personas, filtered by tag, primary category and words, paginated; each with
    signed links to its avatar and cover (`images`)."""
    wait_for_position(core, min_position)
    found = core.persona_queries.discover(tag=tag, category=category, q=q, sort=sort,
                                          limit=limit, offset=offset)
    return {**found, "models": [with_image_urls(core, m) for m in found["models"]]}


def with_image_urls(core: CoreDep, model: dict[str, Any]) -> dict[str, Any]:
    """A public persona with its images as links (thumb and preview, by role)."""
    return {**model, "images": core.persona_images.urls(model)}


@router.get("/api/models/{persona_id}")
def profile(persona_id: str, core: CoreDep,
            min_position: Position | None = None) -> dict[str, Any]:
    """A published persona's profile, with its subscription and token prices."""
    wait_for_position(core, min_position)
    found = core.persona_queries.public(persona_id)
    if found is None:
        raise ApiError(404, "unknown_persona", f"no published persona {persona_id}")
    return with_image_urls(core, found)


@router.get("/api/tags")
def tags(core: CoreDep) -> dict[str, Any]:
    """The active primary categories and secondary tags."""
    return core.persona_queries.tags()
