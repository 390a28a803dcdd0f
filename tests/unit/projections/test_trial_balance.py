"""The trial balance finds each kind of imbalance and names the streams behind it."""

import pytest

from projections.db import SqliteReadModelDb
from projections.earnings import EarningsProjection
from projections.payouts import PayoutsProjection
from projections.purchases import PurchasesProjection
from projections.runner import POSITIONS_DDL
from projections.spends import SpendsProjection
from projections.subscriptions import SubscriptionsProjection
from projections.trial_balance import trial_balance
from projections.wallets import WalletsProjection


@pytest.fixture
def db() -> SqliteReadModelDb:
    """One fan: a 500 pack, a 400 tip (280 / 120), 100 left; everything in its place."""
    db = SqliteReadModelDb(":memory:")
    with db.transaction() as tx:
        tx.execute(POSITIONS_DDL)
        for projection in (WalletsProjection(), SpendsProjection(), EarningsProjection(),
                           PurchasesProjection(), SubscriptionsProjection(),
                           PayoutsProjection()):
            for statement in projection.ddl:
                tx.execute(statement)
            tx.execute("INSERT INTO rm_projection_positions VALUES (%s, 7, NULL)",
                       (projection.name,))
        tx.execute("INSERT INTO rm_wallet_balances VALUES "
                   "('fan-1', 'w-1', 100, 500, 400, 0, 0, 0, 0, NULL, 'now')")
        tx.execute("INSERT INTO rm_spends (spend_id, aggregate_id, kind, hold_id, fan_id, "
                   "creator_id, amount_tokens, creator_tokens, platform_tokens, spent_at) "
                   "VALUES ('tip:t-1', 't-1', 'tip', 'h-1', 'fan-1', 'c-1', 400, 280, 120, 'now')")
        tx.execute("INSERT INTO rm_earnings_holds (hold_id, creator_id, source_kind, source_id, "
                   "unit, amount_tokens, amount_minor, held_tokens, status, earned_at, release_at) "
                   "VALUES ('h-1', 'c-1', 'tip', 't-1', 'tokens', 280, 0, 280, 'held', 'now', "
                   "'later')")
        tx.execute("INSERT INTO rm_creator_earnings (creator_id, held_tokens, earnings_count) "
                   "VALUES ('c-1', 280, 1)")
        tx.execute("INSERT INTO rm_token_purchases (purchase_id, checkout_session_id, fan_id, "
                   "pack_sku, tokens, price_minor, currency, status, started_at, updated_at) "
                   "VALUES ('p-1', 'cs_1', 'fan-1', 'pack_500', 500, 499, 'gbp', 'completed', "
                   "'now', 'now')")
    return db


def test_a_consistent_ledger_balances(db) -> None:
    report = trial_balance(db)
    assert report.balanced and report.position == 7
    assert report.tokens["credited"] == 500
    assert (report.tokens["wallet_balances"], report.tokens["standing_creator_shares"],
            report.tokens["standing_platform_shares"]) == (100, 280, 120)
    assert report.pence["packs_net"] == 499


@pytest.mark.parametrize(("tamper", "check", "streams"), [
    ("UPDATE rm_wallet_balances SET balance_tokens = 150", "wallet_tokens", ["w-1"]),
    ("UPDATE rm_spends SET platform_tokens = 130", "spend_split", ["tip:t-1"]),
    ("UPDATE rm_earnings_holds SET amount_tokens = 290, held_tokens = 290", "spend_earning",
     ["tip:t-1", "h-1"]),
    ("UPDATE rm_earnings_holds SET available_tokens = 10", "hold_states", ["h-1"]),
    ("UPDATE rm_token_purchases SET reversed_tokens = 50", "wallet_purchases", ["w-1"]),
    ("UPDATE rm_spends SET hold_id = 'h-2'", "hold_source", ["h-1"]),
    ("UPDATE rm_creator_earnings SET held_tokens = 1", "creator_totals", ["c-1"]),
])
def test_each_imbalance_is_listed_with_its_streams(db, tamper, check, streams) -> None:
    with db.transaction() as tx:
        tx.execute(tamper)
    report = trial_balance(db)
    assert not report.balanced and not report.checks[check]
    assert any(i.check == check and i.streams == streams for i in report.imbalances)


def test_read_models_at_different_positions_do_not_balance(db) -> None:
    with db.transaction() as tx:
        tx.execute("UPDATE rm_projection_positions SET position = 6 WHERE name = 'spends'")
    report = trial_balance(db)
    assert not report.aligned and not report.balanced
