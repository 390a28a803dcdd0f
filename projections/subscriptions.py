"""Subscriptions as fans and creators see them, and every paid invoice with what refunds and
disputes took back: the fan's "my subscriptions", the creator's subscriber list, finance's
invoices, and the refund lookup index (payment intent to invoice)."""

from collections.abc import Iterable
from typing import Any

from domain.aggregates.subscription import Subscription
from domain.aggregates.subscription_invoice import SubscriptionInvoice
from projections.fold import KEYED, Fold, Row, State, Table, on

SUBSCRIPTIONS = Table("rm_subscriptions", KEYED, ("subscription_id",), (
    "subscription_id", "fan_id", "persona_id", "creator_id", "status", "term", "price_minor",
    "currency", "included_messages", "stripe_subscription_id", "started_at", "period_start",
    "paid_through", "past_due_since", "cancel_at", "ended_at", "requested_at", "updated_at"))
INVOICES = Table("rm_subscription_invoices", KEYED, ("invoice_id",), (
    "invoice_id", "stripe_invoice_id", "subscription_id", "fan_id", "persona_id", "creator_id",
    "amount_minor", "creator_minor", "platform_minor", "refunded_minor", "dispute_status",
    "dispute_fee_minor", "reversed_minor", "reversed_creator_minor", "payment_intent_id",
    "period_start", "period_end", "paid_at"), dict.fromkeys((
        "refunded_minor", "dispute_fee_minor", "reversed_minor", "reversed_creator_minor"), 0))


class SubscriptionsProjection(Fold):
    name = "subscriptions"
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

    schema = (SUBSCRIPTIONS, INVOICES)

    def touches(self, cls: type, event: Any) -> Iterable[tuple[Table, Any]]:
        if cls is Subscription.Requested or cls is SubscriptionInvoice.Paid:
            return
        yield (INVOICES if cls in _INVOICE_CHANGES else SUBSCRIPTIONS), str(event.originator_id)

    @on(Subscription.Requested)
    def _requested(self, event: Any, position: int, s: State) -> None:
        at = event.at.isoformat()
        s[SUBSCRIPTIONS].put(SUBSCRIPTIONS.new(
            subscription_id=str(event.originator_id), fan_id=event.fan_id,
            persona_id=event.persona_id, creator_id=event.creator_id, status="pending", term=1,
            price_minor=event.price_minor, currency=event.currency,
            included_messages=event.included_messages, requested_at=at, updated_at=at))

    @on(Subscription.TermRequested)
    def _term_requested(self, event: Any, position: int, s: State) -> None:
        row = s[SUBSCRIPTIONS].get(str(event.originator_id))
        if row is not None:
            _set(s, event, status="pending", term=row["term"] + 1, price_minor=event.price_minor,
                 included_messages=event.included_messages, stripe_subscription_id=None,
                 started_at=None, period_start=None, paid_through=None, past_due_since=None,
                 cancel_at=None, ended_at=None, requested_at=event.at.isoformat())

    @on(Subscription.Activated)
    def _activated(self, event: Any, position: int, s: State) -> None:
        _set(s, event, status="active", stripe_subscription_id=event.stripe_subscription_id,
             started_at=event.at.isoformat())

    @on(Subscription.PeriodPaid)
    def _period_paid(self, event: Any, position: int, s: State) -> None:
        """The aggregate decides; the view mirrors its rule: only the current term's invoices
        move access, and a later period never moves it back."""
        row = s[SUBSCRIPTIONS].get(str(event.originator_id))
        if row is None or row["stripe_subscription_id"] != event.stripe_subscription_id:
            return
        period_end = event.period_end.isoformat()
        if row["paid_through"] is None or row["paid_through"] < period_end:
            row.update(period_start=event.period_start.isoformat(), paid_through=period_end)
        if row["status"] == "past_due":
            row.update(status="active" if row["cancel_at"] is None else "canceling",
                       past_due_since=None)
        _set(s, event)

    @on(Subscription.PaymentFailed)
    def _payment_failed(self, event: Any, position: int, s: State) -> None:
        _set(s, event, status="past_due", past_due_since=event.at.isoformat())

    @on(Subscription.CancellationScheduled)
    def _cancellation_scheduled(self, event: Any, position: int, s: State) -> None:
        row = _set(s, event, cancel_at=event.cancel_at.isoformat())
        if row is not None and row["status"] == "active":
            row["status"] = "canceling"

    @on(Subscription.CancellationWithdrawn)
    def _cancellation_withdrawn(self, event: Any, position: int, s: State) -> None:
        row = _set(s, event, cancel_at=None)
        if row is not None and row["status"] == "canceling":
            row["status"] = "active"

    @on(Subscription.Ended)
    def _ended(self, event: Any, position: int, s: State) -> None:
        _set(s, event, status="ended", ended_at=event.at.isoformat())

    @on(SubscriptionInvoice.Paid)
    def _paid(self, event: Any, position: int, s: State) -> None:
        s[INVOICES].put(INVOICES.new(
            invoice_id=str(event.originator_id), stripe_invoice_id=event.stripe_invoice_id,
            subscription_id=str(event.subscription_id), fan_id=event.fan_id,
            persona_id=event.persona_id, creator_id=event.creator_id,
            amount_minor=event.amount_minor, creator_minor=event.creator_minor,
            platform_minor=event.platform_minor, payment_intent_id=event.payment_intent_id,
            period_start=event.period_start.isoformat(), period_end=event.period_end.isoformat(),
            paid_at=event.at.isoformat()))

    @on(SubscriptionInvoice.Refunded)
    def _refunded(self, event: Any, position: int, s: State) -> None:
        s[INVOICES].update(str(event.originator_id), refunded_minor=event.refunded_minor_total)

    @on(SubscriptionInvoice.Disputed)
    def _disputed(self, event: Any, position: int, s: State) -> None:
        s[INVOICES].update(str(event.originator_id), dispute_status="open")

    @on(SubscriptionInvoice.DisputeClosed)
    def _dispute_closed(self, event: Any, position: int, s: State) -> None:
        s[INVOICES].update(str(event.originator_id), dispute_status=event.outcome,
                           dispute_fee_minor=event.fee_minor)

    @on(SubscriptionInvoice.ReversalApplied)
    def _reversal(self, event: Any, position: int, s: State) -> None:
        _reversed(s, event, 1)

    @on(SubscriptionInvoice.ReinstatementApplied)
    def _reinstatement(self, event: Any, position: int, s: State) -> None:
        _reversed(s, event, -1)


_INVOICE_CHANGES = frozenset((
    SubscriptionInvoice.Refunded, SubscriptionInvoice.Disputed,
    SubscriptionInvoice.DisputeClosed, SubscriptionInvoice.ReversalApplied,
    SubscriptionInvoice.ReinstatementApplied))


def _set(s: State, event: Any, **values: Any) -> Row | None:
    return s[SUBSCRIPTIONS].update(  # type: ignore[no-any-return]
        str(event.originator_id), **values, updated_at=event.at.isoformat())


def _reversed(s: State, event: Any, sign: int) -> None:
    row = s[INVOICES].get(str(event.originator_id))
    if row is not None:
        row["reversed_minor"] += sign * event.amount_minor
        row["reversed_creator_minor"] += sign * event.creator_minor
        s[INVOICES].put(row)


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
