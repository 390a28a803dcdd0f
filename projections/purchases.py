"""Token purchases by session and payment intent: finance's view, and the refund lookup index."""

from collections.abc import Iterable
from typing import Any

from domain.aggregates.token_purchase import TokenPurchase
from projections.fold import KEYED, Fold, Row, State, Table, on

PURCHASES = Table("rm_token_purchases", KEYED, ("purchase_id",), (
    "purchase_id", "checkout_session_id", "fan_id", "pack_sku", "tokens", "price_minor",
    "currency", "status", "payment_intent_id", "refunded_minor", "disputed", "dispute_id",
    "dispute_status", "dispute_fee_minor", "reversed_tokens", "started_at", "updated_at"),
    dict.fromkeys(("refunded_minor", "disputed", "dispute_fee_minor", "reversed_tokens"), 0))


class PurchasesProjection(Fold):
    name = "purchases"
    splits = True
    version = 2
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

    schema = (PURCHASES,)

    def touches(self, cls: type, event: Any) -> Iterable[tuple[Table, Any]]:
        if cls is not TokenPurchase.Started:
            yield PURCHASES, str(event.originator_id)

    @on(TokenPurchase.Started)
    def _started(self, event: Any, position: int, s: State) -> None:
        at = event.at.isoformat()
        s[PURCHASES].put(PURCHASES.new(
            purchase_id=str(event.originator_id), checkout_session_id=event.checkout_session_id,
            fan_id=event.fan_id, pack_sku=event.pack_sku, tokens=event.tokens,
            price_minor=event.price_minor, currency=event.currency, status="open",
            started_at=at, updated_at=at))

    @on(TokenPurchase.Completed)
    def _completed(self, event: Any, position: int, s: State) -> None:
        _set(s, event, status="completed", payment_intent_id=event.payment_intent_id)

    @on(TokenPurchase.PaymentFailed)
    def _failed(self, event: Any, position: int, s: State) -> None:
        _set(s, event, status="failed")

    @on(TokenPurchase.Refunded)
    def _refunded(self, event: Any, position: int, s: State) -> None:
        _set(s, event, refunded_minor=event.refunded_minor_total)

    @on(TokenPurchase.Disputed)
    def _disputed(self, event: Any, position: int, s: State) -> None:
        row = _set(s, event, disputed=1, dispute_id=event.dispute_id)
        if row is not None and row["dispute_status"] is None:
            row["dispute_status"] = "open"

    @on(TokenPurchase.DisputeClosed)
    def _dispute_closed(self, event: Any, position: int, s: State) -> None:
        row = _set(s, event, disputed=int(event.outcome == "lost"), dispute_status=event.outcome,
                   dispute_fee_minor=event.fee_minor)
        if row is not None and row["dispute_id"] is None:
            row["dispute_id"] = event.dispute_id

    @on(TokenPurchase.ReinstatementApplied)
    def _reinstated(self, event: Any, position: int, s: State) -> None:
        row = _set(s, event)
        if row is not None:
            row["reversed_tokens"] -= event.amount_tokens

    @on(TokenPurchase.ReversalApplied)
    def _reversed(self, event: Any, position: int, s: State) -> None:
        row = _set(s, event)
        if row is not None:
            row["reversed_tokens"] += event.amount_tokens


def _set(s: State, event: Any, **values: Any) -> Row | None:
    """The purchase's row with these values and the event's moment; None when it has none."""
    row = s[PURCHASES].get(str(event.originator_id))
    if row is not None:
        row.update(values, updated_at=event.at.isoformat())
        s[PURCHASES].put(row)
    return row
