"""The real Stripe API through the official SDK (StripeClient), pointed anywhere by base address."""

from collections.abc import Iterator
from typing import Any

import stripe

from adapters.stripe.webhooks import verify_and_parse
from application.ports import (
    CheckoutSession,
    CheckoutSessionInfo,
    IdentitySession,
    PaymentProviderError,
    PaymentRefusedError,
    SubscriptionPlan,
)
from domain.catalogue import CURRENCY, TokenPack


def checkout_params(pack: TokenPack, fan_id: str, success_url: str,
                    cancel_url: str) -> dict[str, Any]:
    metadata = {"lyra_kind": "token_pack", "fan_id": fan_id, "pack_sku": pack.sku}
    return {
        "mode": "payment",
        "client_reference_id": fan_id,
        "success_url": success_url,
        "cancel_url": cancel_url,
        "line_items": [{
            "quantity": 1,
            "price_data": {
                "currency": CURRENCY,
                "unit_amount": pack.price_minor,
                "product_data": {"name": f"{pack.tokens} LYRA tokens"},
            },
        }],
        "metadata": metadata,
        "payment_intent_data": {"metadata": metadata},
    }


def subscription_metadata(plan: SubscriptionPlan) -> dict[str, str]:
    """On the session and on the subscription, so every invoice of it names its fan and persona."""
    return {"lyra_kind": "subscription", "fan_id": plan.fan_id, "persona_id": plan.persona_id}


def subscription_checkout_params(plan: SubscriptionPlan, success_url: str,
                                 cancel_url: str) -> dict[str, Any]:
    metadata = subscription_metadata(plan)
    return {
        "mode": "subscription",
        "client_reference_id": plan.fan_id,
        "success_url": success_url,
        "cancel_url": cancel_url,
        "line_items": [{
            "quantity": 1,
            "price_data": {
                "currency": plan.currency,
                "unit_amount": plan.price_minor,
                "recurring": {"interval": "month"},
                "product_data": {"name": plan.product_name},
            },
        }],
        "metadata": metadata,
        "subscription_data": {"metadata": metadata},
    }


class StripeGateway:
    def __init__(self, secret_key: str, webhook_secret: str, api_base: str | None = None) -> None:
        base_addresses: Any = {"api": api_base} if api_base else {}
        self._client = stripe.StripeClient(secret_key, base_addresses=base_addresses,
                                           max_network_retries=2)
        self._webhook_secret = webhook_secret

    def create_checkout_session(self, *, pack: TokenPack, fan_id: str, success_url: str,
                                cancel_url: str, idempotency_key: str) -> CheckoutSession:
        try:
            session = self._client.v1.checkout.sessions.create(
                params=checkout_params(pack, fan_id, success_url, cancel_url),  # type: ignore[arg-type]
                options={"idempotency_key": idempotency_key})
        except stripe.StripeError as error:
            raise PaymentProviderError(f"Stripe refused the checkout: {error}") from None
        return CheckoutSession(id=session.id, url=session.url or "")

    def create_subscription_checkout(self, *, plan: SubscriptionPlan, success_url: str,
                                     cancel_url: str, idempotency_key: str) -> CheckoutSession:
        try:
            session = self._client.v1.checkout.sessions.create(
                params=subscription_checkout_params(plan, success_url, cancel_url),  # type: ignore[arg-type]
                options={"idempotency_key": idempotency_key})
        except stripe.StripeError as error:
            raise PaymentProviderError(f"Stripe refused the checkout: {error}") from None
        return CheckoutSession(id=session.id, url=session.url or "")

    def set_cancel_at_period_end(self, *, stripe_subscription_id: str, cancel: bool,
                                 idempotency_key: str) -> None:
        try:
            self._client.v1.subscriptions.update(
                stripe_subscription_id, params={"cancel_at_period_end": cancel},
                options={"idempotency_key": idempotency_key})
        except stripe.StripeError as error:
            raise PaymentProviderError(f"Stripe refused the cancellation: {error}") from None

    def find_checkout_session(self, payment_intent_id: str) -> CheckoutSessionInfo | None:
        try:
            page = self._client.v1.checkout.sessions.list(
                params={"payment_intent": payment_intent_id, "limit": 1})
        except stripe.StripeError as error:
            raise PaymentProviderError(f"Stripe lookup failed: {error}") from None
        for session in page.data:
            return CheckoutSessionInfo(
                id=session.id, payment_intent_id=payment_intent_id,
                amount_total_minor=session.amount_total,
                metadata=session.metadata.to_dict() if session.metadata else {})
        return None

    def create_connect_account(self, *, creator_user_id: str, country: str | None,
                               business_type: str | None, idempotency_key: str) -> str:
        params: dict[str, Any] = {
            "type": "express",
            "metadata": {"lyra_creator_id": creator_user_id},
            "capabilities": {"card_payments": {"requested": True},
                             "transfers": {"requested": True}},
        }
        if country:
            params["country"] = country
        if business_type:
            params["business_type"] = business_type
        try:
            account = self._client.v1.accounts.create(
                params=params, options={"idempotency_key": idempotency_key})  # type: ignore[arg-type]
        except stripe.StripeError as error:
            raise PaymentProviderError(f"Stripe refused the Connect account: {error}") from None
        return str(account.id)

    def create_onboarding_link(self, *, account_id: str, refresh_url: str,
                               return_url: str) -> str:
        try:
            link = self._client.v1.account_links.create(params={
                "account": account_id, "refresh_url": refresh_url, "return_url": return_url,
                "type": "account_onboarding"})
        except stripe.StripeError as error:
            raise PaymentProviderError(f"Stripe refused the onboarding link: {error}") from None
        return str(link.url)

    def create_transfer(self, *, payout_id: str, account_id: str, amount_minor: int,
                        currency: str, idempotency_key: str) -> str:
        try:
            transfer = self._client.v1.transfers.create(params={
                "amount": amount_minor, "currency": currency, "destination": account_id,
                "transfer_group": payout_id, "metadata": {"lyra_payout_id": payout_id}},
                options={"idempotency_key": idempotency_key})
        except stripe.StripeError as error:
            raise _payout_error("transfer", error) from None
        return str(transfer.id)

    def create_bank_payout(self, *, payout_id: str, account_id: str, amount_minor: int,
                           currency: str, idempotency_key: str) -> str:
        try:
            payout = self._client.v1.payouts.create(params={
                "amount": amount_minor, "currency": currency,
                "metadata": {"lyra_payout_id": payout_id}},
                options={"idempotency_key": idempotency_key, "stripe_account": account_id})
        except stripe.StripeError as error:
            raise _payout_error("payout", error) from None
        return str(payout.id)

    def create_transfer_reversal(self, *, payout_id: str, transfer_id: str, amount_minor: int,
                                 idempotency_key: str) -> str:
        try:
            reversal = self._client.v1.transfers.reversals.create(transfer_id, params={
                "amount": amount_minor, "metadata": {"lyra_payout_id": payout_id}},
                options={"idempotency_key": idempotency_key})
        except stripe.StripeError as error:
            raise _payout_error("transfer reversal", error) from None
        return str(reversal.id)

    def balance_transactions(self, created_from: int, created_until: int
                             ) -> Iterator[dict[str, Any]]:
        try:
            page = self._client.v1.balance_transactions.list(params={
                "created": {"gte": created_from, "lt": created_until}, "limit": 100,
                "expand": ["data.source"]})
            for transaction in page.auto_paging_iter():
                yield transaction.to_dict()
        except stripe.StripeError as error:
            raise PaymentProviderError(f"Stripe's balance could not be listed: {error}") from None

    def create_verification_session(self, *, fan_id: str, return_url: str,
                                    idempotency_key: str) -> IdentitySession:
        """Stripe Identity: a document check with a live selfie; the outcome comes by webhook."""
        try:
            session = self._client.v1.identity.verification_sessions.create(
                params={"type": "document", "return_url": return_url,
                        "metadata": {"lyra_kind": "age_verification", "fan_id": fan_id},
                        "options": {"document": {"require_live_capture": True,
                                                 "require_matching_selfie": True}}},
                options={"idempotency_key": idempotency_key})
        except stripe.StripeError as error:
            raise PaymentProviderError(f"Stripe refused the verification: {error}") from None
        return IdentitySession(id=session.id, url=session.url or "")

    def parse_webhook(self, payload: bytes, signature_header: str) -> dict[str, Any]:
        return verify_and_parse(payload, signature_header, self._webhook_secret)


def _payout_error(what: str, error: stripe.StripeError) -> PaymentProviderError:
    """A refusal (4xx) cannot succeed on retry; a timeout or a 5xx may."""
    status = getattr(error, "http_status", None)
    if isinstance(error, stripe.APIConnectionError) or status is None or status >= 500 or \
            status == 429:
        return PaymentProviderError(f"Stripe could not take the {what}: {error}")
    return PaymentRefusedError(f"Stripe refused the {what}: {error}")
