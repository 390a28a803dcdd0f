"""A local payment simulator for machines with no Stripe key.

It plays Stripe's part end to end: a checkout session gets a local URL; paying it builds the
`checkout.session.completed` event Stripe would send, signs it with the webhook secret and POSTs it
to our own webhook endpoint, which verifies it like any other. Refunds, disputes and Connect
onboarding (`account.updated`) are simulated the same way, and so is Stripe Billing: a paid
subscription checkout starts a subscription whose invoices are paid (or fail) when a person asks
for the next period, and cancelling or ending it sends what Stripe sends. The whole flow works
on a fresh machine, and across processes: what it holds lives in the database
(`simulator_state`), so `lyra serve --workers N` and several hosts share one simulated Stripe.
"""

import json
import secrets
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import httpx

from adapters.stripe.gateway import subscription_metadata
from adapters.stripe.simulator_state import SimulatorState, SqlDatabase, StateWrite
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
T = TypeVar("T")
Delivery = tuple[str, dict[str, Any], str | None]  # event type, object, connected account


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
    def __init__(self, webhook_secret: str, public_url: str, db: SqlDatabase,
                 deliver_to: str | None = None, transport: httpx.BaseTransport | None = None,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self._clock = clock
        self._secret = webhook_secret
        self._public_url = public_url.rstrip("/")
        self._deliver_to = deliver_to or f"{self._public_url}/api/webhooks/stripe"
        self._transport = transport
        self._state = SimulatorState(db)

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
        with self._state.writing() as tx:
            session_id = tx.keyed(idempotency_key)
            if session_id is None:
                session = make(secrets.token_hex(12))
                _put_session(tx, session)
                tx.remember_key(idempotency_key, session_id := session.id)
        return CheckoutSession(id=session_id,
                               url=f"{self._public_url}/simulator/checkout/{session_id}")

    def set_cancel_at_period_end(self, *, stripe_subscription_id: str, cancel: bool,
                                 idempotency_key: str) -> None:
        with self._state.writing() as tx:
            subscription = _load(tx, SimulatedSubscription, stripe_subscription_id)
            if subscription is None or subscription.status == "canceled":
                raise PaymentProviderError(f"no live subscription {stripe_subscription_id}")
            changed = subscription.cancel_at_period_end != cancel
            if changed:
                subscription.cancel_at_period_end = cancel
                tx.put("subscription", subscription.id, asdict(subscription))
        if changed:
            self._deliver("customer.subscription.updated", self._subscription_obj(subscription))

    def find_checkout_session(self, payment_intent_id: str) -> CheckoutSessionInfo | None:
        for found in self._state.find("session", payment_intent_id):
            session = SimulatedSession(**found)
            return CheckoutSessionInfo(session.id, payment_intent_id,
                                       session.amount_total_minor, dict(session.metadata))
        return None

    def create_connect_account(self, *, creator_user_id: str, country: str | None,
                               business_type: str | None, idempotency_key: str) -> str:
        with self._state.writing() as tx:
            account_id = tx.keyed(idempotency_key)
            if account_id is None:
                account_id = f"acct_sim_{secrets.token_hex(8)}"
                tx.put("account", account_id, {"creator_user_id": creator_user_id})
                tx.remember_key(idempotency_key, account_id)
        return account_id

    def create_onboarding_link(self, *, account_id: str, refresh_url: str,
                               return_url: str) -> str:
        return f"{self._public_url}/simulator/connect/{account_id}"

    def create_transfer(self, *, payout_id: str, account_id: str, amount_minor: int,
                        currency: str, idempotency_key: str) -> str:
        with self._state.writing() as tx:
            transfer_id = tx.keyed(idempotency_key)
            if transfer_id is None:
                if tx.get("account", account_id) is None:
                    raise PaymentRefusedError(f"no Connect account {account_id}")
                transfer = SimulatedTransfer(f"tr_sim_{secrets.token_hex(8)}", payout_id,
                                             account_id, amount_minor)
                _put_transfer(tx, transfer)
                self._book(tx, "transfer", -amount_minor, {
                    "id": transfer.id, "object": "transfer",
                    "metadata": {"lyra_payout_id": payout_id}})
                tx.remember_key(idempotency_key, transfer_id := transfer.id)
        return transfer_id

    def create_bank_payout(self, *, payout_id: str, account_id: str, amount_minor: int,
                           currency: str, idempotency_key: str) -> str:
        with self._state.writing() as tx:
            bank_payout_id = tx.keyed(idempotency_key)
            if bank_payout_id is None:
                transfer = _transfer_for(tx, payout_id)
                if transfer is None:
                    raise PaymentRefusedError("no transfer funds this payout")
                transfer.bank_payout_id = bank_payout_id = f"po_sim_{secrets.token_hex(8)}"
                _put_transfer(tx, transfer)
                tx.remember_key(idempotency_key, bank_payout_id)
        return bank_payout_id

    def create_transfer_reversal(self, *, payout_id: str, transfer_id: str, amount_minor: int,
                                 idempotency_key: str) -> str:
        with self._state.writing() as tx:
            reversal_id = tx.keyed(idempotency_key)
            if reversal_id is None:
                transfer = _load(tx, SimulatedTransfer, transfer_id)
                if transfer is None or transfer.reversed or amount_minor != transfer.amount_minor:
                    raise PaymentRefusedError("no such transfer to reverse, or already reversed")
                transfer.reversed = True
                _put_transfer(tx, transfer)
                tx.remember_key(idempotency_key, reversal_id := f"trr_sim_{secrets.token_hex(8)}")
                self._book_reversal(tx, reversal_id, transfer)
        return reversal_id

    def _book_reversal(self, tx: StateWrite, reversal_id: str, transfer: SimulatedTransfer
                       ) -> None:
        """The money back on the platform's balance, as Stripe books a transfer reversal."""
        self._book(tx, "transfer_refund", transfer.amount_minor, {
            "id": reversal_id, "object": "transfer_reversal", "transfer": transfer.id,
            "amount": transfer.amount_minor, "metadata": {"lyra_payout_id": transfer.payout_id}})

    def create_verification_session(self, *, fan_id: str, return_url: str,
                                    idempotency_key: str) -> IdentitySession:
        """A verification the simulator's page decides (`/simulator/identity/{id}/verify`)."""
        with self._state.writing() as tx:
            session_id = tx.keyed(idempotency_key)
            if session_id is None:
                session_id = f"vs_sim_{secrets.token_hex(12)}"
                tx.put("identity", session_id, {"fan_id": fan_id})
                tx.remember_key(idempotency_key, session_id)
        return IdentitySession(id=session_id,
                               url=f"{self._public_url}/simulator/identity/{session_id}")

    def decide_verification(self, session_id: str, verified: bool) -> dict[str, Any]:
        """The fan's document and selfie checked: sends a signed identity webhook."""
        found = self._state.get("identity", session_id)
        if found is None:
            raise KeyError(session_id)
        obj = {"id": session_id, "object": "identity.verification_session",
               "status": "verified" if verified else "requires_input",
               "metadata": {"lyra_kind": "age_verification", "fan_id": found["fan_id"]},
               "last_error": None if verified else {"code": "document_unverified_other"}}
        return self._deliver("identity.verification_session." +
                             ("verified" if verified else "requires_input"), obj)

    def parse_webhook(self, payload: bytes, signature_header: str) -> dict[str, Any]:
        return verify_and_parse(payload, signature_header, self._secret)

    # -- what a customer (or Stripe's dashboard) would do ------------------------------------

    def session(self, session_id: str) -> SimulatedSession | None:
        return _load(self._state, SimulatedSession, session_id)

    def subscription(self, subscription_id: str) -> SimulatedSubscription | None:
        return _load(self._state, SimulatedSubscription, subscription_id)

    def invoice(self, invoice_id: str) -> SimulatedInvoice | None:
        return _load(self._state, SimulatedInvoice, invoice_id)

    def transfers(self) -> list[SimulatedTransfer]:
        """Every transfer to a Connect account, as Stripe's dashboard lists them."""
        return [SimulatedTransfer(**found) for found in self._state.all("transfer")]

    def pay(self, session_id: str) -> dict[str, Any]:
        deliveries: list[Delivery] = []
        with self._state.writing() as tx:
            session = _load(tx, SimulatedSession, session_id)
            if session is None:
                raise KeyError(session_id)
            session.status = "complete"
            obj: dict[str, Any] = {
                "id": session.id, "object": "checkout.session", "mode": session.mode,
                "payment_status": "paid", "status": "complete", "currency": CURRENCY,
                "amount_total": session.amount_total_minor,
                "client_reference_id": session.metadata["fan_id"],
                "metadata": session.metadata}
            if session.mode == "payment":
                self._book(tx, "charge", session.amount_total_minor, {
                    "id": session.charge_id, "object": "charge",
                    "payment_intent": session.payment_intent_id})
                deliveries.append(("checkout.session.completed",
                                   {**obj, "payment_intent": session.payment_intent_id}, None))
            else:  # Stripe starts the subscription and pays its first invoice
                if session.subscription_id is None:
                    now = self._now()
                    started = SimulatedSubscription(
                        id=f"sub_sim_{secrets.token_hex(8)}", metadata=dict(session.metadata),
                        price_minor=session.amount_total_minor, period_start=now,
                        period_end=now + int(PERIOD.total_seconds()))
                    tx.put("subscription", started.id, asdict(started))
                    session.subscription_id = started.id
                subscription = _load(tx, SimulatedSubscription, session.subscription_id)
                assert subscription is not None
                deliveries.append(("checkout.session.completed",
                                   {**obj, "subscription": subscription.id}, None))
                if not subscription.invoices:
                    deliveries += self._bill(tx, subscription, paid=True)
            _put_session(tx, session)
        return self._deliver_all(deliveries)

    def renew(self, subscription_id: str, paid: bool = True) -> dict[str, Any]:
        """The next period: its invoice is paid, or its payment fails (the subscription is then
        past due, as Stripe reports in an update)."""
        with self._state.writing() as tx:
            subscription = _require_subscription(tx, subscription_id)
            if subscription.cancel_at_period_end:
                deliveries = self._end(tx, subscription)
            else:
                if paid:
                    subscription.period_start = subscription.period_end
                    subscription.period_end += int(PERIOD.total_seconds())
                deliveries = self._bill(tx, subscription, paid=paid)
        return self._deliver_all(deliveries)

    def retry_payment(self, subscription_id: str) -> dict[str, Any]:
        """The card works again: the open invoice is paid and the subscription is active."""
        with self._state.writing() as tx:
            subscription = _require_subscription(tx, subscription_id)
            subscription.period_start = subscription.period_end
            subscription.period_end += int(PERIOD.total_seconds())
            deliveries = self._bill(tx, subscription, paid=True)
        return self._deliver_all(deliveries)

    def end(self, subscription_id: str) -> dict[str, Any]:
        with self._state.writing() as tx:
            deliveries = self._end(tx, _require_subscription(tx, subscription_id))
        return self._deliver_all(deliveries)

    def _end(self, tx: StateWrite, subscription: SimulatedSubscription) -> list[Delivery]:
        subscription.status = "canceled"
        tx.put("subscription", subscription.id, asdict(subscription))
        return [("customer.subscription.deleted", self._subscription_obj(subscription), None)]

    def _bill(self, tx: StateWrite, subscription: SimulatedSubscription,
              paid: bool) -> list[Delivery]:
        """The period's invoice, stored with the subscription; what Stripe would send about it."""
        token = secrets.token_hex(10)
        invoice = SimulatedInvoice(
            id=f"in_sim_{token}", payment_intent_id=f"pi_sim_{token}", charge_id=f"ch_sim_{token}",
            amount_total_minor=subscription.price_minor, subscription_id=subscription.id,
            period_start=subscription.period_start, period_end=subscription.period_end,
            status="paid" if paid else "open")
        tx.put("invoice", invoice.id, asdict(invoice), ref=invoice.payment_intent_id)
        subscription.invoices.append(invoice.id)
        subscription.status = "active" if paid else "past_due"
        tx.put("subscription", subscription.id, asdict(subscription))
        if paid:
            self._book(tx, "charge", invoice.amount_total_minor, {
                "id": invoice.charge_id, "object": "charge",
                "payment_intent": invoice.payment_intent_id, "invoice": invoice.id})
            return [("invoice.paid", self._invoice_obj(invoice, subscription), None)]
        return [("invoice.payment_failed", self._invoice_obj(invoice, subscription), None),
                ("customer.subscription.updated", self._subscription_obj(subscription), None)]

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
        with self._state.writing() as tx:
            charge = _require_charge(tx, charge_ref)
            before = charge.refunded_minor
            charge.refunded_minor = min(
                charge.amount_total_minor,
                charge.refunded_minor + (amount_minor or charge.amount_total_minor))
            if charge.refunded_minor > before:
                self._book(tx, "refund", before - charge.refunded_minor, {
                    "id": f"re_sim_{secrets.token_hex(8)}", "object": "refund",
                    "charge": charge.charge_id, "payment_intent": charge.payment_intent_id})
                _put_charge(tx, charge)
        return self._deliver("charge.refunded", {
            "id": charge.charge_id, "object": "charge", "amount": charge.amount_total_minor,
            "amount_refunded": charge.refunded_minor,
            "refunded": charge.refunded_minor == charge.amount_total_minor,
            "payment_intent": charge.payment_intent_id, "invoice": charge.invoice_id,
            "currency": CURRENCY})

    def dispute(self, charge_ref: str) -> dict[str, Any]:
        with self._state.writing() as tx:
            charge = _require_charge(tx, charge_ref)
            if charge.dispute_id is None:
                charge.dispute_id = f"dp_sim_{secrets.token_hex(8)}"
                self._book(tx, "adjustment", -charge.amount_total_minor, {
                    "id": charge.dispute_id, "object": "dispute",
                    "payment_intent": charge.payment_intent_id})
                _put_charge(tx, charge)
        return self._deliver("charge.dispute.created",
                             self._dispute_object(charge, "needs_response", fee_minor=None))

    def close_dispute(self, charge_ref: str, won: bool, fee_minor: int = 2_000) -> dict[str, Any]:
        """The bank decides: Stripe sends charge.dispute.closed (won or lost, with its fee)."""
        with self._state.writing() as tx:
            charge = _require_charge(tx, charge_ref)
            charge.dispute_id = charge.dispute_id or f"dp_sim_{secrets.token_hex(8)}"
            if won:  # the bank gives the money back
                self._book(tx, "adjustment", charge.amount_total_minor, {
                    "id": charge.dispute_id, "object": "dispute",
                    "payment_intent": charge.payment_intent_id})
            _put_charge(tx, charge)
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
        return _transfer_for(self._state, payout_id)

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
        with self._state.writing() as tx:
            transfer = _transfer_for(tx, payout_id)
            if transfer is None:
                raise KeyError(payout_id)
            if not transfer.reversed:  # Stripe takes a transfer back once
                transfer.reversed = True
                _put_transfer(tx, transfer)
                self._book_reversal(tx, f"trr_sim_{secrets.token_hex(8)}", transfer)
        return self._deliver("transfer.reversed", {
            "id": transfer.id, "object": "transfer", "amount": transfer.amount_minor,
            "amount_reversed": transfer.amount_minor, "currency": CURRENCY, "reversed": True,
            "destination": transfer.account_id, "metadata": {"lyra_payout_id": payout_id}})

    def has_account(self, account_id: str) -> bool:
        return self._state.get("account", account_id) is not None

    def complete_connect(self, account_id: str, requirements_due: list[str] | None = None
                         ) -> dict[str, Any]:
        """The creator finishes Stripe's KYC: Stripe reports the account's new capabilities."""
        with self._state.writing() as tx:
            account = tx.get("account", account_id)
            if account is None:
                raise KeyError(account_id)
            account = {**account, "requirements_due": requirements_due or []}
            tx.put("account", account_id, account)
        return self._deliver("account.updated", _account(account_id, account))

    def update_bank_details(self, account_id: str) -> dict[str, Any]:
        """The creator gives Stripe a new bank account: Stripe reports the account updated, its
        `previous_attributes` naming the external accounts that changed."""
        account = self._state.get("account", account_id)
        if account is None:
            raise KeyError(account_id)
        return self._deliver("account.updated", _account(account_id, account), previous={
            "external_accounts": {"object": "list", "data": [], "total_count": 1}})

    def book_balance_transaction(self, kind: str, amount_minor: int,
                                 source: dict[str, Any]) -> None:
        """A movement on the platform's Stripe balance with no webhook (as when one is lost)."""
        with self._state.writing() as tx:
            self._book(tx, kind, amount_minor, source)

    def _book(self, tx: StateWrite, kind: str, amount_minor: int,
              source: dict[str, Any]) -> None:
        created = self._now()
        tx.book(created, {"id": f"txn_sim_{secrets.token_hex(8)}",
                          "object": "balance_transaction", "type": kind,
                          "amount": amount_minor, "currency": CURRENCY, "created": created,
                          "source": source})

    def balance_transactions(self, created_from: int, created_until: int
                             ) -> Iterator[dict[str, Any]]:
        return iter(self._state.balance(created_from, created_until))

    def _now(self) -> int:
        return int(self._clock().timestamp())

    def _deliver_all(self, deliveries: list[Delivery]) -> dict[str, Any]:
        """Sends each, in order; the report is the first's (what the person's action caused)."""
        reports = [self._deliver(event_type, obj, account)
                   for event_type, obj, account in deliveries]
        return reports[0]

    def _deliver(self, event_type: str, obj: dict[str, Any], account: str | None = None,
                 previous: dict[str, Any] | None = None) -> dict[str, Any]:
        event: dict[str, Any] = {
            "id": f"evt_sim_{secrets.token_hex(12)}", "object": "event", "type": event_type,
            "created": self._now(), "livemode": False, "api_version": "2025-01-27",
            "data": {"object": obj}}
        if previous is not None:
            event["data"]["previous_attributes"] = previous  # what changed, as Stripe names it
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


def _account(account_id: str, account: dict[str, Any]) -> dict[str, Any]:
    """A Connect account as Stripe sends it: onboarded (no requirements due) or not yet."""
    due = account.get("requirements_due")
    done = due == []  # None: onboarding never finished
    return {"id": account_id, "object": "account", "type": "express",
            "charges_enabled": done, "payouts_enabled": done, "details_submitted": due is not None,
            "requirements": {"currently_due": due or []},
            "metadata": {"lyra_creator_id": account["creator_user_id"]}}


def _load(state: StateWrite | SimulatorState, cls: type[T], object_id: str) -> T | None:
    """An object, inside a write or from the committed state."""
    found = state.get(_KINDS[cls], object_id)
    return None if found is None else cls(**found)


def _transfer_for(state: StateWrite | SimulatorState, payout_id: str
                  ) -> SimulatedTransfer | None:
    found = state.find("transfer", payout_id)
    return SimulatedTransfer(**found[0]) if found else None


def _put_session(tx: StateWrite, session: SimulatedSession) -> None:
    tx.put("session", session.id, asdict(session), ref=session.payment_intent_id or None)


def _put_transfer(tx: StateWrite, transfer: SimulatedTransfer) -> None:
    tx.put("transfer", transfer.id, asdict(transfer), ref=transfer.payout_id)


def _put_charge(tx: StateWrite, charge: SimulatedCharge) -> None:
    if isinstance(charge, SimulatedInvoice):
        tx.put("invoice", charge.id, asdict(charge), ref=charge.payment_intent_id)
    else:
        assert isinstance(charge, SimulatedSession)
        _put_session(tx, charge)


def _require_subscription(tx: StateWrite, subscription_id: str) -> SimulatedSubscription:
    subscription = _load(tx, SimulatedSubscription, subscription_id)
    if subscription is None:
        raise KeyError(subscription_id)
    return subscription


def _require_charge(tx: StateWrite, charge_ref: str) -> SimulatedCharge:
    """A pack's checkout session or an invoice, by its id."""
    charge: SimulatedCharge | None = _load(tx, SimulatedInvoice, charge_ref) or \
        _load(tx, SimulatedSession, charge_ref)
    if charge is None:
        raise KeyError(charge_ref)
    return charge


_KINDS: dict[type, str] = {SimulatedSession: "session", SimulatedInvoice: "invoice",
                           SimulatedSubscription: "subscription", SimulatedTransfer: "transfer"}
