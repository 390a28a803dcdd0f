"""The payout rule: nothing taken twice or lost, adjustments netted once, remainders carried."""

from uuid import uuid4

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.payouts import HoldBalance, plan_payout

holds = st.lists(st.builds(lambda unit, available, clawback: HoldBalance(
    uuid4(), unit, available, clawback), st.sampled_from(["tokens", "minor"]),
    st.integers(0, 20_000), st.integers(0, 5_000)), max_size=12)


@settings(max_examples=500)
@given(holds, st.integers(1, 5_000))
def test_a_payout_takes_what_is_available_nets_once_and_loses_nothing(balances, minimum) -> None:
    plan, why = plan_payout(balances, minimum)
    if plan is None:
        assert why in ("nothing_available", "below_minimum")
        return
    by_hold = {h.hold_id: h for h in balances}
    for line in plan.lines:
        hold = by_hold[line.hold_id]
        assert 0 <= line.amount <= hold.available and 0 <= line.clawback <= hold.clawback
        assert line.unit == hold.unit
    for unit in ("tokens", "minor"):
        available = sum(h.available for h in balances if h.unit == unit)
        owed = sum(h.clawback for h in balances if h.unit == unit)
        taken = sum(line.amount for line in plan.lines if line.unit == unit)
        netted = sum(line.clawback for line in plan.lines if line.unit == unit)
        assert netted == min(owed, available)  # each adjustment netted once, never beyond
        if unit == "tokens":
            assert taken + plan.tokens_carried == available  # nothing lost to conversion
            assert 0 <= plan.tokens_carried <= 4 and plan.tokens_converted % 5 == 0
            assert plan.owed_tokens == owed - netted
        else:
            assert taken == available and plan.owed_minor == owed - netted
    assert plan.amount_minor == plan.tokens_converted // 5 * 2 + plan.minor_taken - \
        plan.minor_netted >= minimum
