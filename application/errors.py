"""Application-level failures (the domain's own live in domain.errors); each has a stable code."""

from domain.errors import DomainError


class IdempotencyConflictError(DomainError):
    code = "idempotency_key_reused"


class ConcurrencyExhaustedError(DomainError):
    code = "concurrency_conflict"


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


class UnknownWalletError(DomainError):
    code = "unknown_wallet"
