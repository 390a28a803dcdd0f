"""Admin: the persona review queue with safety findings, the tag vocabulary, blocked terms."""

from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from api.deps import CoreDep, CurrentUser, require, wait_for_position
from api.params import Offset, Position

router = APIRouter(tags=["admin"], prefix="/api/admin")


class Decision(BaseModel):
    reason: str = Field(default="", max_length=1_000)


class Approval(Decision):
    acknowledge_findings: bool = Field(
        default=False, description="The admin weighed the findings the safety checks sent to "
        "review (required when there are any; recorded in the ledger).")


class TagCreate(BaseModel):
    slug: str = Field(max_length=40)
    label: str = Field(max_length=40)
    kind: Literal["primary", "secondary"]


class TermCreate(BaseModel):
    term: str = Field(max_length=60)
    category: Literal["youth", "incest", "violence"]


@router.get("/models")
def review_queue(core: CoreDep, user: CurrentUser, limit: Annotated[int, Query(ge=1, le=200)] = 50,
                 offset: Offset = 0,
                 min_position: Position | None = None) -> dict[str, Any]:
    """Personas waiting for review, oldest first, with likeness matches attached and links to
    the avatar and cover under review (`draft_images`)."""
    require(user, "admin")
    wait_for_position(core, min_position)
    return {"models": [{**p, "draft_images": core.persona_images.urls(p["draft"])}
                       for p in core.persona_queries.review_queue(limit, offset)]}


@router.post("/models/{persona_id}/approve")
def approve(persona_id: UUID, body: Approval, core: CoreDep, user: CurrentUser) -> dict[str, Any]:
    """Approve the submitted version: it becomes the live one. With findings for review it needs
    `acknowledge_findings` (409 `acknowledgement_required`); when the model found a minor or
    non-consent, this is the first of two approvals and another admin gives the second (409
    `second_reviewer_required` for the same admin)."""
    require(user, "admin")
    persona = core.personas.review(user.user_id, persona_id, approve=True, reason=body.reason,
                                   acknowledged=body.acknowledge_findings)
    return {"id": str(persona.id), "review": persona.review,
            "awaiting_second_reviewer": persona.review == "submitted"
            and persona.first_approver is not None}


@router.post("/models/{persona_id}/reject")
def reject(persona_id: UUID, body: Decision, core: CoreDep, user: CurrentUser) -> dict[str, Any]:
    """Reject the submitted version with a reason; any live version stays."""
    require(user, "admin")
    persona = core.personas.review(user.user_id, persona_id, approve=False, reason=body.reason)
    return {"id": str(persona.id), "review": persona.review}


@router.post("/tags", status_code=201)
def add_tag(body: TagCreate, core: CoreDep, user: CurrentUser) -> dict[str, str]:
    """Add (or relabel) a primary category or secondary tag."""
    require(user, "admin")
    core.personas.add_tag(user.user_id, body.slug, body.label, body.kind)
    return {"slug": body.slug, "status": "active"}


@router.delete("/tags/{slug}")
def retire_tag(slug: str, core: CoreDep, user: CurrentUser) -> dict[str, str]:
    """Retire a tag: no new persona may use it; live personas keep it until edited."""
    require(user, "admin")
    core.personas.retire_tag(user.user_id, slug)
    return {"slug": slug, "status": "retired"}


@router.get("/blocked-terms")
def blocked_terms(core: CoreDep, user: CurrentUser) -> dict[str, Any]:
    """The live blocked-term list."""
    require(user, "admin")
    terms = core.personas.blocked_terms().terms
    return {"terms": [{"term": t, "category": c} for t, c in sorted(terms.items())]}


@router.post("/blocked-terms", status_code=201)
def add_blocked_term(body: TermCreate, core: CoreDep, user: CurrentUser) -> dict[str, str]:
    """Block a term from the next write on."""
    require(user, "admin")
    core.personas.add_blocked_term(user.user_id, body.term, body.category)
    return {"term": body.term, "category": body.category}


@router.delete("/blocked-terms/{term}")
def remove_blocked_term(term: str, core: CoreDep, user: CurrentUser) -> dict[str, str]:
    """Unblock a term."""
    require(user, "admin")
    core.personas.remove_blocked_term(user.user_id, term)
    return {"term": term, "status": "removed"}
