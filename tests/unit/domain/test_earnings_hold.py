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


steps = st.lists(st.one_of(st.just(("release",)),
                           st.tuples(st.just("reserve"), st.integers(0, 3_000),
                                     st.integers(0, 3_000), st.integers(0, 4)),
                           st.just(("settle",)), st.just(("return",)),
                           st.just(("return_settled",)),
                           st.tuples(st.just("reverse"), st.integers(1, 3_000)),
                           st.tuples(st.just("reinstate"), st.integers(1, 3_000))), max_size=14)


def pay_out(hold: EarningsHold, ref: str, at: datetime) -> None:
    """A payout of everything available, settled."""
    hold.reserve(ref, hold.available, 0, at)
    hold.settle(ref, at)


@settings(max_examples=400)
@given(st.integers(1, 50_000), st.integers(0, 10_000), steps, st.sampled_from(["tokens", "minor"]))
def test_each_unit_is_in_exactly_one_state(tip_tokens: int, bps: int, history: list,
                                           unit: str) -> None:
    hold = new_hold(tip_tokens, bps, unit)
    other = "minor" if unit == "tokens" else "tokens"
    payouts = 0
    for step in history:
        if step[0] == "release" and hold.status == "held":
            hold.release(START + timedelta(days=14))
        elif step[0] == "reserve":
            amount, clawback = min(step[1], hold.available), min(step[2], hold.clawback)
            # Pence that recovered a token debt in whole 5-token steps give 0-4 tokens back.
            change = step[3] if unit == "tokens" and clawback else 0
            if amount + clawback:
                payouts += 1
                hold.reserve(f"po_{payouts}", amount, clawback, START + timedelta(days=20),
                             change=change)
        elif step[0] in ("settle", "return") and hold.reservations:
            ref = next(iter(hold.reservations))
            if step[0] == "settle":
                hold.settle(ref, START + timedelta(days=21))
            else:
                hold.return_reservation(ref, "transfer_failed", START + timedelta(days=21))
        elif step[0] == "return_settled" and hold.settled_payouts:
            hold.return_reservation(next(iter(hold.settled_payouts)), "transfer_reversed",
                                    START + timedelta(days=25))
        elif step[0] == "reverse":
            source = min(step[1], hold.source_amount - hold.source_clawed)
            if source:
                hold.reverse_source(source, "refund", START)
        elif step[0] == "reinstate":
            source = min(step[1], hold.source_clawed)
            if source:
                hold.reinstate_source(source, "dispute_won", START)
        # What stands reversed (or clawed back) is a function of the source tokens reversed
        # alone, so any order of reversals and reinstatements lands on the same figures; a
        # reversed payout's overpayment is the one clawback no reversal caused.
        assert hold.reversed + hold.clawed - hold.overpaid == (
            hold.amount * hold.source_clawed // hold.source_amount)
        # A payout's netting may credit the earning beyond its amount (change, or a forgiven
        # netting it had no paid amount to return from); nothing is ever negative.
        assert hold.held + hold.available + hold.in_payout + hold.paid + hold.reversed == \
            hold.amount + hold.credit
        assert min(hold.held, hold.available, hold.in_payout, hold.paid, hold.reversed,
                   hold.clawback, hold.clawback_in_payout, hold.clawback_recovered,
                   hold.credit, hold.overpaid) >= 0
        assert hold.reversed + hold.clawed - hold.overpaid <= hold.amount
        assert sum(r[0] for r in hold.reservations.values()) == hold.in_payout
        assert sum(r[1] for r in hold.reservations.values()) == hold.clawback_in_payout
        # Read in a named unit, the hold is all in its own and nothing in the other.
        for state in ("held", "available", "in_payout", "paid", "reversed", "clawback", "amount"):
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
    pay_out(hold, "po_1", START + timedelta(days=15))
    assert hold.reverse_source(1_000, "dispute", START + timedelta(days=16)) == 700
    assert (hold.paid_tokens, hold.clawback_tokens, hold.reversed_tokens) == (700, 700, 0)
    with pytest.raises(InvalidAmountError):
        hold.reverse_source(1, "dispute", START)


def test_a_won_dispute_cancels_an_outstanding_clawback_instead_of_paying_twice() -> None:
    hold = new_hold(1_000)
    hold.release(START + timedelta(days=14))
    pay_out(hold, "po_1", START + timedelta(days=15))
    hold.reverse_source(1_000, "dispute", START + timedelta(days=16))
    assert hold.reinstate_source(1_000, "dispute_won", START + timedelta(days=30)) == 700
    assert (hold.paid_tokens, hold.clawback_tokens, hold.available_tokens) == (700, 0, 0)


def test_a_payout_takes_part_nets_a_clawback_and_a_failed_one_gives_everything_back() -> None:
    hold = new_hold(1_000)
    hold.release(START + timedelta(days=14))
    hold.reserve("po_1", 500, 0, START + timedelta(days=15))
    assert (hold.available, hold.in_payout) == (200, 500)
    with pytest.raises(InvalidAmountError):
        hold.reserve("po_2", 201, 0, START)  # never more than is available
    hold.reverse_source(1_000, "dispute", START + timedelta(days=16))
    assert (hold.reversed, hold.clawback) == (200, 500)  # the open part reversed, the rest owed
    hold.return_reservation("po_1", "transfer_failed", START + timedelta(days=17))
    assert (hold.available, hold.in_payout, hold.clawback) == (500, 0, 500)
    hold.reserve("po_2", 500, 500, START + timedelta(days=18))  # earnings and debt net to 0
    hold.settle("po_2", START + timedelta(days=19))
    assert (hold.paid, hold.clawback, hold.clawback_recovered) == (500, 0, 500)


def test_a_won_dispute_after_its_clawback_was_recovered_is_owed_again() -> None:
    hold = new_hold(1_000)
    hold.release(START + timedelta(days=14))
    pay_out(hold, "po_1", START + timedelta(days=15))
    hold.reverse_source(1_000, "dispute", START + timedelta(days=16))
    hold.reserve("po_2", 0, 700, START + timedelta(days=17))  # netted in another payout
    hold.settle("po_2", START + timedelta(days=18))
    assert hold.reinstate_source(1_000, "dispute_won", START + timedelta(days=30)) == 700
    assert (hold.available, hold.paid, hold.clawback_recovered) == (700, 0, 0)


def test_a_won_dispute_re_earns_a_held_share_with_its_original_release_time() -> None:
    hold = new_hold(1_000)
    hold.reverse_source(400, "dispute", START + timedelta(days=1))
    assert hold.reinstate_source(400, "dispute_won", START + timedelta(days=2)) == 280
    assert (hold.held_tokens, hold.reversed_tokens) == (700, 0)
    assert hold.release_at == START + timedelta(days=14)


def clawback_being_netted() -> EarningsHold:
    """700 paid, then clawed back by a dispute, and a second payout netting all of it."""
    hold = new_hold(1_000)
    hold.release(START + timedelta(days=14))
    pay_out(hold, "po_1", START + timedelta(days=15))
    hold.reverse_source(1_000, "dispute", START + timedelta(days=16))
    hold.reserve("po_2", 0, 700, START + timedelta(days=17))
    return hold


def test_a_dispute_won_while_a_payout_nets_its_clawback_is_owed_back_when_that_payout_is_paid(
) -> None:
    hold = clawback_being_netted()
    assert hold.reinstate_source(1_000, "dispute_won", START + timedelta(days=18)) == 700
    assert (hold.clawback, hold.clawback_in_payout, hold.available) == (0, 0, 0)
    hold.settle("po_2", START + timedelta(days=19))  # the transfer was 700 smaller
    assert (hold.available, hold.paid, hold.clawback_recovered) == (700, 0, 0)


def test_a_dispute_won_while_a_payout_nets_its_clawback_is_simply_dropped_if_it_fails() -> None:
    hold = clawback_being_netted()
    hold.reinstate_source(1_000, "dispute_won", START + timedelta(days=18))
    hold.return_reservation("po_2", "transfer_failed", START + timedelta(days=19))
    assert (hold.available, hold.paid, hold.clawback) == (0, 700, 0)  # paid once, owes nothing


def test_a_reversed_payout_takes_back_what_its_netting_made_owed_and_carries_any_overpayment(
) -> None:
    hold = clawback_being_netted()
    hold.reinstate_source(1_000, "dispute_won", START + timedelta(days=18))
    hold.settle("po_2", START + timedelta(days=19))
    pay_out(hold, "po_3", START + timedelta(days=20))  # the 700 owed back is paid out
    hold.return_reservation("po_2", "transfer_reversed", START + timedelta(days=21))
    # po_2 never netted after all, so po_3's 700 was paid twice: owed by the creator.
    assert (hold.available, hold.paid, hold.clawback, hold.overpaid) == (0, 700, 700, 700)
