"""Staff pages: the admin's queues and creator review, frozen wallets, and the auditor's and
finance's ledger checks (the trial balance and the hash chain), each from the same services as
the JSON API."""

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from adapters.limits.stores import TALLY_HOURS
from api.deps import CoreDep
from api.pages.render import after_command, flash, page
from api.pages.session import Form, SignedIn
from api.routers.rate_limits import configured, most_refused
from domain.errors import DomainError
from replay.trial_balance import trial_balance_now
from replay.verify import verify_ledger

router = APIRouter(include_in_schema=False)


@router.get("/admin")
def admin(request: Request, core: CoreDep, user: SignedIn) -> Response:
    if not user.has("admin"):
        return page(request, "missing.html", status_code=403, what="admin account")
    return page(request, "admin.html", stats=core.admin_queries.stats(),
                queue=core.admin_queries.creators("submitted", 50, 0))


@router.post("/admin/creators/{creator_id}/review")
def review(request: Request, creator_id: str, core: CoreDep, user: SignedIn,
           form: Form) -> Response:
    if not user.has("admin"):
        return page(request, "missing.html", status_code=403, what="admin account")
    reason = str(form.get("reason", "")).strip()
    try:
        if form.get("decision") == "approve":
            core.moderation.approve(user.user_id, creator_id, reason or "approved")
        else:
            core.moderation.reject(user.user_id, creator_id, reason)
        flash(request, f"{creator_id}: {form.get('decision')}d.")
    except DomainError as error:
        flash(request, str(error), "bad")
    return RedirectResponse("/admin", status_code=303)


@router.get("/admin/wallets")
def frozen_wallets(request: Request, core: CoreDep, user: SignedIn) -> Response:
    if not user.has("admin", "finance"):
        return page(request, "missing.html", status_code=403, what="admin or finance account")
    core.projections.wait_for(core.ledger.max_position(), timeout_s=5)  # one's own clearing
    return page(request, "admin_wallets.html", wallets=core.admin_queries.frozen_wallets(200, 0))


@router.post("/admin/wallets/{fan_id}/unfreeze")
def unfreeze(request: Request, fan_id: str, core: CoreDep, user: SignedIn,
             form: Form) -> Response:
    if not user.has("admin", "finance"):
        return page(request, "missing.html", status_code=403, what="admin or finance account")
    reason = str(form.get("reason", ""))
    return after_command(request, "/admin/wallets", lambda: core.wallets.unfreeze(
        fan_id, actor=user.user_id, reason=reason), f"{fan_id}: the dispute's freeze is cleared.")


@router.get("/audit")
def audit(request: Request, core: CoreDep, user: SignedIn) -> Response:
    if not user.has("admin", "finance", "auditor"):
        return page(request, "missing.html", status_code=403, what="staff account")
    return page(request, "audit.html", balance=trial_balance_now(core.projections).as_dict())


@router.post("/audit/verify")
async def verify(request: Request, core: CoreDep, user: SignedIn, form: Form) -> Response:
    """The hash chain walked on request (htmx swaps the report into the page)."""
    if not user.has("admin", "auditor"):
        return page(request, "missing.html", status_code=403, what="auditor account")
    report = await run_in_threadpool(verify_ledger, core.ledger)
    return page(request, "verify_result.html", report=report.as_dict())


@router.get("/admin/limits")
async def limits_hit(request: Request, core: CoreDep, user: SignedIn) -> Response:
    """Who hit the rate limits most over the last day, and the limits in force."""
    if not user.has("admin"):
        return page(request, "missing.html", status_code=403, what="admin account")
    return page(request, "admin_limits.html", refused=await most_refused(request, 100),
                limits=configured(core), hours=TALLY_HOURS)
