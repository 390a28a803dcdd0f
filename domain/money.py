"""Integer money: tokens and GBP minor units (pence). No floats come near these functions."""

from dataclasses import dataclass

BPS_DENOMINATOR = 10_000
TOKENS_PER_GBP = 250
MINOR_PER_GBP = 100
# 250 tokens = 100p, so the smallest exact exchange is 5 tokens = 2p.
TOKENS_PER_EXCHANGE_UNIT = 5
MINOR_PER_EXCHANGE_UNIT = 2


@dataclass(frozen=True)
class Split:
    creator_tokens: int
    platform_tokens: int


@dataclass(frozen=True)
class SplitMinor:
    creator_minor: int
    platform_minor: int


def _creator_share(amount: int, creator_bps: int) -> int:
    """Creator share floors; the platform takes the remainder, so the parts always sum exactly.
    The same rule in either unit."""
    if amount < 0:
        raise ValueError("amount must be non-negative")
    if not 0 <= creator_bps <= BPS_DENOMINATOR:
        raise ValueError("creator_bps must be within 0..10000")
    return amount * creator_bps // BPS_DENOMINATOR


def split(amount_tokens: int, creator_bps: int) -> Split:
    creator_tokens = _creator_share(amount_tokens, creator_bps)
    return Split(creator_tokens=creator_tokens, platform_tokens=amount_tokens - creator_tokens)


def split_minor(amount_minor: int, creator_bps: int) -> SplitMinor:
    """A card payment's split (a subscription invoice), in pence."""
    creator_minor = _creator_share(amount_minor, creator_bps)
    return SplitMinor(creator_minor=creator_minor, platform_minor=amount_minor - creator_minor)


@dataclass(frozen=True)
class Conversion:
    amount_minor: int
    remainder_tokens: int


def tokens_to_minor(amount_tokens: int) -> Conversion:
    """Floor to whole pence; the tokens too few to make 2p are carried, never dropped."""
    if amount_tokens < 0:
        raise ValueError("amount_tokens must be non-negative")
    units, remainder_tokens = divmod(amount_tokens, TOKENS_PER_EXCHANGE_UNIT)
    return Conversion(amount_minor=units * MINOR_PER_EXCHANGE_UNIT, remainder_tokens=remainder_tokens)


def proportional_ceil(total: int, part: int, whole: int) -> int:
    """ceil(total * part / whole) in integers: used where rounding must not favour the refunded side."""
    if whole <= 0:
        raise ValueError("whole must be positive")
    return -(-total * part // whole)
