"""The ledger's side of a reconciliation with Stripe: what each payment intent was charged,
refunded and disputed for, and what each transfer sent, from the read models."""

from typing import Any


class LedgerMoney:
    def __init__(self, db: Any) -> None:
        self._db = db

    def payments(self) -> dict[str, dict[str, Any]]:
        """Payment intent -> what the ledger holds of it (a pack or a subscription invoice)."""
        out: dict[str, dict[str, Any]] = {}
        for row in self._db.query(
                "SELECT payment_intent_id, checkout_session_id AS ref, price_minor AS amount, "
                "refunded_minor, disputed, dispute_status, started_at AS at "
                "FROM rm_token_purchases WHERE status = 'completed' "
                "AND payment_intent_id IS NOT NULL"):
            out[row["payment_intent_id"]] = {"kind": "pack", **row}
        for row in self._db.query(
                "SELECT payment_intent_id, stripe_invoice_id AS ref, amount_minor AS amount, "
                "refunded_minor, dispute_status, paid_at AS at FROM rm_subscription_invoices "
                "WHERE payment_intent_id IS NOT NULL"):
            out[row["payment_intent_id"]] = {"kind": "invoice", "disputed": 0, **row}
        return out

    def transfers(self) -> dict[str, dict[str, Any]]:
        """Transfer -> its payout, amount, and what was taken back (the whole, once reversed;
        a reversed payout changes no more, so its last update is when)."""
        rows = self._db.query(
            "SELECT transfer_id, payout_id AS ref, amount_minor AS amount, created_at AS at, "
            "CASE WHEN status = 'reversed' THEN amount_minor ELSE 0 END AS reversed_minor, "
            "CASE WHEN status = 'reversed' THEN updated_at END AS reversed_at "
            "FROM rm_payouts WHERE transfer_id IS NOT NULL")
        return {str(r["transfer_id"]): r for r in rows}
