"""Interfaces the application depends on; adapters implement them, tests swap in fakes of them."""

from dataclasses import dataclass, field
from typing import Any, Protocol

from domain.catalogue import TokenPack


@dataclass(frozen=True)
class CheckoutSession:
    id: str
    url: str


@dataclass(frozen=True)
class CheckoutSessionInfo:
    id: str
    payment_intent_id: str | None
    amount_total_minor: int | None
    metadata: dict[str, str] = field(default_factory=dict)


class PaymentGateway(Protocol):
    def create_checkout_session(self, *, pack: TokenPack, fan_id: str, success_url: str,
                                cancel_url: str, idempotency_key: str) -> CheckoutSession: ...

    def find_checkout_session(self, payment_intent_id: str) -> CheckoutSessionInfo | None: ...

    def parse_webhook(self, payload: bytes, signature_header: str) -> dict[str, Any]:
        """Verify the signature and return the event; raise WebhookSignatureError otherwise."""
        ...


class PurchaseIndex(Protocol):
    """Read-side lookup of the checkout session behind a payment intent (may lag the ledger)."""

    def session_for_payment_intent(self, payment_intent_id: str) -> str | None: ...


class DueHolds(Protocol):
    def due_hold_ids(self, now_iso: str, limit: int) -> list[str]: ...
