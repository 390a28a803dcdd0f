"""Finance's and auditors' pages: balances as of a moment, the earnings diff (with a chart), the
payout rebuild and reconciliation, each with its CSV, and the weekly payout run on demand; they
call the JSON API's route functions."""

import csv
import io
from datetime import UTC, datetime
from typing import Any, cast

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from api.deps import CoreDep
from api.downloads import attachment
from api.errors import ApiError
from api.pages.render import flash, page, pounds
from api.pages.session import Form, SignedIn
from api.routers import audit as audit_api
from api.routers import checkpoints as checkpoints_api
from api.routers import payouts as payouts_api
from domain.errors import DomainError

router = APIRouter(include_in_schema=False)


def _moment(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)  # the form's local input


def _csv(name: str, rows: list[dict[str, Any]]) -> Response:
    out = io.StringIO()
    columns = list(rows[0]) if rows else ["empty"]
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return Response(out.getvalue(), media_type="text/csv",
                    headers={"Content-Disposition": attachment(name)})


def _bars(rows: list[dict[str, Any]], key: str, value: str, width: int = 600) -> dict[str, Any]:
    """Horizontal bars, one per row, scaled to the largest absolute value (sign kept)."""
    top = max((abs(int(r[value])) for r in rows), default=0) or 1
    return {"width": width, "rows": [
        {"label": str(r[key]), "value": int(r[value]),
         "w": abs(int(r[value])) * (width / 2 - 10) / top} for r in rows]}


@router.get("/finance")
async def finance(request: Request, core: CoreDep, user: SignedIn, since: str = "",
                  until: str = "", creator_id: str = "", fan_id: str = "", at: str = "",
                  download: str = "") -> Response:
    if not user.has("finance", "auditor", "admin"):
        return page(request, "missing.html", status_code=403, what="finance account")
    context: dict[str, Any] = {"since": since, "until": until, "creator_id": creator_id,
                               "fan_id": fan_id, "at": at, "errors": []}
    try:
        if at and (fan_id or creator_id):
            context["as_of"] = audit_api.as_data(await audit_api.as_of_report(
                _moment(at), core, user, fan_id or None, creator_id or None))
        if since and until:
            start, end = _moment(since), _moment(until)
            diff = audit_api.as_data(await audit_api.earnings_diff_report(
                start, core, user, end, creator_id or None))
            rows = [{"creator_id": c["creator_id"], **c["delta"],
                     "taken_back_tokens": c["delta"]["reversed_tokens"] +
                     c["delta"]["clawback_tokens"]} for c in diff["creators"]]
            rebuild = payouts_api.rebuild(core, user, start, end, creator_id or None)
            books = payouts_api.reconciliation(core, user, start, end)
            if download == "diff":
                return _csv("earnings-diff.csv", rows)
            if download == "rebuild":
                return cast(Response, payouts_api.rebuild(core, user, start, end,
                                                          creator_id or None, "csv"))
            if download == "reconciliation":
                return _csv("reconciliation.csv", [
                    {"side": side, **row} for side in ("missing_in_ledger", "missing_at_stripe",
                                                        "amount_mismatches")
                    for row in books[side]])
            context.update(diff=diff, diff_rows=rows,
                           diff_chart=_bars(rows, "creator_id", "taken_back_tokens") if rows else None,
                           rebuild=rebuild, books=books)
    except (ApiError, DomainError, ValueError) as error:
        context["errors"].append(getattr(error, "message", None) or str(error))
    try:
        context["checkpoint"] = await run_in_threadpool(core.checkpoints.latest)
    except DomainError:
        context["checkpoint"] = None
    return page(request, "finance.html", **context)


@router.get("/finance/audit-export")
async def audit_export(request: Request, core: CoreDep, user: SignedIn, creator_id: str = "",
                       fan_id: str = "", until: str = "") -> Response:
    """A creator's audit archive, for the auditor's own verifier (docs/audit-pack.md)."""
    if not user.has("finance", "auditor", "admin"):
        return page(request, "missing.html", status_code=403, what="finance account")
    try:
        archive = await checkpoints_api.export_archive(
            core, user, creator_id.strip() or None, fan_id.strip() or None,
            _moment(until) if until else None)
    except (ApiError, DomainError, ValueError) as error:
        flash(request, getattr(error, "message", None) or str(error), "bad")
        return RedirectResponse("/finance", status_code=303)
    subject = archive.summary["subject"]
    return Response(archive.data, media_type="application/zip", headers={
        "Content-Disposition": attachment(f"lyra-audit-{subject['kind']}-{subject['id']}.zip")})


@router.post("/finance/payouts/run")
async def run_payouts(request: Request, core: CoreDep, user: SignedIn, form: Form) -> Response:
    """This week's run (or the one named), as `lyra payouts run` does it: safe to repeat, since a
    creator already paid in the run is not paid again. It can take minutes: off the event loop."""
    if not user.has("finance", "admin"):
        return page(request, "missing.html", status_code=403, what="finance account")
    run_key = str(form.get("run_key", "")).strip()
    try:
        body = payouts_api.RunRequest(run_key=run_key or None)
    except ValidationError:
        flash(request, "A run's name is up to 40 letters, digits and _ . : -", "bad")
        return RedirectResponse("/finance", status_code=303)
    try:
        report = await run_in_threadpool(payouts_api.run_payouts, core, user, body)
    except (ApiError, DomainError) as error:
        flash(request, getattr(error, "message", None) or str(error), "bad")
    else:
        flash(request, f"Run {report['run_key']}: {report['paid_creators']} creators paid "
                       f"{pounds(report['amount_minor'])}, {len(report['carried'])} carried, "
                       f"{report['released_holds']} holds released.")
    return RedirectResponse("/finance", status_code=303)
