"""Payouts: finance runs them and sees them all; a creator sees theirs and the next estimate."""

import csv
import io
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response
from pydantic import BaseModel, Field

from api.deps import CoreDep, CurrentUser, require, subject_or_override, wait_for_position
from api.downloads import attachment
from api.params import Position, period
from application.reconciliation import reconcile
from projections.reconciliation import LedgerMoney
from replay.payout_rebuild import payout_rebuild

router = APIRouter(tags=["payouts"])
STATUSES = ("^(created|transfer_submitted|bank_payout_requested|bank_payout_failed|paid|failed|"
            "reversed)$")


class RunRequest(BaseModel):
    run_key: str | None = Field(default=None, min_length=1, max_length=40,
                                pattern=r"^[A-Za-z0-9_.:-]+$",
                                description="names the run; default: this ISO week")


@router.post("/api/finance/payouts/run")
def run_payouts(core: CoreDep, user: CurrentUser, body: RunRequest | None = None
                ) -> dict[str, Any]:
    """Pay every creator who may be paid what is available (or carry it); safe to repeat."""
    require(user, "finance", "admin")
    report = core.payouts.run(body.run_key if body else None)
    return {**report.as_dict(), "position": core.ledger.last_saved_position()}


@router.get("/api/finance/payouts")
def all_payouts(core: CoreDep, user: CurrentUser, creator_id: str | None = None,
                status: Annotated[str | None, Query(pattern=STATUSES)] = None,
                limit: Annotated[int, Query(ge=1, le=500)] = 100,
                min_position: Position | None = None) -> dict[str, Any]:
    require(user, "finance", "admin", "auditor")
    wait_for_position(core, min_position)
    return {"payouts": core.payout_queries.payouts(creator_id, status, limit)}


@router.get("/api/finance/payouts/rebuild", response_model=None)
def rebuild(core: CoreDep, user: CurrentUser,
            since: Annotated[datetime, Query()], until: Annotated[datetime, Query()],
            creator_id: str | None = None, format: Literal["json", "csv"] = "json",
            min_position: Position | None = None) -> dict[str, Any] | Response:
    """Each payout of the period against what it would pay today, with the refunds and
    chargebacks behind each difference and how their recovery stands."""
    require(user, "finance", "admin", "auditor")
    since, until = period(since, until)
    wait_for_position(core, min_position)
    report = payout_rebuild(core.read_db, since.isoformat(), until.isoformat(), creator_id)
    if format == "json":
        return report
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=REBUILD_COLUMNS)
    writer.writeheader()
    for payout in report["payouts"]:
        base = {k: payout[k] for k in ("payout_id", "creator_id", "run_key", "status",
                                       "paid_minor", "would_pay_today_minor",
                                       "difference_minor")}
        for diff in payout["differences"] or [None]:
            writer.writerow({**base, **(_difference_cells(diff) if diff else {})})
    return Response(out.getvalue(), media_type="text/csv", headers={
        "Content-Disposition": attachment("payout-rebuild.csv")})


REBUILD_COLUMNS = ("payout_id", "creator_id", "run_key", "status", "paid_minor",
                   "would_pay_today_minor", "difference_minor", "hold_id", "unit",
                   "clawed_back", "source", "reason", "owed", "being_netted", "recovered")


def _difference_cells(diff: dict[str, Any]) -> dict[str, Any]:
    source = diff["source"]
    return {"hold_id": diff["hold_id"], "unit": diff["unit"], "clawed_back": diff["clawed_back"],
            "source": source.get("spend_id") or source.get("invoice") or source["kind"],
            "reason": source.get("reason") or source.get("dispute_status") or "refund",
            **diff["recovery"]}


@router.get("/api/finance/reconciliation")
def reconciliation(core: CoreDep, user: CurrentUser, since: Annotated[datetime, Query()],
                   until: Annotated[datetime, Query()],
                   min_position: Position | None = None) -> dict[str, Any]:
    """Stripe's balance transactions of the period against the ledger's charges, refunds,
    disputes and transfers: matched, missing on either side, amounts that differ."""
    require(user, "finance", "admin", "auditor")
    since, until = period(since, until)
    wait_for_position(core, min_position)
    return reconcile(core.gateway, LedgerMoney(core.read_db), since, until)


@router.get("/api/creator/payouts")
def my_payouts(core: CoreDep, user: CurrentUser, creator_id: str | None = None,
               min_position: Position | None = None) -> dict[str, Any]:
    """The creator's payouts, the runs that paid nothing and why, and what a run now would pay
    (or why it would carry)."""
    if creator_id is None:
        require(user, "creator")
    subject = subject_or_override(user, creator_id, "finance", "admin", "auditor")
    wait_for_position(core, min_position)
    return {"creator_id": subject, "payouts": core.payout_queries.payouts(subject),
            "carried": core.payout_queries.carries(subject),
            "bank_problem": core.payout_queries.payout_problem(subject),
            "next": core.payouts.estimate(subject)}


class ClearRequest(BaseModel):
    reason: str = Field(min_length=3, max_length=500)


@router.get("/api/finance/payout-problems")
def payout_problems(core: CoreDep, user: CurrentUser,
                    min_position: Position | None = None) -> dict[str, Any]:
    """Creators whose bank kept refusing a payout: the transfer was taken back, and no payout
    goes to them until support clears it."""
    require(user, "finance", "admin")
    wait_for_position(core, min_position)
    return {"creators": core.payout_queries.creators_with_payout_problems()}


@router.post("/api/finance/payout-problems/{creator_id}/clear")
def clear_payout_problem(core: CoreDep, user: CurrentUser, creator_id: str,
                         body: ClearRequest) -> dict[str, Any]:
    """Support has sorted the bank out with the creator: the next run pays them again."""
    require(user, "finance", "admin")
    core.creators.clear_payout_problem(creator_id, user.user_id, body.reason)
    return {"creator_id": creator_id, "cleared": True,
            "position": core.ledger.last_saved_position()}


STATEMENT_COLUMNS = ("date", "kind", "source", "reference", "unit", "amount", "reversed",
                     "clawed_back", "status")


@router.get("/api/creator/statements/{month}", response_model=None)
def statement(core: CoreDep, user: CurrentUser,
              month: Annotated[str, Path(pattern=r"^(19[7-9]\d|2\d{3})-(0[1-9]|1[0-2])$")],
              creator_id: str | None = None, format: Literal["json", "csv"] = "json",
              min_position: Position | None = None) -> dict[str, Any] | Response:
    """A creator's monthly statement: every earning made that month as it stands now (tokens
    and pence apart, with what was reversed or clawed back since) and every payout, as JSON or
    CSV."""
    if creator_id is None:
        require(user, "creator")
    subject = subject_or_override(user, creator_id, "finance", "admin", "auditor")
    wait_for_position(core, min_position)
    start = datetime.strptime(month + "-01", "%Y-%m-%d")
    end = start.replace(year=start.year + start.month // 12, month=start.month % 12 + 1)
    found = core.payout_queries.statement(subject, start.isoformat(), end.isoformat())
    rows = [_earning_row(e) for e in found["earnings"]] + \
        [row for p in found["payouts"] for row in (_payout_row(p), *_recovery_rows(p))] + \
        [_carry_row(c) for c in found["carries"]]
    if format == "json":
        return {"creator_id": subject, "month": month, "rows": rows}
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=STATEMENT_COLUMNS)
    writer.writeheader()
    writer.writerows(rows)
    return Response(out.getvalue(), media_type="text/csv", headers={
        "Content-Disposition": attachment(f"statement-{subject}-{month}.csv")})


def _earning_row(hold: dict[str, Any]) -> dict[str, Any]:
    unit = str(hold["unit"])
    return {"date": hold["earned_at"], "kind": "earning", "source": hold["source_kind"],
            "reference": hold["source_id"], "unit": unit, "amount": hold[f"amount_{unit}"],
            "reversed": hold[f"reversed_{unit}"], "clawed_back": hold[f"clawed_{unit}"],
            "status": hold["status"]}


def _payout_row(payout: dict[str, Any]) -> dict[str, Any]:
    """What the payout recovered of debts, by the unit it came from: pence netted, and the
    pence spent on a token debt."""
    return {"date": payout["created_at"], "kind": "payout", "source": payout["run_key"],
            "reference": payout["payout_id"], "unit": "minor", "amount": payout["amount_minor"],
            "reversed": 0,
            "clawed_back": payout["minor_netted"] + payout["minor_for_tokens_debt"],
            "status": payout["status"]}


RECOVERIES = (  # (what was owed, what paid it, the payout's figure, its unit)
    ("token_debt", "from_tokens", lambda p: p["tokens_netted"] - p["tokens_netted_with_minor"],
     "tokens"),
    ("token_debt", "from_pence", lambda p: p["minor_for_tokens_debt"], "minor"),
    ("pence_debt", "from_pence", lambda p: p["minor_netted"] - p["minor_netted_with_tokens"],
     "minor"),
    ("pence_debt", "from_tokens", lambda p: p["minor_netted_with_tokens"], "minor"),
)


def _recovery_rows(payout: dict[str, Any]) -> list[dict[str, Any]]:
    """Each debt the payout recovered, by the unit it arose in and the unit that paid it (a
    token debt paid with pence is the pence spent: whole 5-token steps, change given back)."""
    return [{"date": payout["created_at"], "kind": "recovery", "source": f"{owed}_{paid_by}",
             "reference": payout["payout_id"], "unit": unit, "amount": figure(payout),
             "reversed": 0, "clawed_back": figure(payout), "status": payout["status"]}
            for owed, paid_by, figure, unit in RECOVERIES if figure(payout)]


def _carry_row(carry: dict[str, Any]) -> dict[str, Any]:
    return {"date": carry["at"], "kind": "carried", "source": carry["run_key"],
            "reference": carry["reason"], "unit": "minor", "amount": 0, "reversed": 0,
            "clawed_back": 0, "status": carry["reason"]}
