"""Interfaces the application depends on; adapters implement them, tests swap in fakes of them."""

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from domain.catalogue import TokenPack
from domain.errors import DomainError

# What the ports raise: the adapters behind them translate their providers' failures to these.

class PaymentProviderError(DomainError):
    """Stripe could not be reached or answered with a server error: worth retrying."""

    code = "payment_provider_error"


class PaymentRefusedError(PaymentProviderError):
    """Stripe refused the request itself (an invalid request, a disabled account): retrying
    the same request cannot succeed."""

    code = "payment_refused"


class WebhookSignatureError(DomainError):
    code = "invalid_signature"


class ModelProviderError(DomainError):
    code = "model_provider_error"


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


@dataclass(frozen=True)
class SubscriptionPlan:
    """What a fan subscribes to: one persona, monthly, at its price when they subscribed."""

    fan_id: str
    persona_id: str
    product_name: str
    price_minor: int
    currency: str


class PaymentGateway(Protocol):
    """Stripe: payments, Billing, Connect and Identity (a fan's proof of age)."""

    def create_verification_session(self, *, fan_id: str, return_url: str,
                                    idempotency_key: str) -> "IdentitySession": ...

    def create_checkout_session(self, *, pack: TokenPack, fan_id: str, success_url: str,
                                cancel_url: str, idempotency_key: str) -> CheckoutSession: ...

    def create_subscription_checkout(self, *, plan: SubscriptionPlan, success_url: str,
                                     cancel_url: str, idempotency_key: str) -> CheckoutSession:
        """Stripe Checkout in subscription mode: Billing invoices it monthly from then on."""
        ...

    def set_cancel_at_period_end(self, *, stripe_subscription_id: str, cancel: bool,
                                 idempotency_key: str) -> None:
        """Cancel at the period's end (or take that back); Stripe confirms with a webhook."""
        ...

    def find_checkout_session(self, payment_intent_id: str) -> CheckoutSessionInfo | None: ...

    def create_connect_account(self, *, creator_user_id: str, country: str | None,
                               business_type: str | None, idempotency_key: str) -> str:
        """A Stripe Connect Express account for the creator; returns its id."""
        ...

    def create_onboarding_link(self, *, account_id: str, refresh_url: str,
                               return_url: str) -> str:
        """A one-time URL where the creator completes Stripe's KYC."""
        ...

    def create_transfer(self, *, payout_id: str, account_id: str, amount_minor: int,
                        currency: str, idempotency_key: str) -> str:
        """A Stripe Transfer from the platform to the creator's Connect account; its id.
        Raises PaymentRefusedError if Stripe refuses it, PaymentProviderError if unreachable."""
        ...

    def create_bank_payout(self, *, payout_id: str, account_id: str, amount_minor: int,
                           currency: str, idempotency_key: str) -> str:
        """A Stripe Payout on the Connect account to the creator's bank; its id."""
        ...

    def create_transfer_reversal(self, *, payout_id: str, transfer_id: str, amount_minor: int,
                                 idempotency_key: str) -> str:
        """Take a transfer back from the Connect account (its bank keeps refusing the money);
        the reversal's id. Raises PaymentRefusedError or PaymentProviderError like a transfer."""
        ...

    def balance_transactions(self, created_from: int, created_until: int
                             ) -> Iterator[dict[str, Any]]:
        """Stripe's balance transactions created in [from, until) (Unix seconds), every page,
        each with its source object (charge, refund, dispute or transfer) expanded."""
        ...

    def parse_webhook(self, payload: bytes, signature_header: str) -> dict[str, Any]:
        """Verify the signature and return the event; raise WebhookSignatureError otherwise."""
        ...


class PurchaseIndex(Protocol):
    """Read-side lookup of the checkout session behind a payment intent (may lag the ledger)."""

    def session_for_payment_intent(self, payment_intent_id: str) -> str | None: ...


class InvoiceIndex(Protocol):
    """Read-side lookup of the subscription invoice a payment intent paid (may lag the ledger)."""

    def invoice_for_payment_intent(self, payment_intent_id: str) -> str | None: ...


class DueHolds(Protocol):
    def due_hold_ids(self, now_iso: str, limit: int) -> list[str]: ...


@dataclass(frozen=True)
class ChatMessage:
    role: str  # "user" or "assistant"
    content: str


# The first line of a system prompt that asks for a reviewer's second opinion (JSON), not a
# chat reply: a model stand-in may answer it differently (application/safety/second_opinion.py).
REVIEW_PROMPT_MARKER = "LYRA-REVIEW-OPINION"


class ChatModel(Protocol):
    # Whether it rates the fan's message when asked (application/chat/model_gate.py): a provider
    # does; the offline stand-in reads nothing and is not asked.
    rates_messages: bool

    def reply(self, system: str, messages: list[ChatMessage], max_tokens: int) -> str: ...

    def stream(self, system: str, messages: list[ChatMessage], max_tokens: int
               ) -> Iterator[str]:
        """The reply in pieces as the model writes it; ModelProviderError if it fails, at any
        point (before the first piece or after some)."""
        ...


@dataclass(frozen=True)
class IdentitySession:
    id: str
    url: str


class IdentityVerifier(Protocol):
    """Proof of a fan's age (Stripe Identity, or the simulator's)."""

    def create_verification_session(self, *, fan_id: str, return_url: str,
                                    idempotency_key: str) -> IdentitySession: ...


class ThreadTips(Protocol):
    def tips_in_thread(self, fan_id: str, thread_id: str,
                       since_iso: str | None = None) -> list[tuple[str, int]]:
        """(tip id, tokens) of the fan's standing tips sent in the thread (since then), oldest
        first."""
        ...


class PendingMessageCharges(Protocol):
    def pending_message_charges(self, charged_before_iso: str, limit: int) -> list[str]:
        """Ids of message charges neither delivered nor given back, charged before then."""
        ...

    def pending_included_turns(self, sent_before_iso: str, limit: int) -> list[tuple[str, str]]:
        """(thread id, message id) of included messages with no reply yet, sent before then."""
        ...


class MediaStore(Protocol):
    """Content-addressed bytes: stored once by SHA-256, read back by it."""

    def put(self, sha256: str, chunks: Iterator[bytes]) -> None:
        """Store the bytes under their hash (a second put of the same hash is a no-op)."""
        ...

    def read(self, sha256: str) -> Iterator[bytes] | None:
        """The bytes in chunks, or None if nothing is stored under the hash."""
        ...

    def stored_before(self, moment: datetime) -> Iterator[tuple[str, bool]]:
        """(name, is_partial) of what was last written before the moment: each hash, and each
        partial upload a crash left behind."""
        ...

    def delete(self, name: str, is_partial: bool = False) -> None:
        """Remove a hash's bytes (or a partial upload); nothing there is not an error."""
        ...

    def link(self, sha256: str, content_type: str) -> str | None:
        """A short-lived link the browser fetches the bytes from directly (an object store's
        presigned URL), or None when LYRA serves them itself."""
        ...


@dataclass(frozen=True)
class Rendition:
    """One derived size of an image: what fans are served instead of the full picture."""

    data: bytes
    content_type: str
    width: int
    height: int


@dataclass(frozen=True)
class ProcessedImage:
    data: bytes  # the full image, re-encoded from its pixels
    content_type: str
    width: int
    height: int
    # thumb (320 px), preview (1280 px) and teaser (heavily blurred, from 16 px): by name
    renditions: dict[str, Rendition] = field(default_factory=dict)


class UnreadableImageError(DomainError):
    """Not an image that decodes in full as the type its bytes claim, or too many pixels."""

    code = "unreadable_image"


class ImageProcessor(Protocol):
    def process(self, data: bytes, content_type: str) -> ProcessedImage:
        """The image re-encoded from its pixels, upright, with no metadata but its colour
        profile, and its derived sizes; raises UnreadableImageError."""
        ...


class CheckpointSigner(Protocol):
    """Signs the ledger's checkpoints (Ed25519: adapters/signing/)."""

    @property
    def public_key(self) -> bytes: ...  # raw, 32 bytes

    @property
    def key_id(self) -> str: ...  # hex of the first 8 bytes of sha256(public_key)

    def sign(self, message: bytes) -> bytes: ...


class UnplayableVideoError(DomainError):
    """Not a video a browser plays: no video stream, a codec browsers lack, or not a video at
    all under a video's header."""

    code = "unplayable_video"


class VideoToolsMissingError(DomainError):
    code = "video_unavailable"


@dataclass(frozen=True)
class VideoInfo:
    duration_s: float
    width: int
    height: int
    video_codec: str
    audio_codec: str | None
    container: str  # mp4 or webm: what it is served as


@dataclass(frozen=True)
class PreparedVideo:
    path: str  # the file to serve: streams copied, metadata gone, index at the front
    content_type: str
    poster_png: bytes  # a frame from its first second (or its middle, if shorter)
    info: VideoInfo


class VideoProcessor(Protocol):
    def probe(self, path: str) -> VideoInfo:
        """What the file is; raises UnplayableVideoError."""
        ...

    def prepare(self, path: str, out_dir: str) -> PreparedVideo:
        """The file made safe to serve, and its poster frame; raises UnplayableVideoError."""
        ...
