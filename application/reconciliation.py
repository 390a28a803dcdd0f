"""Finance's reconciliation: Stripe's balance transactions for a period against the ledger.

Every charge, refund, dispute adjustment, transfer and transfer reversal Stripe booked in the
period is matched to what the ledger holds for its payment intent (packs and subscription
invoices) or transfer (payouts; a reversal is a payout taken back). Reported: what matches,
what Stripe booked that the ledger does not know (missing in the ledger), what the ledger
recorded in the period that Stripe did not book (missing at Stripe), and amounts that differ.
Refunds, dispute adjustments and reversals are compared per payment intent or transfer, as
totals within the period: a refund booked before the period shows here as a difference.
"""

from collections import defaultdict
from datetime import datetime
from typing import Any

from application.ports import PaymentGateway
from projections.reconciliation import LedgerMoney


def reconcile(gateway: PaymentGateway, ledger: LedgerMoney, since: datetime,
              until: datetime) -> dict[str, Any]:
    payments, transfers = ledger.payments(), ledger.transfers()
    matched: list[dict[str, Any]] = []
    missing_in_ledger: list[dict[str, Any]] = []
    mismatched: list[dict[str, Any]] = []
    seen_charges: set[str] = set()
    seen_transfers: set[str] = set()
    refunds: dict[str, int] = defaultdict(int)
    adjustments: dict[str, int] = defaultdict(int)
    reversals: dict[str, int] = defaultdict(int)  # transfer -> what Stripe took back
    for txn in gateway.balance_transactions(int(since.timestamp()), int(until.timestamp())):
        source = txn.get("source") or {}
        kind, amount = txn.get("type"), int(txn.get("amount") or 0)
        key = source.get("payment_intent") if isinstance(source, dict) else None
        if kind == "charge":
            found = payments.get(key or "")
            if found is None:
                missing_in_ledger.append(_row(txn, key))
            elif int(found["amount"]) != amount:
                mismatched.append({**_row(txn, key), "ledger_minor": int(found["amount"])})
            else:
                matched.append(_row(txn, key))
            seen_charges.add(key or "")
        elif kind in ("refund", "payment_refund"):
            refunds[key or ""] -= amount
        elif kind == "adjustment" and isinstance(source, dict) and \
                source.get("object") == "dispute":
            adjustments[key or ""] -= amount
        elif kind == "transfer":
            transfer_id = str(source.get("id") if isinstance(source, dict) else source)
            found = transfers.get(transfer_id)
            if found is None:
                missing_in_ledger.append(_row(txn, transfer_id))
            elif -int(found["amount"]) != amount:
                mismatched.append({**_row(txn, transfer_id), "ledger_minor": -int(found["amount"])})
            else:
                matched.append(_row(txn, transfer_id))
            seen_transfers.add(transfer_id)
        elif kind == "transfer_refund":  # a transfer reversal, its source the reversal
            transfer_id = str(source.get("transfer") if isinstance(source, dict) else source)
            reversals[transfer_id] += amount
    for key, stripe_minor in reversals.items():
        _compare(transfers.get(key), "reversed_minor", key, "transfer_reversal", stripe_minor,
                 matched, missing_in_ledger, mismatched)
    for key, stripe_minor in refunds.items():
        _compare(payments.get(key), "refunded_minor", key, "refund", stripe_minor, matched,
                 missing_in_ledger, mismatched)
    for key, stripe_minor in adjustments.items():
        payment = payments.get(key)
        expected = None if payment is None else (
            int(payment["amount"]) if payment.get("dispute_status") in ("open", "lost")
            or payment.get("disputed") else 0)
        _compare(None if payment is None else {"disputed_minor": expected}, "disputed_minor",
                 key, "dispute", stripe_minor, matched, missing_in_ledger, mismatched)
    window = (since.isoformat(), until.isoformat())
    missing_at_stripe = [
        {"kind": p["kind"], "key": key, "ref": p["ref"], "amount_minor": int(p["amount"])}
        for key, p in payments.items()
        if key not in seen_charges and window[0] <= str(p["at"]) < window[1]] + [
        {"kind": "transfer", "key": key, "ref": t["ref"], "amount_minor": int(t["amount"])}
        for key, t in transfers.items()
        if key not in seen_transfers and window[0] <= str(t["at"]) < window[1]] + [
        {"kind": "transfer_reversal", "key": key, "ref": t["ref"],
         "amount_minor": int(t["reversed_minor"])}
        for key, t in transfers.items()
        if t["reversed_at"] and key not in reversals
        and window[0] <= str(t["reversed_at"]) < window[1]]
    return {"since": window[0], "until": window[1], "matched": len(matched),
            "missing_in_ledger": missing_in_ledger, "missing_at_stripe": missing_at_stripe,
            "amount_mismatches": mismatched,
            "reconciled": not (missing_in_ledger or missing_at_stripe or mismatched)}


def _row(txn: dict[str, Any], key: str | None) -> dict[str, Any]:
    return {"stripe_id": txn.get("id"), "type": txn.get("type"), "key": key,
            "amount_minor": int(txn.get("amount") or 0)}


def _compare(found: dict[str, Any] | None, field: str, key: str, kind: str, stripe_minor: int,
             matched: list[dict[str, Any]], missing: list[dict[str, Any]],
             mismatched: list[dict[str, Any]]) -> None:
    row = {"stripe_id": None, "type": kind, "key": key, "amount_minor": stripe_minor}
    if found is None:
        missing.append(row)
    elif int(found[field] or 0) != stripe_minor:
        mismatched.append({**row, "ledger_minor": int(found[field] or 0)})
    else:
        matched.append(row)
