"""Subscriptions as fans and creators see them, and every paid invoice with what refunds and
disputes took back: the fan's "my subscriptions", the creator's subscriber list, finance's
invoices, and the refund lookup index (payment intent to invoice)."""

from typing import Any

from eventsourcing.dispatch import singledispatchmethod

from domain.aggregates.subscription import Subscription
from domain.aggregates.subscription_invoice import SubscriptionInvoice
from projections.base import Projection
from projections.db import Tx


class SubscriptionsProjection(Projection):
    name = "subscriptions"
    tables = ("rm_subscriptions", "rm_subscription_invoices")
    ddl = (
        """CREATE TABLE IF NOT EXISTS rm_subscriptions (
            subscription_id TEXT PRIMARY KEY,
            fan_id TEXT NOT NULL,
            persona_id TEXT NOT NULL,
            creator_id TEXT NOT NULL,
            status TEXT NOT NULL,
            term INTEGER NOT NULL,
            price_minor BIGINT NOT NULL,
            currency TEXT NOT NULL,
            included_messages INTEGER NOT NULL,
            stripe_subscription_id TEXT,
            started_at TEXT,
            period_start TEXT,
            paid_through TEXT,
            past_due_since TEXT,
            cancel_at TEXT,
            ended_at TEXT,
            requested_at TEXT NOT NULL,
            updated_at TEXT NOT NULL)""",
        "CREATE INDEX IF NOT EXISTS rm_subscriptions_fan ON rm_subscriptions (fan_id)",
        "CREATE INDEX IF NOT EXISTS rm_subscriptions_creator ON rm_subscriptions (creator_id)",
        """CREATE TABLE IF NOT EXISTS rm_subscription_invoices (
            invoice_id TEXT PRIMARY KEY,
            stripe_invoice_id TEXT NOT NULL UNIQUE,
            subscription_id TEXT NOT NULL,
            fan_id TEXT NOT NULL,
            persona_id TEXT NOT NULL,
            creator_id TEXT NOT NULL,
            amount_minor BIGINT NOT NULL,
            creator_minor BIGINT NOT NULL,
            platform_minor BIGINT NOT NULL,
            refunded_minor BIGINT NOT NULL DEFAULT 0,
            dispute_status TEXT,
            dispute_fee_minor BIGINT NOT NULL DEFAULT 0,
            reversed_minor BIGINT NOT NULL DEFAULT 0,
            reversed_creator_minor BIGINT NOT NULL DEFAULT 0,
            payment_intent_id TEXT,
            period_start TEXT NOT NULL,
            period_end TEXT NOT NULL,
            paid_at TEXT NOT NULL)""",
        "CREATE INDEX IF NOT EXISTS rm_subscription_invoices_pi "
        "ON rm_subscription_invoices (payment_intent_id)",
        "CREATE INDEX IF NOT EXISTS rm_subscription_invoices_creator "
        "ON rm_subscription_invoices (creator_id, paid_at)",
    )

    @singledispatchmethod
    def process(self, event: Any, tx: Tx, position: int) -> None:
        pass

    @process.register
    def _(self, event: Subscription.Requested, tx: Tx, position: int) -> None:
        at = event.at.isoformat()
        tx.execute(
            "INSERT INTO rm_subscriptions (subscription_id, fan_id, persona_id, creator_id, "
            "status, term, price_minor, currency, included_messages, requested_at, updated_at) "
            "VALUES (%s, %s, %s, %s, 'pending', 1, %s, %s, %s, %s, %s)",
            (str(event.originator_id), event.fan_id, event.persona_id, event.creator_id,
             event.price_minor, event.currency, event.included_messages, at, at))

    @process.register
    def _(self, event: Subscription.TermRequested, tx: Tx, position: int) -> None:
        self._set(tx, event, "status = 'pending', term = term + 1, price_minor = %s, "
                  "included_messages = %s, stripe_subscription_id = NULL, started_at = NULL, "
                  "period_start = NULL, paid_through = NULL, past_due_since = NULL, "
                  "cancel_at = NULL, ended_at = NULL, requested_at = %s",
                  (event.price_minor, event.included_messages, event.at.isoformat()))

    @process.register
    def _(self, event: Subscription.Activated, tx: Tx, position: int) -> None:
        self._set(tx, event, "status = 'active', stripe_subscription_id = %s, started_at = %s",
                  (event.stripe_subscription_id, event.at.isoformat()))

    @process.register
    def _(self, event: Subscription.PeriodPaid, tx: Tx, position: int) -> None:
        # The aggregate decides; the view mirrors its rule: only the current term's invoices
        # move access, and a later period never moves it back.
        self._set(tx, event,
                  "period_start = CASE WHEN paid_through IS NULL OR paid_through < %s THEN %s "
                  "ELSE period_start END, paid_through = CASE WHEN paid_through IS NULL OR "
                  "paid_through < %s THEN %s ELSE paid_through END, status = CASE WHEN "
                  "status = 'past_due' THEN (CASE WHEN cancel_at IS NULL THEN 'active' ELSE "
                  "'canceling' END) ELSE status END, past_due_since = CASE WHEN status = "
                  "'past_due' THEN NULL ELSE past_due_since END",
                  (event.period_end.isoformat(), event.period_start.isoformat(),
                   event.period_end.isoformat(), event.period_end.isoformat()),
                  extra="AND stripe_subscription_id = %s",
                  extra_params=(event.stripe_subscription_id,))

    @process.register
    def _(self, event: Subscription.PaymentFailed, tx: Tx, position: int) -> None:
        self._set(tx, event, "status = 'past_due', past_due_since = %s", (event.at.isoformat(),))

    @process.register
    def _(self, event: Subscription.CancellationScheduled, tx: Tx, position: int) -> None:
        self._set(tx, event, "cancel_at = %s, status = CASE WHEN status = 'active' THEN "
                  "'canceling' ELSE status END", (event.cancel_at.isoformat(),))

    @process.register
    def _(self, event: Subscription.CancellationWithdrawn, tx: Tx, position: int) -> None:
        self._set(tx, event, "cancel_at = NULL, status = CASE WHEN status = 'canceling' THEN "
                  "'active' ELSE status END", ())

    @process.register
    def _(self, event: Subscription.Ended, tx: Tx, position: int) -> None:
        self._set(tx, event, "status = 'ended', ended_at = %s", (event.at.isoformat(),))

    @process.register
    def _(self, event: SubscriptionInvoice.Paid, tx: Tx, position: int) -> None:
        tx.execute(
            "INSERT INTO rm_subscription_invoices (invoice_id, stripe_invoice_id, "
            "subscription_id, fan_id, persona_id, creator_id, amount_minor, creator_minor, "
            "platform_minor, payment_intent_id, period_start, period_end, paid_at) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            (str(event.originator_id), event.stripe_invoice_id, str(event.subscription_id),
             event.fan_id, event.persona_id, event.creator_id, event.amount_minor,
             event.creator_minor, event.platform_minor, event.payment_intent_id,
             event.period_start.isoformat(), event.period_end.isoformat(), event.at.isoformat()))

    @process.register
    def _(self, event: SubscriptionInvoice.Refunded, tx: Tx, position: int) -> None:
        self._invoice(tx, event, "refunded_minor = %s", (event.refunded_minor_total,))

    @process.register
    def _(self, event: SubscriptionInvoice.Disputed, tx: Tx, position: int) -> None:
        self._invoice(tx, event, "dispute_status = 'open'", ())

    @process.register
    def _(self, event: SubscriptionInvoice.DisputeClosed, tx: Tx, position: int) -> None:
        self._invoice(tx, event, "dispute_status = %s, dispute_fee_minor = %s",
                      (event.outcome, event.fee_minor))

    @process.register
    def _(self, event: SubscriptionInvoice.ReversalApplied, tx: Tx, position: int) -> None:
        self._invoice(tx, event, "reversed_minor = reversed_minor + %s, "
                      "reversed_creator_minor = reversed_creator_minor + %s",
                      (event.amount_minor, event.creator_minor))

    @process.register
    def _(self, event: SubscriptionInvoice.ReinstatementApplied, tx: Tx, position: int) -> None:
        self._invoice(tx, event, "reversed_minor = reversed_minor - %s, "
                      "reversed_creator_minor = reversed_creator_minor - %s",
                      (event.amount_minor, event.creator_minor))

    @staticmethod
    def _set(tx: Tx, event: Any, assignments: str, params: tuple[Any, ...], extra: str = "",
             extra_params: tuple[Any, ...] = ()) -> None:
        tx.execute(f"UPDATE rm_subscriptions SET {assignments}, updated_at = %s "
                   f"WHERE subscription_id = %s {extra}",
                   (*params, event.at.isoformat(), str(event.originator_id), *extra_params))

    @staticmethod
    def _invoice(tx: Tx, event: Any, assignments: str, params: tuple[Any, ...]) -> None:
        tx.execute(f"UPDATE rm_subscription_invoices SET {assignments} WHERE invoice_id = %s",
                   (*params, str(event.originator_id)))


class SubscriptionQueries:
    _COLUMNS = ("subscription_id, fan_id, persona_id, creator_id, status, term, price_minor, "
                "currency, included_messages, stripe_subscription_id, started_at, period_start, "
                "paid_through, "
                "past_due_since, cancel_at, ended_at, updated_at")

    def __init__(self, db: Any) -> None:
        self._db = db

    def of_fan(self, fan_id: str) -> list[dict[str, Any]]:
        return self._db.query(  # type: ignore[no-any-return]
            f"SELECT {self._COLUMNS} FROM rm_subscriptions WHERE fan_id = %s "
            "AND status <> 'pending' ORDER BY updated_at DESC", (fan_id,))

    def subscribers(self, creator_id: str, persona_id: str | None = None,
                    limit: int = 200) -> list[dict[str, Any]]:
        """A creator's subscribers (those who ever paid), with what each paid them in total."""
        where = "s.creator_id = %s AND s.status <> 'pending'"
        params: tuple[Any, ...] = (creator_id,)
        if persona_id:
            where += " AND s.persona_id = %s"
            params += (persona_id,)
        return self._db.query(  # type: ignore[no-any-return]
            "SELECT s.subscription_id, s.fan_id, s.persona_id, s.status, s.started_at, "
            "s.paid_through, s.cancel_at, s.ended_at, COUNT(i.invoice_id) AS invoices_paid, "
            "CAST(COALESCE(SUM(i.creator_minor - i.reversed_creator_minor), 0) AS BIGINT) "
            "AS creator_minor FROM rm_subscriptions s LEFT JOIN rm_subscription_invoices i "
            "ON i.subscription_id = s.subscription_id "
            f"WHERE {where} GROUP BY s.subscription_id, s.fan_id, s.persona_id, s.status, "
            "s.started_at, s.paid_through, s.cancel_at, s.ended_at "
            "ORDER BY s.started_at DESC LIMIT %s", (*params, limit))

    def subscriber_counts(self, creator_id: str) -> dict[str, int]:
        rows = self._db.query(
            "SELECT status, COUNT(*) AS n FROM rm_subscriptions WHERE creator_id = %s "
            "AND status <> 'pending' GROUP BY status", (creator_id,))
        return {str(r["status"]): int(r["n"]) for r in rows}

    def invoice_for_payment_intent(self, payment_intent_id: str) -> str | None:
        rows = self._db.query("SELECT stripe_invoice_id FROM rm_subscription_invoices "
                              "WHERE payment_intent_id = %s", (payment_intent_id,))
        return str(rows[0]["stripe_invoice_id"]) if rows else None
