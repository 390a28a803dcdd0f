"""Wallets on PostgreSQL: read from their latest snapshot (one row, the older ones pruned), an
unreadable snapshot ignored with a warning, and a refund of a lot archived long ago applied
exactly through the slow path, with the trial balance holding."""

import logging
import uuid

import psycopg
from psycopg import sql

from application.spending.commands import send_tip
from domain import ids
from domain.aggregates.wallet import keep_detail
from replay.trial_balance import trial_balance_now
from tests.conftest import PG_URL
from tests.helpers import charge_refunded, session_completed


def buy(core, fan_id: str, sku: str = "pack_500", price_minor: int = 499) -> str:
    session = core.purchases.start_checkout(fan_id, sku, uuid.uuid4().hex)
    intent = core.simulator.session(session.id).payment_intent_id
    assert core.stripe_events.handle(session_completed(session.id, fan_id, sku, price_minor,
                                                       intent)) == "credited"
    return intent


def tip(core, fan_id: str, amount: int = 1) -> None:
    core.spending.send(send_tip(fan_id=fan_id, creator_id="creator-1", amount_tokens=amount))


def snapshots(schema: str, fan_id: str) -> list[int]:
    with psycopg.connect(PG_URL) as conn:
        rows = conn.execute(sql.SQL("SELECT originator_version FROM {}.ledger_snapshots WHERE "
                                    "originator_id = %s").format(sql.Identifier(schema)),
                            (ids.wallet_id(fan_id),)).fetchall()
    return [int(r[0]) for r in rows]


def figures(wallet) -> dict:
    return {"balance": wallet.balance_tokens, "version": wallet.version,
            "spent": wallet.spent_tokens, "lots": {k: (lot.remaining_tokens, len(lot.consumptions))
                                                   for k, lot in wallet.lots.items()}}


def test_a_wallet_is_read_from_its_latest_snapshot(make_core, pg_schema) -> None:
    core = make_core()
    core.creators.register("creator-1", "Luna", "adm-1")
    buy(core, "fan-1")
    for _ in range(230):
        tip(core, "fan-1")
    assert snapshots(pg_schema, "fan-1") == [200]  # the older one pruned
    cold = make_core()  # a restart: nothing cached
    from_snapshot = cold.ledger.get_snapshotted(ids.wallet_id("fan-1"))
    assert figures(from_snapshot) == figures(cold.ledger.repository.get(ids.wallet_id("fan-1")))
    tip(cold, "fan-1", 5)
    assert cold.ledger.get_snapshotted(ids.wallet_id("fan-1")).balance_tokens == 500 - 235


def test_an_unreadable_snapshot_is_ignored_and_the_wallet_replayed(make_core, pg_schema,
                                                                    caplog) -> None:
    core = make_core()
    core.creators.register("creator-1", "Luna", "adm-1")
    buy(core, "fan-1")
    for _ in range(120):
        tip(core, "fan-1")
    with psycopg.connect(PG_URL) as conn:
        conn.execute(sql.SQL("UPDATE {}.ledger_snapshots SET state = %s").format(
            sql.Identifier(pg_schema)), (b"{not json",))
    cold = make_core()
    with caplog.at_level(logging.WARNING):
        tip(cold, "fan-1", 10)  # the batch writer's bulk read
        wallet = cold.ledger.get_snapshotted(ids.wallet_id("fan-1"))  # the repository's
    assert wallet.balance_tokens == 500 - 130
    assert "unreadable snapshot" in caplog.text


def test_a_refund_of_a_lot_archived_long_ago_is_applied_exactly(make_core, clock) -> None:
    core = make_core()
    core.creators.register("creator-1", "Luna", "adm-1")
    old = buy(core, "fan-1")
    for _ in range(5):
        tip(core, "fan-1", 100)  # the whole pack, in five tips
    clock.advance(days=200)
    buy(core, "fan-1")
    tip(core, "fan-1", 50)  # archives the old lot
    wallet = core.ledger.get_snapshotted(ids.wallet_id("fan-1"))
    old_lot = next(lot for lot in wallet.lots.values() if lot.credited_tokens and lot.archived)
    assert old_lot.consumptions == []
    # Stripe refunds the old pack after all: its tips are re-sourced onto the fan's 450 unspent
    # tokens, then the rest reversed, exactly as if nothing had been archived.
    assert core.stripe_events.handle(charge_refunded(old, 499, 499)) == "refunded"
    with keep_detail():
        detail = core.ledger.repository.get(ids.wallet_id("fan-1"))
    compact = core.ledger.get_snapshotted(ids.wallet_id("fan-1"))
    assert compact.balance_tokens == detail.balance_tokens == 0
    assert compact.spends_reversed_tokens == detail.spends_reversed_tokens == 50
    core.projections.catch_up()
    report = trial_balance_now(core.projections)
    assert report.balanced, report.as_dict()
