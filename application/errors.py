"""Application-level failures (the domain's own live in domain.errors); each has a stable code."""

from domain.errors import DomainError


class IdempotencyConflictError(DomainError):
    code = "idempotency_key_reused"


class UnknownWalletError(DomainError):
    code = "unknown_wallet"
