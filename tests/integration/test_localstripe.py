"""The Billing call we make besides Checkout, against localstripe: a second, independent fake.

localstripe has no Checkout Sessions, so the lifecycle's start runs against our loopback fake
(test_subscription_billing.py); here a subscription is made directly and our gateway cancels it
at the period's end through the real SDK, and takes that back."""

import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import stripe

from adapters.stripe.gateway import StripeGateway
from tests.fakes.servers import free_port

LOCALSTRIPE = shutil.which("localstripe") or str(Path(sys.executable).with_name("localstripe"))


@pytest.fixture(scope="module")
def localstripe() -> Iterator[str]:
    port = free_port()
    process = subprocess.Popen([LOCALSTRIPE, "--port", str(port), "--from-scratch"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                httpx.get(f"{base}/v1/customers", headers={"Authorization": "Bearer sk_test_x"})
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise RuntimeError("localstripe did not start") from None
                time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_cancel_at_period_end_and_take_it_back(localstripe: str) -> None:
    client = stripe.StripeClient("sk_test_localstripe", base_addresses={"api": localstripe})
    customer = client.v1.customers.create(params={"email": "fan@example.com"})
    card = client.v1.payment_methods.create(params={"type": "card", "card": {
        "number": "4242424242424242", "exp_month": 12, "exp_year": 2030, "cvc": "123"}})
    client.v1.payment_methods.attach(card.id, params={"customer": customer.id})
    client.v1.customers.update(customer.id, params={
        "invoice_settings": {"default_payment_method": card.id}})
    product = client.v1.products.create(params={"name": "Luna Vale: monthly subscription"})
    plan = client.v1.plans.create(params={"product": product.id, "amount": 999,
                                          "currency": "gbp", "interval": "month"})
    made = client.v1.subscriptions.create(params={
        "customer": customer.id, "items": [{"plan": plan.id}],
        "metadata": {"lyra_kind": "subscription", "fan_id": "fan-1", "persona_id": "p-1"}})
    subscription_id = made.to_dict()["id"]
    gateway = StripeGateway("sk_test_localstripe", "whsec_unused", api_base=localstripe)

    gateway.set_cancel_at_period_end(stripe_subscription_id=subscription_id, cancel=True,
                                     idempotency_key=f"{subscription_id}:cancel:True")
    assert client.v1.subscriptions.retrieve(subscription_id).to_dict()[
        "cancel_at_period_end"] is True
    gateway.set_cancel_at_period_end(stripe_subscription_id=subscription_id, cancel=False,
                                     idempotency_key=f"{subscription_id}:cancel:False")
    assert client.v1.subscriptions.retrieve(subscription_id).to_dict()[
        "cancel_at_period_end"] is False
