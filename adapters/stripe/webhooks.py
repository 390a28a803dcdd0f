"""Webhook verification and parsing with the official SDK (`stripe.Webhook.construct_event`).

The SDK's event object is handed on as a plain dict: the planners read fields by name, and
Stripe adds fields over time that no typed model here should have to track.
"""

from typing import Any

import stripe

from application.ports import WebhookSignatureError


def verify_and_parse(payload: bytes, signature_header: str, secret: str) -> dict[str, Any]:
    try:
        event = stripe.Webhook.construct_event(payload, signature_header, secret,
                                               tolerance=stripe.Webhook.DEFAULT_TOLERANCE)
    except stripe.SignatureVerificationError as error:
        raise WebhookSignatureError(f"Stripe signature check failed: {error}") from None
    except (ValueError, TypeError, AttributeError, KeyError):
        raise WebhookSignatureError("webhook body is not a Stripe event") from None
    parsed: dict[str, Any] = event.to_dict()
    if not parsed.get("id") or not parsed.get("type"):
        raise WebhookSignatureError("webhook body is not a Stripe event")
    return parsed


def sign(payload: str, secret: str, timestamp: int | None = None) -> str:
    """A Stripe-Signature header for payload, as Stripe would send it (simulator and tests)."""
    return stripe.WebhookSignature.generate_signature_header(payload, secret, timestamp)
