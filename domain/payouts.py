"""What a payout pays: a pure rule over a creator's holds.

Per unit, a payout takes everything available and nets the outstanding negative adjustments of
that unit, never more than what it takes (a creator owing more than they earned carries the rest
as a negative balance). Tokens left after netting convert at 250 per £1, floored to the 5 tokens
that make 2p; the 0–4 tokens too few to convert stay available on a hold for the next payout.
Pence add as they are. Below the minimum nothing is paid and everything carries.

    amount_minor = (net tokens // 5) × 2 + net pence
"""

from dataclasses import dataclass, field
from uuid import UUID

from domain.money import tokens_to_minor


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
    clawback: int  # netted


@dataclass
class PayoutPlan:
    lines: list[PayoutLine] = field(default_factory=list)
    tokens_taken: int = 0
    tokens_netted: int = 0
    tokens_converted: int = 0
    tokens_carried: int = 0  # the remainder too few to convert, left available
    minor_from_tokens: int = 0
    minor_taken: int = 0
    minor_netted: int = 0
    amount_minor: int = 0
    owed_tokens: int = 0  # negative adjustments larger than what there was to net them from
    owed_minor: int = 0


def plan_payout(holds: list[HoldBalance], minimum_minor: int) -> tuple[PayoutPlan | None, str]:
    """The payout to make, or None and why not."""
    plan = PayoutPlan()
    for unit in ("tokens", "minor"):
        mine = [h for h in holds if h.unit == unit]
        available = sum(h.available for h in mine)
        owed = sum(h.clawback for h in mine)
        netted = min(owed, available)
        carried = 0
        if unit == "tokens":
            carried = tokens_to_minor(available - netted).remainder_tokens
        taken = _take(mine, available - carried, netted, plan.lines, unit)
        if unit == "tokens":
            plan.tokens_taken, plan.tokens_netted, plan.tokens_carried = taken, netted, carried
            plan.tokens_converted = taken - netted
            plan.minor_from_tokens = tokens_to_minor(plan.tokens_converted).amount_minor
            plan.owed_tokens = owed - netted
        else:
            plan.minor_taken, plan.minor_netted, plan.owed_minor = taken, netted, owed - netted
    plan.amount_minor = plan.minor_from_tokens + plan.minor_taken - plan.minor_netted
    if not plan.lines:
        return None, "nothing_available"
    if plan.amount_minor < minimum_minor:
        return None, "below_minimum"
    return plan, "payable"


def _take(holds: list[HoldBalance], take: int, net: int, lines: list[PayoutLine],
          unit: str) -> int:
    """Spread what is taken and netted over the holds, oldest first; returns what was taken."""
    taken = 0
    for hold in holds:
        amount = min(hold.available, take - taken)
        clawback = min(hold.clawback, net)
        net -= clawback
        taken += amount
        if amount or clawback:
            lines.append(PayoutLine(hold.hold_id, unit, amount, clawback))
    return taken
