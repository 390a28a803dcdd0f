"""A local payment simulator for machines with no Stripe key.

It plays Stripe's part end to end: a checkout session gets a local URL; paying it builds the
`checkout.session.completed` event Stripe would send, signs it with the webhook secret and POSTs it
to our own webhook endpoint, which verifies it like any other. Refunds, disputes and Connect
onboarding (`account.updated`) are simulated the same way, and so is Stripe Billing: a paid
subscription checkout starts a subscription whose invoices are paid (or fail) when a person asks
for the next period, and cancelling or ending it sends what Stripe sends. The whole flow works
on a fresh machine.
"""

import json
import secrets
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from adapters.stripe.gateway import subscription_metadata
from adapters.stripe.webhooks import sign, verify_and_parse
from application.ports import (
    CheckoutSession,
    CheckoutSessionInfo,
    IdentitySession,
    PaymentProviderError,
    PaymentRefusedError,
    SubscriptionPlan,
)
from domain.catalogue import CURRENCY, TokenPack

PERIOD = timedelta(days=30)


@dataclass
class SimulatedCharge:
    """A card payment: a pack's checkout or a subscription invoice."""

    id: str
    payment_intent_id: str
    charge_id: str
    amount_total_minor: int
    refunded_minor: int = 0
    dispute_id: str | None = None

    @property
    def invoice_id(self) -> str | None:
        return None


@dataclass
class SimulatedSession(SimulatedCharge):
    metadata: dict[str, str] = field(default_factory=dict)
    mode: str = "payment"
    product_name: str = ""
    status: str = "open"
    subscription_id: str | None = None
    success_url: str = ""  # where the hosted page sends the payer once paid


@dataclass
class SimulatedInvoice(SimulatedCharge):
    subscription_id: str = ""
    period_start: int = 0
    period_end: int = 0
    status: str = "paid"

    @property
    def invoice_id(self) -> str | None:
        return self.id


@dataclass
class SimulatedTransfer:
    """A transfer to a Connect account, and the bank payout that follows it."""

    id: str
    payout_id: str  # ours (lyra_payout_id)
    account_id: str
    amount_minor: int
    bank_payout_id: str | None = None
    reversed: bool = False


@dataclass
class SimulatedSubscription:
    id: str
    metadata: dict[str, str]
    price_minor: int
    period_start: int
    period_end: int
    status: str = "active"
    cancel_at_period_end: bool = False
    invoices: list[str] = field(default_factory=list)


class LocalPaymentSimulator:
    def __init__(self, webhook_secret: str, public_url: str, deliver_to: str | None = None,
                 transport: httpx.BaseTransport | None = None,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self._clock = clock
        self._secret = webhook_secret
        self._public_url = public_url.rstrip("/")
        self._deliver_to = deliver_to or f"{self._public_url}/api/webhooks/stripe"
        self._transport = transport
        self._sessions: dict[str, SimulatedSession] = {}
        self._by_key: dict[str, str] = {}
        self._accounts: dict[str, str] = {}
        self._invoices: dict[str, SimulatedInvoice] = {}
        self._subscriptions: dict[str, SimulatedSubscription] = {}
        self._transfers: dict[str, SimulatedTransfer] = {}
        self._balance: list[dict[str, Any]] = []  # Stripe's balance transactions, oldest first
        self._identity: dict[str, str] = {}  # verification session -> fan
        self._lock = threading.Lock()

    # -- PaymentGateway ----------------------------------------------------------------------

    def create_checkout_session(self, *, pack: TokenPack, fan_id: str, success_url: str,
                                cancel_url: str, idempotency_key: str) -> CheckoutSession:
        return self._open_session(idempotency_key, lambda token: SimulatedSession(
            id=f"cs_sim_{token}", payment_intent_id=f"pi_sim_{token}",
            charge_id=f"ch_sim_{token}", amount_total_minor=pack.price_minor,
            metadata={"lyra_kind": "token_pack", "fan_id": fan_id, "pack_sku": pack.sku},
            product_name=f"{pack.tokens} LYRA tokens", success_url=success_url))

    def create_subscription_checkout(self, *, plan: SubscriptionPlan, success_url: str,
                                     cancel_url: str, idempotency_key: str) -> CheckoutSession:
        return self._open_session(idempotency_key, lambda token: SimulatedSession(
            id=f"cs_sim_{token}", payment_intent_id="", charge_id="",
            amount_total_minor=plan.price_minor, metadata=subscription_metadata(plan),
            mode="subscription", product_name=plan.product_name, success_url=success_url))

    def _open_session(self, idempotency_key: str,
                      make: Callable[[str], SimulatedSession]) -> CheckoutSession:
        """One session per idempotency key, as Stripe does."""
        with self._lock:
            session_id = self._by_key.get(idempotency_key)
            if session_id is None:
                session = make(secrets.token_hex(12))
                self._sessions[session.id] = session
                self._by_key[idempotency_key] = session_id = session.id
        return CheckoutSession(id=session_id,
                               url=f"{self._public_url}/simulator/checkout/{session_id}")

    def set_cancel_at_period_end(self, *, stripe_subscription_id: str, cancel: bool,
                                 idempotency_key: str) -> None:
        subscription = self._subscriptions.get(stripe_subscription_id)
        if subscription is None or subscription.status == "canceled":
            raise PaymentProviderError(f"no live subscription {stripe_subscription_id}")
        if subscription.cancel_at_period_end != cancel:
            subscription.cancel_at_period_end = cancel
            self._deliver("customer.subscription.updated", self._subscription_obj(subscription))

    def find_checkout_session(self, payment_intent_id: str) -> CheckoutSessionInfo | None:
        for session in self._sessions.values():
            if session.payment_intent_id == payment_intent_id:
                return CheckoutSessionInfo(session.id, payment_intent_id,
                                           session.amount_total_minor, dict(session.metadata))
        return None

    def create_connect_account(self, *, creator_user_id: str, country: str | None,
                               business_type: str | None, idempotency_key: str) -> str:
        with self._lock:
            account_id = self._by_key.get(idempotency_key)
            if account_id is None:
                account_id = f"acct_sim_{secrets.token_hex(8)}"
                self._accounts[account_id] = creator_user_id
                self._by_key[idempotency_key] = account_id
        return account_id

    def create_onboarding_link(self, *, account_id: str, refresh_url: str,
                               return_url: str) -> str:
        return f"{self._public_url}/simulator/connect/{account_id}"

    def create_transfer(self, *, payout_id: str, account_id: str, amount_minor: int,
                        currency: str, idempotency_key: str) -> str:
        with self._lock:
            transfer_id = self._by_key.get(idempotency_key)
            if transfer_id is None:
                if account_id not in self._accounts:
                    raise PaymentRefusedError(f"no Connect account {account_id}")
                transfer = SimulatedTransfer(f"tr_sim_{secrets.token_hex(8)}", payout_id,
                                             account_id, amount_minor)
                self._transfers[transfer.id] = transfer
                self._book("transfer", -amount_minor, {"id": transfer.id, "object": "transfer",
                                                       "metadata": {"lyra_payout_id": payout_id}})
                self._by_key[idempotency_key] = transfer_id = transfer.id
        return transfer_id

    def create_bank_payout(self, *, payout_id: str, account_id: str, amount_minor: int,
                           currency: str, idempotency_key: str) -> str:
        with self._lock:
            bank_payout_id = self._by_key.get(idempotency_key)
            if bank_payout_id is None:
                transfer = next((t for t in self._transfers.values()
                                 if t.payout_id == payout_id), None)
                if transfer is None:
                    raise PaymentRefusedError("no transfer funds this payout")
                transfer.bank_payout_id = bank_payout_id = f"po_sim_{secrets.token_hex(8)}"
                self._by_key[idempotency_key] = bank_payout_id
        return bank_payout_id

    def create_transfer_reversal(self, *, payout_id: str, transfer_id: str, amount_minor: int,
                                 idempotency_key: str) -> str:
        with self._lock:
            reversal_id = self._by_key.get(idempotency_key)
            if reversal_id is None:
                transfer = self._transfers.get(transfer_id)
                if transfer is None or transfer.reversed or amount_minor != transfer.amount_minor:
                    raise PaymentRefusedError("no such transfer to reverse, or already reversed")
                transfer.reversed = True
                self._by_key[idempotency_key] = reversal_id = f"trr_sim_{secrets.token_hex(8)}"
        return reversal_id

    def create_verification_session(self, *, fan_id: str, return_url: str,
                                    idempotency_key: str) -> IdentitySession:
        """A verification the simulator's page decides (`/simulator/identity/{id}/verify`)."""
        with self._lock:
            session_id = self._by_key.get(idempotency_key)
            if session_id is None:
                session_id = f"vs_sim_{secrets.token_hex(12)}"
                self._by_key[idempotency_key] = session_id
                self._identity[session_id] = fan_id
        return IdentitySession(id=session_id,
                               url=f"{self._public_url}/simulator/identity/{session_id}")

    def decide_verification(self, session_id: str, verified: bool) -> dict[str, Any]:
        """The fan's document and selfie checked: sends a signed identity webhook."""
        fan_id = self._identity.get(session_id)
        if fan_id is None:
            raise KeyError(session_id)
        obj = {"id": session_id, "object": "identity.verification_session",
               "status": "verified" if verified else "requires_input",
               "metadata": {"lyra_kind": "age_verification", "fan_id": fan_id},
               "last_error": None if verified else {"code": "document_unverified_other"}}
        return self._deliver("identity.verification_session." +
                             ("verified" if verified else "requires_input"), obj)

    def parse_webhook(self, payload: bytes, signature_header: str) -> dict[str, Any]:
        return verify_and_parse(payload, signature_header, self._secret)

    # -- what a customer (or Stripe's dashboard) would do ------------------------------------

    def session(self, session_id: str) -> SimulatedSession | None:
        return self._sessions.get(session_id)

    def subscription(self, subscription_id: str) -> SimulatedSubscription | None:
        return self._subscriptions.get(subscription_id)

    def invoice(self, invoice_id: str) -> SimulatedInvoice | None:
        return self._invoices.get(invoice_id)

    def pay(self, session_id: str) -> dict[str, Any]:
        session = self._require(session_id)
        session.status = "complete"
        obj: dict[str, Any] = {
            "id": session.id, "object": "checkout.session", "mode": session.mode,
            "payment_status": "paid", "status": "complete", "currency": CURRENCY,
            "amount_total": session.amount_total_minor,
            "client_reference_id": session.metadata["fan_id"], "metadata": session.metadata}
        if session.mode == "payment":
            self._book("charge", session.amount_total_minor, {
                "id": session.charge_id, "object": "charge",
                "payment_intent": session.payment_intent_id})
            return self._deliver("checkout.session.completed",
                                 {**obj, "payment_intent": session.payment_intent_id})
        # Subscription mode: Stripe starts the subscription and pays its first invoice.
        if session.subscription_id is None:
            now = self._now()
            subscription = SimulatedSubscription(
                id=f"sub_sim_{secrets.token_hex(8)}", metadata=dict(session.metadata),
                price_minor=session.amount_total_minor, period_start=now,
                period_end=now + int(PERIOD.total_seconds()))
            self._subscriptions[subscription.id] = subscription
            session.subscription_id = subscription.id
        subscription = self._subscriptions[session.subscription_id]
        delivered = self._deliver("checkout.session.completed",
                                  {**obj, "subscription": subscription.id})
        if not subscription.invoices:
            self._bill(subscription, paid=True)
        return delivered

    def renew(self, subscription_id: str, paid: bool = True) -> dict[str, Any]:
        """The next period: its invoice is paid, or its payment fails (the subscription is then
        past due, as Stripe reports in an update)."""
        subscription = self._require_subscription(subscription_id)
        if subscription.cancel_at_period_end:
            return self.end(subscription_id)
        if paid:
            subscription.period_start = subscription.period_end
            subscription.period_end += int(PERIOD.total_seconds())
        return self._bill(subscription, paid=paid)

    def retry_payment(self, subscription_id: str) -> dict[str, Any]:
        """The card works again: the open invoice is paid and the subscription is active."""
        subscription = self._require_subscription(subscription_id)
        subscription.period_start = subscription.period_end
        subscription.period_end += int(PERIOD.total_seconds())
        return self._bill(subscription, paid=True)

    def end(self, subscription_id: str) -> dict[str, Any]:
        subscription = self._require_subscription(subscription_id)
        subscription.status = "canceled"
        return self._deliver("customer.subscription.deleted",
                             self._subscription_obj(subscription))

    def _bill(self, subscription: SimulatedSubscription, paid: bool) -> dict[str, Any]:
        token = secrets.token_hex(10)
        invoice = SimulatedInvoice(
            id=f"in_sim_{token}", payment_intent_id=f"pi_sim_{token}", charge_id=f"ch_sim_{token}",
            amount_total_minor=subscription.price_minor, subscription_id=subscription.id,
            period_start=subscription.period_start, period_end=subscription.period_end,
            status="paid" if paid else "open")
        self._invoices[invoice.id] = invoice
        subscription.invoices.append(invoice.id)
        if paid:
            subscription.status = "active"
            self._book("charge", invoice.amount_total_minor, {
                "id": invoice.charge_id, "object": "charge",
                "payment_intent": invoice.payment_intent_id, "invoice": invoice.id})
            return self._deliver("invoice.paid", self._invoice_obj(invoice, subscription))
        subscription.status = "past_due"
        delivered = self._deliver("invoice.payment_failed",
                                  self._invoice_obj(invoice, subscription))
        self._deliver("customer.subscription.updated", self._subscription_obj(subscription))
        return delivered

    @staticmethod
    def _invoice_obj(invoice: SimulatedInvoice,
                     subscription: SimulatedSubscription) -> dict[str, Any]:
        paid = invoice.status == "paid"
        return {
            "id": invoice.id, "object": "invoice", "currency": CURRENCY,
            "amount_due": invoice.amount_total_minor,
            "amount_paid": invoice.amount_total_minor if paid else 0,
            "status": invoice.status, "billing_reason": "subscription_cycle",
            "payment_intent": invoice.payment_intent_id,
            "parent": {"type": "subscription_details", "subscription_details": {
                "subscription": subscription.id, "metadata": subscription.metadata}},
            "lines": {"object": "list", "data": [{
                "object": "line_item", "amount": invoice.amount_total_minor,
                "period": {"start": invoice.period_start, "end": invoice.period_end}}]},
            "period_start": invoice.period_start, "period_end": invoice.period_end}

    def _subscription_obj(self, subscription: SimulatedSubscription) -> dict[str, Any]:
        return {"id": subscription.id, "object": "subscription", "status": subscription.status,
                "cancel_at_period_end": subscription.cancel_at_period_end,
                "cancel_at": subscription.period_end if subscription.cancel_at_period_end
                else None,
                "current_period_start": subscription.period_start,
                "current_period_end": subscription.period_end,
                "metadata": subscription.metadata}

    def refund(self, charge_ref: str, amount_minor: int | None = None) -> dict[str, Any]:
        """Refund a pack's checkout or an invoice, in whole or in part."""
        charge = self._charge(charge_ref)
        before = charge.refunded_minor
        charge.refunded_minor = min(charge.amount_total_minor,
                                    charge.refunded_minor + (amount_minor or charge.amount_total_minor))
        if charge.refunded_minor > before:
            self._book("refund", before - charge.refunded_minor, {
                "id": f"re_sim_{secrets.token_hex(8)}", "object": "refund",
                "charge": charge.charge_id, "payment_intent": charge.payment_intent_id})
        return self._deliver("charge.refunded", {
            "id": charge.charge_id, "object": "charge", "amount": charge.amount_total_minor,
            "amount_refunded": charge.refunded_minor,
            "refunded": charge.refunded_minor == charge.amount_total_minor,
            "payment_intent": charge.payment_intent_id, "invoice": charge.invoice_id,
            "currency": CURRENCY})

    def dispute(self, charge_ref: str) -> dict[str, Any]:
        charge = self._charge(charge_ref)
        if charge.dispute_id is None:
            charge.dispute_id = f"dp_sim_{secrets.token_hex(8)}"
            self._book("adjustment", -charge.amount_total_minor, {
                "id": charge.dispute_id, "object": "dispute",
                "payment_intent": charge.payment_intent_id})
        return self._deliver("charge.dispute.created",
                             self._dispute_object(charge, "needs_response", fee_minor=None))

    def close_dispute(self, charge_ref: str, won: bool, fee_minor: int = 2_000) -> dict[str, Any]:
        """The bank decides: Stripe sends charge.dispute.closed (won or lost, with its fee)."""
        charge = self._charge(charge_ref)
        charge.dispute_id = charge.dispute_id or f"dp_sim_{secrets.token_hex(8)}"
        if won:  # the bank gives the money back
            self._book("adjustment", charge.amount_total_minor, {
                "id": charge.dispute_id, "object": "dispute",
                "payment_intent": charge.payment_intent_id})
        obj = self._dispute_object(charge, "won" if won else "lost",
                                   fee_minor=None if won else fee_minor)
        return self._deliver("charge.dispute.closed", obj)

    @staticmethod
    def _dispute_object(charge: SimulatedCharge, status: str,
                        fee_minor: int | None) -> dict[str, Any]:
        transactions = [] if fee_minor is None else [
            {"object": "balance_transaction", "amount": -charge.amount_total_minor,
             "fee": fee_minor, "currency": CURRENCY, "type": "adjustment"}]
        return {"id": charge.dispute_id, "object": "dispute",
                "amount": charge.amount_total_minor, "charge": charge.charge_id,
                "payment_intent": charge.payment_intent_id, "invoice": charge.invoice_id,
                "reason": "general", "status": status, "currency": CURRENCY,
                "balance_transactions": transactions}

    def transfer_for(self, payout_id: str) -> SimulatedTransfer | None:
        return next((t for t in self._transfers.values() if t.payout_id == payout_id), None)

    def settle_bank_payout(self, payout_id: str, paid: bool,
                           failure_code: str = "could_not_process") -> dict[str, Any]:
        """The bank answers: Stripe sends payout.paid (or payout.failed) from the account."""
        transfer = self.transfer_for(payout_id)
        if transfer is None or transfer.bank_payout_id is None:
            raise KeyError(payout_id)
        return self._deliver("payout.paid" if paid else "payout.failed", {
            "id": transfer.bank_payout_id, "object": "payout", "amount": transfer.amount_minor,
            "currency": CURRENCY, "status": "paid" if paid else "failed",
            "failure_code": None if paid else failure_code,
            "metadata": {"lyra_payout_id": payout_id}}, account=transfer.account_id)

    def reverse_transfer(self, payout_id: str) -> dict[str, Any]:
        transfer = self.transfer_for(payout_id)
        if transfer is None:
            raise KeyError(payout_id)
        transfer.reversed = True
        return self._deliver("transfer.reversed", {
            "id": transfer.id, "object": "transfer", "amount": transfer.amount_minor,
            "amount_reversed": transfer.amount_minor, "currency": CURRENCY, "reversed": True,
            "destination": transfer.account_id, "metadata": {"lyra_payout_id": payout_id}})

    def has_account(self, account_id: str) -> bool:
        return account_id in self._accounts

    def complete_connect(self, account_id: str, requirements_due: list[str] | None = None
                         ) -> dict[str, Any]:
        """The creator finishes Stripe's KYC: Stripe reports the account's new capabilities."""
        done = not requirements_due
        return self._deliver("account.updated", {
            "id": account_id, "object": "account", "type": "express",
            "charges_enabled": done, "payouts_enabled": done, "details_submitted": True,
            "requirements": {"currently_due": requirements_due or []},
            "metadata": {"lyra_creator_id": self._accounts[account_id]}})

    def _book(self, kind: str, amount_minor: int, source: dict[str, Any]) -> None:
        self._balance.append({"id": f"txn_sim_{secrets.token_hex(8)}",
                              "object": "balance_transaction", "type": kind,
                              "amount": amount_minor, "currency": CURRENCY,
                              "created": self._now(), "source": source})

    def balance_transactions(self, created_from: int, created_until: int
                             ) -> Iterator[dict[str, Any]]:
        return iter([t for t in self._balance if created_from <= t["created"] < created_until])

    def _require(self, session_id: str) -> SimulatedSession:
        session = self._sessions.get(session_id)
        if session is None:
            raise KeyError(session_id)
        return session

    def _require_subscription(self, subscription_id: str) -> SimulatedSubscription:
        subscription = self._subscriptions.get(subscription_id)
        if subscription is None:
            raise KeyError(subscription_id)
        return subscription

    def _charge(self, charge_ref: str) -> SimulatedCharge:
        """A pack's checkout session or an invoice, by its id."""
        charge: SimulatedCharge | None = self._invoices.get(charge_ref) or \
            self._sessions.get(charge_ref)
        if charge is None:
            raise KeyError(charge_ref)
        return charge

    def _now(self) -> int:
        return int(self._clock().timestamp())

    def _deliver(self, event_type: str, obj: dict[str, Any],
                 account: str | None = None) -> dict[str, Any]:
        event = {"id": f"evt_sim_{secrets.token_hex(12)}", "object": "event",
                 "type": event_type, "created": self._now(), "livemode": False,
                 "api_version": "2025-01-27", "data": {"object": obj}}
        if account:
            event["account"] = account  # an event of a connected account
        payload = json.dumps(event)
        headers = {"Stripe-Signature": sign(payload, self._secret),
                   "Content-Type": "application/json"}
        try:
            with httpx.Client(transport=self._transport, timeout=10) as client:
                response = client.post(self._deliver_to, content=payload, headers=headers)
        except httpx.HTTPError as error:
            raise PaymentProviderError(
                f"simulator could not deliver {event_type} to {self._deliver_to}: {error}"
            ) from None
        return {"event_id": event["id"], "type": event_type, "status_code": response.status_code,
                "response": response.json() if response.content else None}
