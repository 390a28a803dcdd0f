"""Domain errors carry a stable machine-readable code so the API can map them without parsing text."""


class DomainError(Exception):
    code = "domain_error"
    details: object = None  # machine-readable specifics, when a message is not enough

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidAmountError(DomainError):
    code = "invalid_amount"


class InsufficientFundsError(DomainError):
    code = "insufficient_funds"


class WalletFrozenError(DomainError):
    code = "wallet_frozen"


class UnknownCreatorError(DomainError):
    code = "unknown_creator"


class CreatorCannotReceiveError(DomainError):
    code = "creator_cannot_receive"


class SelfTipError(DomainError):
    code = "self_tip"


class UnknownPackError(DomainError):
    code = "unknown_pack"


class InvalidTransitionError(DomainError):
    code = "invalid_transition"


class HoldNotDueError(DomainError):
    code = "hold_not_due"
