"""Prices and limits from the product spec. Changing them never rewrites history: events store amounts."""

from dataclasses import dataclass


@dataclass(frozen=True)
class TokenPack:
    sku: str
    name: str
    price_minor: int
    tokens: int
    best_value: bool = False


CURRENCY = "gbp"

TOKEN_PACKS: tuple[TokenPack, ...] = (
    TokenPack("pack_500", "Starter", 499, 500),
    TokenPack("pack_1200", "Popular", 999, 1_200, best_value=True),
    TokenPack("pack_2600", "Value", 1_999, 2_600),
    TokenPack("pack_5500", "Mega", 3_999, 5_500),
)

EXTRA_MESSAGE_TOKENS = 100
TIP_PRESETS_TOKENS: tuple[int, ...] = (250, 500, 1_250, 2_500)
TIP_MIN_TOKENS = 1
TIP_MAX_TOKENS = 50_000


def find_pack(sku: str) -> TokenPack | None:
    return next((pack for pack in TOKEN_PACKS if pack.sku == sku), None)
