"""What a payout pays: a pure rule over a creator's holds.

A payout takes everything available and nets the outstanding negative adjustments, whatever unit
they arose in (a debt is owed, not a debt in tokens or in pence):

1. each unit's debt against the same unit's available earnings;
2. a token debt still owed against available pence at the payout's rate, in whole 5-token steps
   (2p each) rounded up; the 0–4 tokens recovered beyond the debt are the creator's change,
   available again in tokens once the payout is paid, so every token stays in one place;
3. a pence debt still owed against the pence the available tokens convert to.

Tokens left convert at 250 per £1, floored to the 5 tokens that make 2p; the 0–4 tokens too few to
convert stay available for the next payout. A debt larger than everything available carries
everything (nothing is netted, nothing paid), and so does an amount below the minimum.

    amount_minor = (tokens converted // 5) × 2 + pence taken − pence netted
                   − pence spent on the token debt
    tokens converted = tokens taken − token debt netted against tokens
    pence spent on the token debt × 5 = (token debt netted with pence + change) × 2
"""

from dataclasses import dataclass, field
from uuid import UUID

from domain.money import MINOR_PER_EXCHANGE_UNIT, TOKENS_PER_EXCHANGE_UNIT, tokens_to_minor

NOTHING_AVAILABLE = "nothing_available"
BELOW_MINIMUM = "below_minimum"
DEBT_EXCEEDS_EARNINGS = "debt_exceeds_earnings"
PAYABLE = "payable"


@dataclass(frozen=True)
class HoldBalance:
    hold_id: UUID
    unit: str  # "tokens" or "minor"
    available: int
    clawback: int  # outstanding


@dataclass(frozen=True)
class PayoutLine:
    hold_id: UUID
    unit: str
    amount: int  # taken from available
    clawback: int  # netted (in the hold's unit, whichever unit paid for it)
    change: int = 0  # tokens recovered beyond this hold's debt: available again once paid


@dataclass
class PayoutPlan:
    lines: list[PayoutLine] = field(default_factory=list)
    tokens_taken: int = 0
    tokens_netted: int = 0  # all token debt netted, against tokens or with pence
    tokens_converted: int = 0
    tokens_carried: int = 0  # the remainder too few to convert, left available
    minor_from_tokens: int = 0
    minor_taken: int = 0
    minor_netted: int = 0  # all pence debt netted, against pence or with tokens' value
    amount_minor: int = 0
    tokens_netted_with_minor: int = 0  # of tokens_netted, recovered with pence
    minor_for_tokens_debt: int = 0  # the pence that recovered it (whole 2p steps)
    tokens_change: int = 0  # tokens those steps recovered beyond the debt
    minor_netted_with_tokens: int = 0  # of minor_netted, recovered from converted tokens
    owed_tokens: int = 0  # debt still owed after netting (the plan then pays nothing)
    owed_minor: int = 0


def _ceil_div(a: int, b: int) -> int:
    return -(-a // b)


def plan_payout(holds: list[HoldBalance], minimum_minor: int) -> tuple[PayoutPlan | None, str]:
    """The payout to make, or None and why not."""
    tokens = [h for h in holds if h.unit == "tokens"]
    pence = [h for h in holds if h.unit == "minor"]
    available_tokens, owed_tokens = sum(h.available for h in tokens), sum(h.clawback for h in tokens)
    available_minor, owed_minor = sum(h.available for h in pence), sum(h.clawback for h in pence)
    if not (available_tokens or owed_tokens or available_minor or owed_minor):
        return None, NOTHING_AVAILABLE
    plan = PayoutPlan()
    # 1. Each unit's debt against the same unit.
    tokens_against_tokens = min(owed_tokens, available_tokens)
    minor_against_minor = min(owed_minor, available_minor)
    free_tokens = available_tokens - tokens_against_tokens
    free_minor = available_minor - minor_against_minor
    # 2. A token debt still owed against pence, in whole 5-token steps, rounded up.
    token_debt_left = owed_tokens - tokens_against_tokens
    if token_debt_left and free_minor:
        steps = _ceil_div(token_debt_left, TOKENS_PER_EXCHANGE_UNIT)
        if steps * MINOR_PER_EXCHANGE_UNIT > free_minor:
            steps = free_minor // MINOR_PER_EXCHANGE_UNIT
        recovered = min(token_debt_left, steps * TOKENS_PER_EXCHANGE_UNIT)
        plan.tokens_netted_with_minor = recovered
        plan.minor_for_tokens_debt = steps * MINOR_PER_EXCHANGE_UNIT
        plan.tokens_change = steps * TOKENS_PER_EXCHANGE_UNIT - recovered
    # Tokens left convert in whole 5-token steps; the remainder stays available.
    plan.tokens_carried = tokens_to_minor(free_tokens).remainder_tokens
    plan.tokens_converted = free_tokens - plan.tokens_carried
    plan.minor_from_tokens = tokens_to_minor(plan.tokens_converted).amount_minor
    # 3. A pence debt still owed against what those tokens converted to.
    minor_debt_left = owed_minor - minor_against_minor
    plan.minor_netted_with_tokens = min(minor_debt_left, plan.minor_from_tokens)

    plan.tokens_taken = available_tokens - plan.tokens_carried
    plan.tokens_netted = tokens_against_tokens + plan.tokens_netted_with_minor
    plan.minor_taken = available_minor
    plan.minor_netted = minor_against_minor + plan.minor_netted_with_tokens
    plan.owed_tokens = owed_tokens - plan.tokens_netted
    plan.owed_minor = owed_minor - plan.minor_netted
    plan.amount_minor = plan.minor_from_tokens + plan.minor_taken - plan.minor_netted - \
        plan.minor_for_tokens_debt
    _take(tokens, plan.tokens_taken, plan.tokens_netted, plan.lines, "tokens")
    _take(pence, plan.minor_taken, plan.minor_netted, plan.lines, "minor")
    if plan.tokens_change:
        _give_change(plan)
    if plan.owed_tokens or plan.owed_minor:
        return None, DEBT_EXCEEDS_EARNINGS
    if not plan.lines:
        return None, NOTHING_AVAILABLE
    if plan.amount_minor < minimum_minor:
        return None, BELOW_MINIMUM
    return plan, PAYABLE


def _take(holds: list[HoldBalance], take: int, net: int, lines: list[PayoutLine],
          unit: str) -> None:
    """Spread what is taken and netted over the holds, oldest first."""
    for hold in holds:
        amount = min(hold.available, take)
        clawback = min(hold.clawback, net)
        take -= amount
        net -= clawback
        if amount or clawback:
            lines.append(PayoutLine(hold.hold_id, unit, amount, clawback))


def _give_change(plan: PayoutPlan) -> None:
    """The change goes back to the last token hold whose debt the pence recovered."""
    for index in range(len(plan.lines) - 1, -1, -1):
        line = plan.lines[index]
        if line.unit == "tokens" and line.clawback:
            plan.lines[index] = PayoutLine(line.hold_id, line.unit, line.amount, line.clawback,
                                           plan.tokens_change)
            return
    raise AssertionError("change without a token debt netted")
