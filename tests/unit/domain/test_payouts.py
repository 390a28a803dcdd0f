"""The payout rule: nothing taken twice or lost, adjustments netted once and across units,
remainders and change kept in tokens, a debt larger than the earnings carrying everything."""

from uuid import uuid4

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.payouts import HoldBalance, plan_payout

holds = st.lists(st.builds(lambda unit, available, clawback: HoldBalance(
    uuid4(), unit, available, clawback), st.sampled_from(["tokens", "minor"]),
    st.integers(0, 20_000), st.integers(0, 5_000) | st.just(0)), max_size=12)


def _value_in_fifths_of_a_penny(tokens: int, minor: int) -> int:
    """5 tokens = 2p, so 1 token = 2/5p: a value both units share exactly."""
    return tokens * 2 + minor * 5


@settings(max_examples=1_000)
@given(holds, st.integers(1, 5_000))
def test_a_payout_takes_what_is_available_nets_once_and_loses_nothing(balances, minimum) -> None:
    plan, why = plan_payout(balances, minimum)
    available = {u: sum(h.available for h in balances if h.unit == u) for u in ("tokens", "minor")}
    owed = {u: sum(h.clawback for h in balances if h.unit == u) for u in ("tokens", "minor")}
    if plan is None:
        assert why in ("nothing_available", "below_minimum", "debt_exceeds_earnings")
        if why == "debt_exceeds_earnings":  # the debt is worth more than everything available
            assert _value_in_fifths_of_a_penny(owed["tokens"], owed["minor"]) > \
                _value_in_fifths_of_a_penny(available["tokens"], available["minor"]) - 8
        return
    by_hold = {h.hold_id: h for h in balances}
    for line in plan.lines:
        hold = by_hold[line.hold_id]
        assert 0 <= line.amount <= hold.available and 0 <= line.clawback <= hold.clawback
        assert line.unit == hold.unit and (line.change == 0 or line.unit == "tokens")
    taken = {u: sum(line.amount for line in plan.lines if line.unit == u) for u in available}
    netted = {u: sum(line.clawback for line in plan.lines if line.unit == u) for u in available}
    # Every debt is netted, once, whatever unit it arose in; nothing is owed after a payout.
    assert netted == owed and plan.owed_tokens == plan.owed_minor == 0
    assert (plan.tokens_netted, plan.minor_netted) == (owed["tokens"], owed["minor"])
    # Nothing lost to conversion: what is not taken stays available (0-4 tokens).
    assert taken["tokens"] + plan.tokens_carried == available["tokens"]
    assert taken["minor"] == available["minor"]
    assert 0 <= plan.tokens_carried <= 4 and plan.tokens_converted % 5 == 0
    assert 0 <= plan.tokens_change <= 4
    assert sum(line.change for line in plan.lines) == plan.tokens_change
    # A token debt is netted against tokens before pence; the steps of pence round up.
    assert plan.tokens_netted_with_minor == max(0, owed["tokens"] - available["tokens"])
    assert plan.minor_for_tokens_debt * 5 == (plan.tokens_netted_with_minor +
                                              plan.tokens_change) * 2
    assert plan.minor_netted_with_tokens == max(0, owed["minor"] - available["minor"])
    assert plan.amount_minor == plan.tokens_converted // 5 * 2 + plan.minor_taken - \
        plan.minor_netted - plan.minor_for_tokens_debt >= minimum
    # Value is conserved: what is sent + what stays (carried, change) == available - owed.
    assert _value_in_fifths_of_a_penny(plan.tokens_carried + plan.tokens_change,
                                       plan.amount_minor) == _value_in_fifths_of_a_penny(
        available["tokens"] - owed["tokens"], available["minor"] - owed["minor"])


def test_a_token_debt_is_netted_from_pence_when_there_are_no_tokens() -> None:
    """The issue's scenario: 1,225 tokens owed, 3,117p available: 2,627p paid, nothing owed."""
    token_debt, pence = uuid4(), uuid4()
    plan, why = plan_payout([HoldBalance(token_debt, "tokens", 0, 1_225),
                             HoldBalance(pence, "minor", 3_117, 0)], 2_000)
    assert why == "payable" and plan is not None
    assert plan.amount_minor == 2_627 and plan.minor_for_tokens_debt == 490
    assert (plan.tokens_netted_with_minor, plan.tokens_change, plan.owed_tokens) == (1_225, 0, 0)


def test_the_change_of_a_rounded_up_step_goes_back_to_tokens() -> None:
    debt, pence = uuid4(), uuid4()
    plan, _ = plan_payout([HoldBalance(debt, "tokens", 0, 3),
                           HoldBalance(pence, "minor", 3_000, 0)], 1)
    assert plan is not None
    assert (plan.minor_for_tokens_debt, plan.tokens_change, plan.amount_minor) == (2, 2, 2_998)
    assert [(line.hold_id, line.clawback, line.change) for line in plan.lines
            if line.unit == "tokens"] == [(debt, 3, 2)]


def test_a_pence_debt_is_netted_from_what_tokens_convert_to() -> None:
    plan, _ = plan_payout([HoldBalance(uuid4(), "tokens", 10_002, 0),
                           HoldBalance(uuid4(), "minor", 100, 799)], 1)
    assert plan is not None
    # 10,000 tokens convert to 4,000p (2 carried); 100p net 100p of the debt, 699p from tokens.
    assert (plan.tokens_carried, plan.minor_netted_with_tokens, plan.amount_minor) == (
        2, 699, 3_301)


def test_a_debt_larger_than_everything_available_carries_everything() -> None:
    plan, why = plan_payout([HoldBalance(uuid4(), "tokens", 0, 10_000),
                             HoldBalance(uuid4(), "minor", 3_000, 0)], 1)
    assert (plan, why) == (None, "debt_exceeds_earnings")
