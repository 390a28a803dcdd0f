"""Token purchases by session and payment intent: finance's view, and the refund lookup index."""

from typing import Any

from eventsourcing.dispatch import singledispatchmethod

from domain.aggregates.token_purchase import TokenPurchase
from projections.base import Projection
from projections.db import Tx


class PurchasesProjection(Projection):
    name = "purchases"
    rebuild_weight = 2
    version = 2
    tables = ("rm_token_purchases",)
    ddl = (
        """CREATE TABLE IF NOT EXISTS rm_token_purchases (
            purchase_id TEXT PRIMARY KEY,
            checkout_session_id TEXT NOT NULL UNIQUE,
            fan_id TEXT NOT NULL,
            pack_sku TEXT NOT NULL,
            tokens BIGINT NOT NULL,
            price_minor BIGINT NOT NULL,
            currency TEXT NOT NULL,
            status TEXT NOT NULL,
            payment_intent_id TEXT,
            refunded_minor BIGINT NOT NULL DEFAULT 0,
            disputed INTEGER NOT NULL DEFAULT 0,
            dispute_id TEXT,
            dispute_status TEXT,
            dispute_fee_minor BIGINT NOT NULL DEFAULT 0,
            reversed_tokens BIGINT NOT NULL DEFAULT 0,
            started_at TEXT NOT NULL,
            updated_at TEXT NOT NULL)""",
        "CREATE INDEX IF NOT EXISTS rm_token_purchases_pi ON rm_token_purchases (payment_intent_id)",
        "CREATE INDEX IF NOT EXISTS rm_token_purchases_fan ON rm_token_purchases (fan_id)",
    )

    @singledispatchmethod
    def process(self, event: Any, tx: Tx, position: int) -> None:
        pass

    @process.register
    def _(self, event: TokenPurchase.Started, tx: Tx, position: int) -> None:
        at = event.at.isoformat()
        tx.execute(
            "INSERT INTO rm_token_purchases (purchase_id, checkout_session_id, fan_id, pack_sku, "
            "tokens, price_minor, currency, status, started_at, updated_at) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s, 'open', %s, %s)",
            (str(event.originator_id), event.checkout_session_id, event.fan_id, event.pack_sku,
             event.tokens, event.price_minor, event.currency, at, at))

    @process.register
    def _(self, event: TokenPurchase.Completed, tx: Tx, position: int) -> None:
        self._set(tx, event, "status = 'completed', payment_intent_id = %s",
                  (event.payment_intent_id,))

    @process.register
    def _(self, event: TokenPurchase.PaymentFailed, tx: Tx, position: int) -> None:
        self._set(tx, event, "status = 'failed'", ())

    @process.register
    def _(self, event: TokenPurchase.Refunded, tx: Tx, position: int) -> None:
        self._set(tx, event, "refunded_minor = %s", (event.refunded_minor_total,))

    @process.register
    def _(self, event: TokenPurchase.Disputed, tx: Tx, position: int) -> None:
        self._set(tx, event, "disputed = 1, dispute_id = %s, "
                  "dispute_status = COALESCE(dispute_status, 'open')", (event.dispute_id,))

    @process.register
    def _(self, event: TokenPurchase.DisputeClosed, tx: Tx, position: int) -> None:
        self._set(tx, event, "disputed = %s, dispute_id = COALESCE(dispute_id, %s), "
                  "dispute_status = %s, dispute_fee_minor = %s",
                  (int(event.outcome == "lost"), event.dispute_id, event.outcome,
                   event.fee_minor))

    @process.register
    def _(self, event: TokenPurchase.ReinstatementApplied, tx: Tx, position: int) -> None:
        self._set(tx, event, "reversed_tokens = reversed_tokens - %s", (event.amount_tokens,))

    @process.register
    def _(self, event: TokenPurchase.ReversalApplied, tx: Tx, position: int) -> None:
        self._set(tx, event, "reversed_tokens = reversed_tokens + %s", (event.amount_tokens,))

    @staticmethod
    def _set(tx: Tx, event: Any, assignments: str, params: tuple[Any, ...]) -> None:
        tx.execute(f"UPDATE rm_token_purchases SET {assignments}, updated_at = %s "
                   "WHERE purchase_id = %s",
                   (*params, event.at.isoformat(), str(event.originator_id)))
