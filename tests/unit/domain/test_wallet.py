"""Wallet invariants over random histories of credits, spends and reversals (the reversal rule)."""

from datetime import UTC, datetime

import pytest
from eventsourcing.application import project_aggregate
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.aggregates.wallet import SPEND, Wallet
from domain.errors import InsufficientFundsError, InvalidAmountError, WalletFrozenError

NOW = datetime(2026, 1, 1, tzinfo=UTC)

operations = st.lists(st.one_of(
    st.tuples(st.just("credit"), st.integers(0, 5), st.integers(1, 3_000)),
    st.tuples(st.just("spend"), st.integers(1, 2_500)),
    st.tuples(st.just("reverse"), st.integers(0, 5), st.integers(1, 3_000)),
), max_size=40)


def run(history: list[tuple]) -> tuple[Wallet, list]:
    wallet = Wallet(fan_id="fan")
    events: list = list(wallet.collect_events())
    tips = 0
    for op in history:
        try:
            if op[0] == "credit":
                wallet.credit(f"p{op[1]}", op[2], NOW)
            elif op[0] == "spend":
                before = wallet.balance_tokens
                tips += 1
                wallet.spend(op[1], f"tip:{tips}", NOW)
                assert wallet.balance_tokens == before - op[1] >= 0
            else:
                lot = wallet.lots.get(f"p{op[1]}")
                if lot is None:
                    continue
                amount = min(op[2], lot.reversible_tokens)
                if amount:
                    wallet.reverse_purchase(f"p{op[1]}", amount, "refund", NOW)
        except InsufficientFundsError:
            pass
        events.extend(wallet.collect_events())
    return wallet, events


def spend_totals(events: list) -> tuple[dict[str, int], dict[str, int]]:
    """Per spend: tokens spent, and tokens reversed, read from the events alone."""
    spent: dict[str, int] = {}
    reversed_: dict[str, int] = {}
    for event in events:
        if isinstance(event, Wallet.TokensSpent):
            spent[event.ref_id] = event.amount_tokens
        if isinstance(event, Wallet.LotReversed):
            for _index, ref_id, _kind, tokens in event.reversed_spends:
                reversed_[ref_id] = reversed_.get(ref_id, 0) + tokens
    return spent, reversed_


@settings(max_examples=300)
@given(operations)
def test_tokens_in_equal_balance_plus_spent_minus_spends_reversed_plus_reversed(history) -> None:
    wallet, _ = run(history)
    assert wallet.credited_tokens == (wallet.balance_tokens + wallet.spent_tokens
                                      - wallet.spends_reversed_tokens + wallet.reversed_tokens)


@settings(max_examples=300)
@given(operations)
def test_a_reversal_never_drives_the_wallet_negative_nor_freezes_it(history) -> None:
    wallet, _ = run(history)
    assert wallet.balance_tokens >= 0
    assert wallet.debt_tokens == 0
    assert not wallet.is_frozen  # only a dispute freezes, and only by its own event


@settings(max_examples=300)
@given(operations)
def test_every_lot_accounts_for_each_token(history) -> None:
    wallet, _ = run(history)
    for lot in wallet.lots.values():
        standing = sum(c.standing_tokens for c in lot.consumptions)
        assert lot.credited_tokens == lot.remaining_tokens + standing + lot.reversed_tokens
        assert all(0 <= c.gone_tokens <= c.tokens for c in lot.consumptions)


@settings(max_examples=300)
@given(operations)
def test_each_token_of_a_spend_is_funded_by_one_lot_or_reversed_never_both(history) -> None:
    wallet, events = run(history)
    spent, reversed_ = spend_totals(events)
    funded: dict[str, int] = {}
    for lot in wallet.lots.values():
        for c in lot.consumptions:
            funded[c.ref_id] = funded.get(c.ref_id, 0) + c.standing_tokens
    for ref_id, amount in spent.items():
        assert funded.get(ref_id, 0) + reversed_.get(ref_id, 0) == amount
    assert sum(reversed_.values()) == wallet.spends_reversed_tokens


@settings(max_examples=300)
@given(operations)
def test_spends_are_reversed_only_when_no_other_unspent_token_could_fund_them(history) -> None:
    wallet = Wallet(fan_id="fan")
    for op in history:
        try:
            if op[0] == "credit":
                wallet.credit(f"p{op[1]}", op[2], NOW)
            elif op[0] == "spend":
                wallet.spend(op[1], f"tip:{len(history)}:{op[1]}", NOW)
            elif (lot := wallet.lots.get(f"p{op[1]}")) and lot.reversible_tokens:
                plan = wallet.reverse_purchase(f"p{op[1]}", min(op[2], lot.reversible_tokens),
                                               "refund", NOW)
                if plan.resourced_tokens or plan.reversed_spends:
                    assert lot.remaining_tokens == 0  # the lot's unspent tokens went first
                if plan.reversed_spends:
                    assert all(o.remaining_tokens == 0 for o in wallet.lots.values())
        except InsufficientFundsError:
            pass


@settings(max_examples=200)
@given(operations)
def test_replaying_the_events_rebuilds_the_same_wallet(history) -> None:
    wallet, events = run(history)
    rebuilt = project_aggregate(None, events)
    assert rebuilt is not None
    assert rebuilt.lots == wallet.lots
    assert (rebuilt.balance_tokens, rebuilt.spent_tokens, rebuilt.spends_reversed_tokens) == (
        wallet.balance_tokens, wallet.spent_tokens, wallet.spends_reversed_tokens)


@settings(max_examples=300)
@given(operations, st.integers(0, 5), st.integers(1, 3_000))
def test_a_reversal_undone_puts_the_wallet_back_as_it_was(history, lot_number, amount) -> None:
    wallet, events = run(history)
    lot = wallet.lots.get(f"p{lot_number}")
    if lot is None or not lot.reversible_tokens:
        return
    amount = min(amount, lot.reversible_tokens)
    before = (wallet.balance_tokens, wallet.spends_reversed_tokens, wallet.reversed_tokens,
              [(c.ref_id, c.standing_tokens) for c in lot.consumptions])
    plan = wallet.reverse_purchase(f"p{lot_number}", amount, "dispute", NOW)
    undo = wallet.reinstate_purchase(f"p{lot_number}", amount, "dispute_won", NOW)
    assert sum(r[4] for r in undo.reinstated_spends) == plan.reversed_spend_tokens
    assert wallet.spends_reversed_tokens == before[1] and wallet.reversed_tokens == before[2]
    # Re-sourced spends stay on the other lots; the tokens they freed are this lot's again.
    assert wallet.balance_tokens == before[0]
    assert wallet.credited_tokens == (wallet.balance_tokens + wallet.spent_tokens
                                      - wallet.spends_reversed_tokens + wallet.reversed_tokens)
    rebuilt = project_aggregate(None, [*events, *wallet.collect_events()])
    assert rebuilt is not None and rebuilt.lots == wallet.lots


def test_spends_take_the_oldest_lot_first() -> None:
    wallet = Wallet(fan_id="fan")
    wallet.credit("a", 100, NOW)
    wallet.credit("b", 100, NOW)
    assert wallet.spend(150, "tip:1", NOW) == [["a", 100], ["b", 50]]


def test_the_issue_scenario_counts_every_token_once() -> None:
    """Two 1,200 packs, three 500 tips; 289 tokens of the first refunded, the second disputed."""
    wallet = Wallet(fan_id="fan")
    wallet.credit("a", 1_200, NOW)
    wallet.credit("b", 1_200, NOW)
    for n in (1, 2, 3):
        wallet.spend(500, f"tip:{n}", NOW)
    refund = wallet.reverse_purchase("a", 289, "refund", NOW)
    assert refund.from_lot_tokens == 0 and refund.reversed_spends == []
    assert refund.resourced == [[2, "tip:3", SPEND, "b", 200], [1, "tip:2", SPEND, "b", 89]]
    assert wallet.balance_tokens == 611
    dispute = wallet.reverse_purchase("b", 1_200, "dispute", NOW)
    assert dispute.from_lot_tokens == 611 and dispute.resourced == []
    assert [(ref, tokens) for _i, ref, _k, tokens in dispute.reversed_spends] == [
        ("tip:2", 89), ("tip:3", 200), ("tip:3", 300)]
    assert wallet.balance_tokens == 0 and wallet.spends_reversed_tokens == 589


def test_a_spent_lot_reversed_with_nothing_else_reverses_its_spends_and_owes_nothing() -> None:
    wallet = Wallet(fan_id="fan")
    wallet.credit("a", 500, NOW)
    wallet.spend(400, "tip:1", NOW)
    plan = wallet.reverse_purchase("a", 500, "refund", NOW)
    assert plan.from_lot_tokens == 100
    assert plan.reversed_spends == [[0, "tip:1", SPEND, 400]]
    assert wallet.balance_tokens == 0 and not wallet.is_frozen


def test_a_refunded_lot_s_spends_move_onto_other_lots_and_a_later_refund_finds_them() -> None:
    wallet = Wallet(fan_id="fan")
    wallet.credit("a", 500, NOW)
    wallet.credit("b", 500, NOW)
    wallet.spend(500, "tip:1", NOW)  # all from lot a
    plan = wallet.reverse_purchase("a", 500, "refund", NOW)
    assert plan.resourced == [[0, "tip:1", SPEND, "b", 500]] and plan.reversed_spends == []
    assert wallet.balance_tokens == 0
    later = wallet.reverse_purchase("b", 500, "refund", NOW)
    assert later.reversed_spends == [[0, "tip:1", SPEND, 500]]


def test_a_frozen_wallet_cannot_spend_until_staff_clear_it() -> None:
    wallet = Wallet(fan_id="fan")
    wallet.credit("a", 500, NOW)
    wallet.freeze("dispute on purchase cs_1", NOW)
    wallet.freeze("dispute on purchase cs_2", NOW)  # already frozen: nothing more recorded
    with pytest.raises(WalletFrozenError):
        wallet.spend(1, "tip:1", NOW)
    with pytest.raises(InvalidAmountError):
        wallet.unfreeze("admin-1", "  ", NOW)
    assert wallet.unfreeze("admin-1", "dispute reviewed", NOW)
    assert not wallet.unfreeze("admin-1", "again", NOW)
    assert [type(e).__name__ for e in wallet.collect_events()] == [
        "Opened", "TokensCredited", "Frozen", "Unfrozen"]
    wallet.spend(1, "tip:1", NOW)


def test_bad_amounts_are_refused() -> None:
    wallet = Wallet(fan_id="fan")
    wallet.credit("a", 10, NOW)
    for amount in (0, -1):
        with pytest.raises(InvalidAmountError):
            wallet.spend(amount, "tip:x", NOW)
    with pytest.raises(InvalidAmountError):
        wallet.reverse_purchase("a", 11, "refund", NOW)
    with pytest.raises(InsufficientFundsError):
        wallet.spend(11, "tip:y", NOW)


def test_a_spend_names_the_purchases_whose_reversals_still_take_it() -> None:
    wallet = Wallet(fan_id="fan")
    wallet.credit("p1", 300, NOW)
    wallet.credit("p2", 300, NOW)
    wallet.spend(500, "unlock:u1", NOW)  # 300 from p1, 200 from p2
    wallet.spend(100, "tip:t1", NOW)  # the rest of p2
    assert wallet.purchases_reversing("unlock:u1") == []
    wallet.reverse_purchase("p2", 300, "dispute", NOW)
    assert wallet.purchases_reversing("unlock:u1") == ["p2"]
    assert wallet.purchases_reversing("tip:t1") == ["p2"]
    wallet.reverse_purchase("p1", 300, "refund", NOW)
    assert sorted(wallet.purchases_reversing("unlock:u1")) == ["p1", "p2"]
    wallet.reinstate_purchase("p2", 300, "dispute won", NOW)
    assert wallet.purchases_reversing("unlock:u1") == ["p1"]
    assert wallet.purchases_reversing("tip:t1") == []
