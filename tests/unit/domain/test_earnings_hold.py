"""EarningsHold: every token (or penny) is in exactly one of held, available, paid, reversed."""

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.aggregates.earnings_hold import EarningsHold
from domain.errors import HoldNotDueError, InvalidAmountError
from domain.money import split

START = datetime(2026, 1, 1, tzinfo=UTC)


def new_hold(tip_tokens: int, bps: int = 7_000, unit: str = "tokens") -> EarningsHold:
    if unit == "minor":
        return EarningsHold.hold_minor(source_kind="subscription", source_id=uuid4(),
                                       creator_id="c", amount_minor=tip_tokens * bps // 10_000,
                                       source_amount_minor=tip_tokens, earned_at=START,
                                       hold_period=timedelta(days=14))
    return EarningsHold.hold(source_kind="tip", source_id=uuid4(), creator_id="c",
                             amount_tokens=split(tip_tokens, bps).creator_tokens,
                             source_amount_tokens=tip_tokens, earned_at=START,
                             hold_period=timedelta(days=14))


steps = st.lists(st.one_of(st.just(("release",)), st.just(("pay",)),
                           st.tuples(st.just("reverse"), st.integers(1, 3_000)),
                           st.tuples(st.just("reinstate"), st.integers(1, 3_000))), max_size=12)


@settings(max_examples=400)
@given(st.integers(1, 50_000), st.integers(0, 10_000), steps, st.sampled_from(["tokens", "minor"]))
def test_each_unit_is_in_exactly_one_state(tip_tokens: int, bps: int, history: list,
                                           unit: str) -> None:
    hold = new_hold(tip_tokens, bps, unit)
    other = "minor" if unit == "tokens" else "tokens"
    for step in history:
        if step[0] == "release" and hold.status == "held":
            hold.release(START + timedelta(days=14))
        elif step[0] == "pay" and hold.status == "available":
            hold.mark_paid("payout-1", START + timedelta(days=20))
        elif step[0] == "reverse":
            source = min(step[1], hold.source_amount - hold.source_clawed)
            if source:
                hold.reverse_source(source, "refund", START)
        elif step[0] == "reinstate":
            source = min(step[1], hold.source_clawed)
            if source:
                hold.reinstate_source(source, "dispute_won", START)
        # What stands reversed (or clawed back) is a function of the source tokens reversed
        # alone, so any order of reversals and reinstatements lands on the same figures.
        assert hold.reversed + hold.clawback == (
            hold.amount * hold.source_clawed // hold.source_amount)
        assert hold.held + hold.available + hold.paid + hold.reversed == hold.amount
        assert min(hold.held, hold.available, hold.paid, hold.reversed, hold.clawback) >= 0
        assert hold.reversed + hold.clawback <= hold.amount
        # Read in a named unit, the hold is all in its own and nothing in the other.
        for state in ("held", "available", "paid", "reversed", "clawback", "amount"):
            assert getattr(hold, f"{state}_{unit}") == getattr(hold, state)
            assert getattr(hold, f"{state}_{other}") == 0
    for recorded in hold.collect_events():
        for name in ("amount", "source", "from_clawback"):
            assert getattr(recorded, f"{name}_{other}", 0) == 0


@given(st.integers(1, 50_000), st.lists(st.integers(1, 5_000), min_size=1, max_size=20))
def test_partial_reversals_sum_exactly_to_the_whole_earning(tip_tokens: int, parts: list) -> None:
    hold = new_hold(tip_tokens)
    for part in parts:
        remaining = hold.source_amount - hold.source_clawed
        if remaining:
            hold.reverse_source(min(part, remaining), "refund", START)
    remaining = hold.source_amount - hold.source_clawed
    if remaining:
        hold.reverse_source(remaining, "refund", START)
    assert hold.reversed_tokens == hold.amount_tokens and hold.held_tokens == 0


def test_hold_releases_after_fourteen_days_not_before() -> None:
    hold = new_hold(1_000)
    with pytest.raises(HoldNotDueError):
        hold.release(START + timedelta(days=14) - timedelta(microseconds=1))
    hold.release(START + timedelta(days=14))
    assert (hold.held_tokens, hold.available_tokens) == (0, 700)


def test_reversal_after_payout_is_a_clawback_not_a_negative_payment() -> None:
    hold = new_hold(1_000)
    hold.release(START + timedelta(days=14))
    hold.mark_paid("po_1", START + timedelta(days=15))
    assert hold.reverse_source(1_000, "dispute", START + timedelta(days=16)) == 700
    assert (hold.paid_tokens, hold.clawback_tokens, hold.reversed_tokens) == (700, 700, 0)
    with pytest.raises(InvalidAmountError):
        hold.reverse_source(1, "dispute", START)


def test_a_won_dispute_cancels_an_outstanding_clawback_instead_of_paying_twice() -> None:
    hold = new_hold(1_000)
    hold.release(START + timedelta(days=14))
    hold.mark_paid("po_1", START + timedelta(days=15))
    hold.reverse_source(1_000, "dispute", START + timedelta(days=16))
    assert hold.reinstate_source(1_000, "dispute_won", START + timedelta(days=30)) == 700
    assert (hold.paid_tokens, hold.clawback_tokens, hold.available_tokens) == (700, 0, 0)


def test_a_won_dispute_re_earns_a_held_share_with_its_original_release_time() -> None:
    hold = new_hold(1_000)
    hold.reverse_source(400, "dispute", START + timedelta(days=1))
    assert hold.reinstate_source(400, "dispute_won", START + timedelta(days=2)) == 280
    assert (hold.held_tokens, hold.reversed_tokens) == (700, 0)
    assert hold.release_at == START + timedelta(days=14)
