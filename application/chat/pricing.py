"""What the fan's next message will cost: a subscriber's included messages for the period come
first, then each message is paid in tokens at the mode's price. Stateless and shared."""

from dataclasses import asdict, dataclass
from typing import Any

from domain.aggregates.message_allowance import MessageAllowance

INCLUDED = "included"
TOKENS = "tokens"


@dataclass(frozen=True)
class NextMessage:
    paid_by: str
    price_tokens: int  # 0 when included
    message_price_tokens: int  # what a paid message costs in this mode
    included_remaining: int
    included_per_period: int
    period_start: str | None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def next_message(included_per_period: int, period_start: str | None,
                 allowance: MessageAllowance | None, message_price_tokens: int) -> NextMessage:
    remaining = included_per_period if allowance is None else allowance.remaining
    if period_start is None:
        remaining = 0
    if remaining > 0:
        return NextMessage(INCLUDED, 0, message_price_tokens, remaining, included_per_period,
                           period_start)
    return NextMessage(TOKENS, message_price_tokens, message_price_tokens, 0,
                       included_per_period, period_start)
