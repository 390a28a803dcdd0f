"""Webhook verification with the official SDK; the payload is then read as plain JSON."""

import json
from typing import Any

import stripe

from application.errors import WebhookSignatureError


def verify_and_parse(payload: bytes, signature_header: str, secret: str) -> dict[str, Any]:
    try:
        stripe.WebhookSignature.verify_header(payload, signature_header, secret,
                                              tolerance=stripe.Webhook.DEFAULT_TOLERANCE)
    except stripe.SignatureVerificationError as error:
        raise WebhookSignatureError(f"Stripe signature check failed: {error}") from None
    try:
        event = json.loads(payload)
    except ValueError:
        raise WebhookSignatureError("webhook body is not JSON") from None
    if not isinstance(event, dict) or not event.get("id") or not event.get("type"):
        raise WebhookSignatureError("webhook body is not a Stripe event")
    return event


def sign(payload: str, secret: str, timestamp: int | None = None) -> str:
    """A Stripe-Signature header for payload, as Stripe would send it (simulator and tests)."""
    return stripe.WebhookSignature.generate_signature_header(payload, secret, timestamp)
