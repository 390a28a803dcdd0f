"""Finance's payout rebuild: each payout of a period against what it would pay today, with every
refund and chargeback known now.

For each payout, each hold it took from: what it took, and how much of the hold has been taken
back since (reversals of money still unpaid do not touch a payout; clawbacks of paid money do).
A hold's clawbacks are attributed to its payouts newest first, never more than a payout took.
Converted with the payout's own rule, that gives what the payout would pay today and the
difference; each difference names its source (the spend, with its reversal reason; or the
invoice, with its refunds and dispute) and where its recovery stands: owed (to be netted from
the next payouts), being netted by an open payout, or already recovered.

Reads the read models only (payouts, earnings, spends, subscription invoices): its cost grows
with the payouts in the period and the holds they took from.
"""

import json
from typing import Any

from domain.money import tokens_to_minor
from projections.db import ReadModelDb

_HOLD = ("SELECT h.hold_id, h.source_kind, h.source_id, h.unit, h.clawback_tokens, "
         "h.clawback_minor, h.clawback_in_payout_tokens, h.clawback_in_payout_minor, "
         "h.clawback_recovered_tokens, h.clawback_recovered_minor, s.spend_id, s.fan_id, "
         "s.reversal_reason, i.stripe_invoice_id, i.refunded_minor, i.dispute_status "
         "FROM rm_earnings_holds h LEFT JOIN rm_spends s ON s.hold_id = h.hold_id "
         "LEFT JOIN rm_subscription_invoices i ON i.invoice_id = h.source_id "
         "WHERE h.hold_id = %s")


def payout_rebuild(db: ReadModelDb, since: str, until: str,
                   creator_id: str | None = None) -> dict[str, Any]:
    where, params = "created_at >= %s AND created_at < %s", [since, until]
    if creator_id:
        where += " AND creator_id = %s"
        params.append(creator_id)
    payouts = db.query("SELECT payout_id, creator_id, run_key, status, amount_minor, lines, "
                       "created_at, tokens_netted_with_minor, minor_for_tokens_debt, "
                       "tokens_change, minor_netted_with_tokens FROM rm_payouts WHERE " + where +
                       " ORDER BY created_at", tuple(params))
    # Clawbacks are attributed to a hold's payouts newest first: gather every payout's take of
    # each hold (also those outside the period, which may stand in front of it).
    taken_by_hold: dict[str, list[tuple[str, str, int]]] = {}
    for row in db.query("SELECT payout_id, created_at, lines FROM rm_payouts "
                        "WHERE status NOT IN ('failed', 'reversed')"):
        for hold_id, _, amount, *_ in json.loads(row["lines"]):
            if amount:
                taken_by_hold.setdefault(hold_id, []).append(
                    (row["created_at"], row["payout_id"], int(amount)))
    attributed = _attribute(db, taken_by_hold)
    report = []
    for payout in payouts:
        report.append(_rebuild_one(db, payout, attributed))
    difference = sum(p["difference_minor"] for p in report)
    return {"since": since, "until": until, "creator_id": creator_id, "payouts": report,
            "difference_minor": difference}


def _attribute(db: ReadModelDb,
               taken_by_hold: dict[str, list[tuple[str, str, int]]]) -> dict[tuple[str, str], int]:
    """(payout, hold) -> how much of what that payout took has been clawed back since."""
    clawed_by_hold: dict[str, int] = {}
    hold_ids = list(taken_by_hold)
    for start in range(0, len(hold_ids), 500):  # one query per 500 holds, not one per hold
        chunk = hold_ids[start:start + 500]
        marks = ", ".join(["%s"] * len(chunk))
        for row in db.query(
                "SELECT hold_id, CASE WHEN unit = 'tokens' THEN clawback_tokens + "
                "clawback_in_payout_tokens + clawback_recovered_tokens ELSE clawback_minor + "
                "clawback_in_payout_minor + clawback_recovered_minor END AS clawed "
                f"FROM rm_earnings_holds WHERE hold_id IN ({marks})", tuple(chunk)):
            clawed_by_hold[str(row["hold_id"])] = int(row["clawed"] or 0)
    out: dict[tuple[str, str], int] = {}
    for hold_id, takes in taken_by_hold.items():
        clawed = clawed_by_hold.get(hold_id, 0)
        for _, payout_id, amount in sorted(takes, reverse=True):
            share = min(clawed, amount)
            out[(payout_id, hold_id)] = share
            clawed -= share
    return out


def _rebuild_one(db: ReadModelDb, payout: dict[str, Any],
                 attributed: dict[tuple[str, str], int]) -> dict[str, Any]:
    tokens_now = minor_now = tokens_then = minor_then = netted_tokens = netted_minor = 0
    differences = []
    for hold_id, unit, amount, netted, *_ in json.loads(payout["lines"]):
        clawed = attributed.get((payout["payout_id"], hold_id), 0)
        if unit == "tokens":
            tokens_then, tokens_now = tokens_then + amount, tokens_now + amount - clawed
            netted_tokens += netted
        else:
            minor_then, minor_now = minor_then + amount, minor_now + amount - clawed
            netted_minor += netted
        if clawed:
            differences.append(_difference(db, hold_id, unit, clawed))
    # A token debt netted with pence is paid in pence: it comes off the pence, not the tokens.
    with_minor = int(payout["tokens_netted_with_minor"] or 0)
    minor_for_tokens = int(payout["minor_for_tokens_debt"] or 0)
    against_tokens = netted_tokens - with_minor
    would_pay = _pay(tokens_now, against_tokens, minor_now, netted_minor + minor_for_tokens)
    recomputed_then = _pay(tokens_then, against_tokens, minor_then,
                           netted_minor + minor_for_tokens)
    with_tokens = int(payout["minor_netted_with_tokens"] or 0)
    return {"payout_id": payout["payout_id"], "creator_id": payout["creator_id"],
            "run_key": payout["run_key"], "status": payout["status"],
            "created_at": payout["created_at"], "paid_minor": payout["amount_minor"],
            "would_pay_today_minor": would_pay,
            "difference_minor": recomputed_then - would_pay, "differences": differences,
            # Each debt it recovered, by the unit it arose in and the unit that paid it.
            "recoveries": {"token_debt_from_tokens": against_tokens,
                           "token_debt_from_pence_tokens": with_minor,
                           "token_debt_from_pence_minor": minor_for_tokens,
                           "token_change": int(payout["tokens_change"] or 0),
                           "pence_debt_from_pence": netted_minor - with_tokens,
                           "pence_debt_from_tokens_minor": with_tokens}}


def _pay(tokens: int, netted_tokens: int, minor: int, netted_minor: int) -> int:
    return tokens_to_minor(max(0, tokens - netted_tokens)).amount_minor + minor - netted_minor


def _difference(db: ReadModelDb, hold_id: str, unit: str, clawed: int) -> dict[str, Any]:
    row = db.query(_HOLD, (hold_id,))[0]
    source: dict[str, Any] = {"kind": row["source_kind"]}
    if row["spend_id"]:
        source.update(spend_id=row["spend_id"], fan_id=row["fan_id"],
                      reason=row["reversal_reason"])
    if row["stripe_invoice_id"]:
        source.update(invoice=row["stripe_invoice_id"], refunded_minor=row["refunded_minor"],
                      dispute_status=row["dispute_status"])
    return {"hold_id": hold_id, "unit": unit, "clawed_back": clawed, "source": source,
            "recovery": {"owed": row[f"clawback_{unit}"],
                         "being_netted": row[f"clawback_in_payout_{unit}"],
                         "recovered": row[f"clawback_recovered_{unit}"]}}
