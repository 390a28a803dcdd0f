"""The admin's pages beyond the queue counts: persona review with likeness findings, reports,
a creator's standing (strikes, appeals, suspension), the audit log with filters, and the tag
vocabulary and blocked terms. Each calls the same route functions as the JSON API."""

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.deps import CoreDep
from api.errors import ApiError
from api.pages.render import after_command, page
from api.pages.session import Form, SignedIn
from api.params import Position
from api.routers import audit as audit_api

router = APIRouter(include_in_schema=False)


def _admin(user: Any) -> bool:
    return bool(user.has("admin"))


@router.get("/admin/personas")
def persona_queue(request: Request, core: CoreDep, user: SignedIn) -> Response:
    if not _admin(user):
        return page(request, "missing.html", status_code=403, what="admin account")
    return page(request, "admin_personas.html", queue=core.persona_queries.review_queue(50, 0))


@router.post("/admin/personas/{persona_id}")
def review_persona(request: Request, persona_id: UUID, core: CoreDep, user: SignedIn,
                   form: Form) -> Response:
    approve = form.get("decision") == "approve"
    said = {"done": "Approved." if approve else "Rejected."}

    def decide() -> None:
        persona = core.personas.review(user.user_id, persona_id, approve=approve,
                                       reason=str(form.get("reason", "")),
                                       acknowledged=form.get("acknowledge") == "yes")
        if approve and persona.review == "submitted":  # the first of two approvals
            said["done"] = "First approval recorded: another admin must approve it too."
    return after_command(request, "/admin/personas", decide, lambda: said["done"])


@router.get("/admin/reports")
def reports(request: Request, core: CoreDep, user: SignedIn, status: str = "open") -> Response:
    if not _admin(user):
        return page(request, "missing.html", status_code=403, what="admin account")
    return page(request, "admin_reports.html", status=status,
                reports=core.admin_queries.reports(status or None, 100, 0),
                chat_flags=core.admin_queries.chat_flags(50, 0))


@router.post("/admin/reports/{report_id}")
def resolve(request: Request, report_id: UUID, core: CoreDep, user: SignedIn,
            form: Form) -> Response:
    return after_command(request, "/admin/reports", lambda: core.moderation.resolve_report(
        user.user_id, report_id, str(form.get("resolution", "")), str(form.get("note", ""))),
        "Resolved.")


@router.get("/admin/creators/{creator_id}")
def creator(request: Request, creator_id: str, core: CoreDep, user: SignedIn) -> Response:
    if not _admin(user):
        return page(request, "missing.html", status_code=403, what="admin account")
    core.projections.wait_for(core.ledger.max_position(), timeout_s=5)  # one's own actions
    row = core.admin_queries.creator(creator_id)
    if row is None:
        return page(request, "missing.html", status_code=404, what="creator")
    return page(request, "admin_creator.html", creator=row,
                standing=core.moderation.standing(creator_id),
                media=core.content_queries.creator_items(creator_id),
                posts=core.content_queries.creator_posts(creator_id))


@router.post("/admin/media/{item_id}/takedown")
def take_down_item(request: Request, item_id: UUID, core: CoreDep, user: SignedIn,
                   form: Form) -> Response:
    """Stop serving one of a creator's items (its record stays in the ledger)."""
    return _take_down(request, user, form,
                      lambda reason: core.library.take_down(user.user_id, item_id, reason))


@router.post("/admin/posts/{post_id}/takedown")
def take_down_post(request: Request, post_id: UUID, core: CoreDep, user: SignedIn,
                   form: Form) -> Response:
    return _take_down(request, user, form,
                      lambda reason: core.library.take_down_post(user.user_id, post_id, reason))


def _take_down(request: Request, user: Any, form: Any, run: Callable[[str], object]) -> Response:
    """Back to the creator's page the form came from, saying it was done or why not."""
    if not _admin(user):
        return page(request, "missing.html", status_code=403, what="admin account")
    reason = str(form.get("reason", "")).strip()
    creator_id = str(form.get("creator_id", ""))
    back = f"/admin/creators/{quote(creator_id, safe='')}" if creator_id else "/admin"
    return after_command(request, back, lambda: run(reason), "Taken down.")


@router.post("/admin/creators/{creator_id}/{action}")
def creator_action(request: Request, creator_id: str, action: str, core: CoreDep,
                   user: SignedIn, form: Form) -> Response:
    reason = str(form.get("reason", "")).strip()
    actions = {
        "strike": lambda: core.moderation.issue(user.user_id, creator_id,
                                                str(form.get("severity", "warning")), reason,
                                                str(form.get("evidence_ref") or "") or None),
        "revoke": lambda: core.moderation.revoke(user.user_id, creator_id,
                                                 str(form.get("strike_id", "")),
                                                 reason or "appeal upheld"),
        "suspend": lambda: core.moderation.suspend(user.user_id, creator_id, reason),
        "reinstate": lambda: core.moderation.reinstate(user.user_id, creator_id),
    }
    if action not in actions:
        return page(request, "missing.html", status_code=404, what="action")
    return after_command(request, f"/admin/creators/{creator_id}", actions[action], "Done.")


@router.get("/admin/audit")
def audit_log(request: Request, core: CoreDep, user: SignedIn, creator_id: str = "",
              actor: str = "", kind: str = "", since: str = "", until: str = "",
              before: Position | None = None) -> Response:
    """The audit log, newest first, 100 entries a page (the date pickers' moments are UTC)."""
    filters = {"creator_id": creator_id, "actor": actor, "kind": kind, "since": since,
               "until": until}
    try:
        found = audit_api.audit_log(
            core, user, creator_id=creator_id or None, actor=actor or None, kind=kind or None,
            since=_utc(since), until=_utc(until), before_position=before, limit=100)
        entries, error, older = found["entries"], None, found["next_before_position"]
    except (ApiError, ValueError) as problem:
        entries, error, older = [], getattr(problem, "message", None) or str(problem), None
    return page(request, "admin_audit.html", entries=entries, filters=filters, error=error,
                older=older, paged=before is not None)


def _utc(text: str) -> datetime | None:
    """A date picker's moment (no zone: UTC), or one typed with its zone."""
    if not text:
        return None
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@router.get("/admin/vocabulary")
def vocabulary(request: Request, core: CoreDep, user: SignedIn) -> Response:
    if not _admin(user):
        return page(request, "missing.html", status_code=403, what="admin account")
    return page(request, "admin_vocabulary.html", tags=core.persona_queries.tags(),
                terms=sorted(core.personas.blocked_terms().terms.items()))


@router.post("/admin/vocabulary/{action}")
def change_vocabulary(request: Request, action: str, core: CoreDep, user: SignedIn,
                      form: Form) -> Response:
    actions = {
        "add_tag": lambda: core.personas.add_tag(user.user_id, str(form.get("slug", "")),
                                                 str(form.get("label", "")),
                                                 str(form.get("kind", "secondary"))),
        "retire_tag": lambda: core.personas.retire_tag(user.user_id, str(form.get("slug", ""))),
        "add_term": lambda: core.personas.add_blocked_term(user.user_id,
                                                           str(form.get("term", "")),
                                                           str(form.get("category", ""))),
        "remove_term": lambda: core.personas.remove_blocked_term(user.user_id,
                                                                 str(form.get("term", ""))),
    }
    if action not in actions or not _admin(user):
        return page(request, "missing.html", status_code=404, what="action")
    return after_command(request, "/admin/vocabulary", actions[action], "Saved.")
