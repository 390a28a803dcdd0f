"""A local payment simulator for machines with no Stripe key.

It plays Stripe's part end to end: a checkout session gets a local URL; paying it builds the
`checkout.session.completed` event Stripe would send, signs it with the webhook secret and POSTs it
to our own webhook endpoint, which verifies it like any other. Refunds, disputes and Connect
onboarding (`account.updated`) are simulated the same way, so the whole flow works on a fresh
machine.
"""

import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import httpx

from adapters.stripe.webhooks import sign, verify_and_parse
from application.errors import PaymentProviderError
from application.ports import CheckoutSession, CheckoutSessionInfo
from domain.catalogue import CURRENCY, TokenPack


@dataclass
class SimulatedSession:
    id: str
    payment_intent_id: str
    charge_id: str
    amount_total_minor: int
    metadata: dict[str, str]
    status: str = "open"
    refunded_minor: int = 0
    dispute_id: str | None = None
    events: list[str] = field(default_factory=list)


class LocalPaymentSimulator:
    def __init__(self, webhook_secret: str, public_url: str, deliver_to: str | None = None,
                 transport: httpx.BaseTransport | None = None) -> None:
        self._secret = webhook_secret
        self._public_url = public_url.rstrip("/")
        self._deliver_to = deliver_to or f"{self._public_url}/api/webhooks/stripe"
        self._transport = transport
        self._sessions: dict[str, SimulatedSession] = {}
        self._by_key: dict[str, str] = {}
        self._accounts: dict[str, str] = {}
        self._lock = threading.Lock()

    # -- PaymentGateway ----------------------------------------------------------------------

    def create_checkout_session(self, *, pack: TokenPack, fan_id: str, success_url: str,
                                cancel_url: str, idempotency_key: str) -> CheckoutSession:
        with self._lock:
            session_id = self._by_key.get(idempotency_key)
            if session_id is None:
                token = secrets.token_hex(12)
                session = SimulatedSession(
                    id=f"cs_sim_{token}", payment_intent_id=f"pi_sim_{token}",
                    charge_id=f"ch_sim_{token}", amount_total_minor=pack.price_minor,
                    metadata={"lyra_kind": "token_pack", "fan_id": fan_id, "pack_sku": pack.sku})
                self._sessions[session.id] = session
                self._by_key[idempotency_key] = session_id = session.id
        return CheckoutSession(id=session_id,
                               url=f"{self._public_url}/simulator/checkout/{session_id}")

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

    def parse_webhook(self, payload: bytes, signature_header: str) -> dict[str, Any]:
        return verify_and_parse(payload, signature_header, self._secret)

    # -- what a customer (or Stripe's dashboard) would do ------------------------------------

    def session(self, session_id: str) -> SimulatedSession | None:
        return self._sessions.get(session_id)

    def pay(self, session_id: str) -> dict[str, Any]:
        session = self._require(session_id)
        session.status = "complete"
        return self._deliver("checkout.session.completed", {
            "id": session.id, "object": "checkout.session", "mode": "payment",
            "payment_status": "paid", "status": "complete", "currency": CURRENCY,
            "amount_total": session.amount_total_minor, "payment_intent": session.payment_intent_id,
            "client_reference_id": session.metadata["fan_id"], "metadata": session.metadata})

    def refund(self, session_id: str, amount_minor: int | None = None) -> dict[str, Any]:
        session = self._require(session_id)
        session.refunded_minor = min(session.amount_total_minor,
                                     session.refunded_minor + (amount_minor or session.amount_total_minor))
        return self._deliver("charge.refunded", {
            "id": session.charge_id, "object": "charge", "amount": session.amount_total_minor,
            "amount_refunded": session.refunded_minor,
            "refunded": session.refunded_minor == session.amount_total_minor,
            "payment_intent": session.payment_intent_id, "currency": CURRENCY})

    def dispute(self, session_id: str) -> dict[str, Any]:
        session = self._require(session_id)
        session.dispute_id = session.dispute_id or f"dp_sim_{secrets.token_hex(8)}"
        return self._deliver("charge.dispute.created",
                             self._dispute_object(session, "needs_response", fee_minor=None))

    def close_dispute(self, session_id: str, won: bool, fee_minor: int = 2_000) -> dict[str, Any]:
        """The bank decides: Stripe sends charge.dispute.closed (won or lost, with its fee)."""
        session = self._require(session_id)
        session.dispute_id = session.dispute_id or f"dp_sim_{secrets.token_hex(8)}"
        obj = self._dispute_object(session, "won" if won else "lost",
                                   fee_minor=None if won else fee_minor)
        return self._deliver("charge.dispute.closed", obj)

    @staticmethod
    def _dispute_object(session: SimulatedSession, status: str,
                        fee_minor: int | None) -> dict[str, Any]:
        transactions = [] if fee_minor is None else [
            {"object": "balance_transaction", "amount": -session.amount_total_minor,
             "fee": fee_minor, "currency": CURRENCY, "type": "adjustment"}]
        return {"id": session.dispute_id, "object": "dispute",
                "amount": session.amount_total_minor, "charge": session.charge_id,
                "payment_intent": session.payment_intent_id, "reason": "general",
                "status": status, "currency": CURRENCY, "balance_transactions": transactions}

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

    def _require(self, session_id: str) -> SimulatedSession:
        session = self._sessions.get(session_id)
        if session is None:
            raise KeyError(session_id)
        return session

    def _deliver(self, event_type: str, obj: dict[str, Any]) -> dict[str, Any]:
        event = {"id": f"evt_sim_{secrets.token_hex(12)}", "object": "event",
                 "type": event_type, "created": int(time.time()), "livemode": False,
                 "api_version": "2025-01-27", "data": {"object": obj}}
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
