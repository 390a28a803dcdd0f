"""Wallet invariants over random histories of credits, spends and reversals."""

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
                amount = min(op[2], lot.credited_tokens - lot.reversed_tokens)
                if amount:
                    wallet.reverse_purchase(f"p{op[1]}", amount, "refund", NOW)
        except (InsufficientFundsError, WalletFrozenError):
            pass
        events.extend(wallet.collect_events())
    return wallet, events


@settings(max_examples=300)
@given(operations)
def test_tokens_in_equal_held_plus_spent_plus_reversed(history: list[tuple]) -> None:
    wallet, _ = run(history)
    assert wallet.credited_tokens == wallet.balance_tokens + wallet.spent_tokens + wallet.reversed_tokens


@settings(max_examples=300)
@given(operations)
def test_only_a_reversal_leaves_a_debt_and_a_debt_means_every_lot_is_empty(history: list[tuple]) -> None:
    wallet, _ = run(history)
    assert wallet.debt_tokens >= 0
    assert wallet.is_frozen == (wallet.balance_tokens < 0)
    if wallet.debt_tokens:
        assert all(lot.remaining_tokens == 0 for lot in wallet.lots.values())


@settings(max_examples=300)
@given(operations)
def test_every_lot_accounts_for_each_token(history: list[tuple]) -> None:
    wallet, events = run(history)
    own_reversed: dict[str, int] = {}
    for event in events:
        if isinstance(event, Wallet.PurchaseReversed):
            own_reversed[event.purchase_id] = own_reversed.get(event.purchase_id, 0) + event.from_lot_tokens
    for key, lot in wallet.lots.items():
        consumed = sum(c.tokens for c in lot.consumptions)
        assert lot.credited_tokens == lot.remaining_tokens + consumed + own_reversed.get(key, 0)
        assert all(0 <= c.clawed_tokens <= c.tokens for c in lot.consumptions)


@settings(max_examples=200)
@given(operations)
def test_replaying_the_events_rebuilds_the_same_wallet(history: list[tuple]) -> None:
    wallet, events = run(history)
    rebuilt = project_aggregate(None, events)
    assert rebuilt is not None
    assert (rebuilt.balance_tokens, rebuilt.debt_tokens, rebuilt.spent_tokens) == (
        wallet.balance_tokens, wallet.debt_tokens, wallet.spent_tokens)


@settings(max_examples=200)
@given(operations)
def test_clawed_spends_never_exceed_what_the_lot_funded(history: list[tuple]) -> None:
    _, events = run(history)
    funded: dict[tuple[str, str], int] = {}
    clawed: dict[tuple[str, str], int] = {}
    for event in events:
        if isinstance(event, Wallet.TokensSpent):
            for lot, tokens in event.lots_used:
                funded[(lot, event.ref_id)] = funded.get((lot, event.ref_id), 0) + tokens
        if isinstance(event, Wallet.PurchaseReversed):
            for _index, ref_id, kind, tokens in event.clawed:
                if kind == SPEND:
                    key = (event.purchase_id, ref_id)
                    clawed[key] = clawed.get(key, 0) + tokens
    for key, tokens in clawed.items():
        assert tokens <= funded[key]


def test_spends_take_the_oldest_lot_first() -> None:
    wallet = Wallet(fan_id="fan")
    wallet.credit("a", 100, NOW)
    wallet.credit("b", 100, NOW)
    assert wallet.spend(150, "tip:1", NOW) == [["a", 100], ["b", 50]]


def test_refund_of_a_spent_lot_freezes_until_repaid() -> None:
    wallet = Wallet(fan_id="fan")
    wallet.credit("a", 500, NOW)
    wallet.spend(400, "tip:1", NOW)
    clawed = wallet.reverse_purchase("a", 500, "refund", NOW)
    assert clawed == [[0, "tip:1", SPEND, 400]]
    assert wallet.balance_tokens == -400 and wallet.is_frozen
    with pytest.raises(WalletFrozenError):
        wallet.spend(1, "tip:2", NOW)
    wallet.credit("b", 500, NOW)
    assert wallet.balance_tokens == 100 and not wallet.is_frozen


def test_refund_shortfall_is_covered_from_other_lots_before_any_debt() -> None:
    wallet = Wallet(fan_id="fan")
    wallet.credit("a", 500, NOW)
    wallet.credit("b", 500, NOW)
    wallet.spend(500, "tip:1", NOW)  # all from lot a
    wallet.reverse_purchase("a", 500, "dispute", NOW)
    assert wallet.balance_tokens == 0 and not wallet.is_frozen
    assert wallet.lots["b"].remaining_tokens == 0


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
