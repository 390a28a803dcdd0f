"""Wallets read from their latest snapshot (one row, the older ones pruned) whose lots' spends
are in chunks stored once; an unreadable snapshot or a lost chunk ignored with a warning; a
refund of a lot archived long ago applied exactly through the slow path, with the trial balance
holding."""

import logging
import sqlite3
import uuid

import psycopg
from psycopg import sql

from adapters.eventstore import wallet_codec
from application.bootstrap import build_core
from application.settings import Settings
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


def tipped(core, tips: int = 120) -> None:
    """fan-1 with a 500-token pack and `tips` one-token tips to creator-1."""
    core.creators.register("creator-1", "Luna", "adm-1")
    buy(core, "fan-1")
    for _ in range(tips):
        tip(core, "fan-1")


def test_an_unreadable_snapshot_is_ignored_and_the_wallet_replayed(make_core, pg_schema,
                                                                    caplog) -> None:
    core = make_core()
    tipped(core)
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


def chunk_rows(schema: str) -> list[tuple[str, int]]:
    with psycopg.connect(PG_URL) as conn:
        rows = conn.execute(sql.SQL("SELECT hash, used_at FROM {}.ledger_spend_chunks").format(
            sql.Identifier(schema))).fetchall()
    return [(str(r[0]), int(r[1])) for r in rows]


def snapshot_size(schema: str, fan_id: str) -> int:
    with psycopg.connect(PG_URL) as conn:
        row = conn.execute(sql.SQL("SELECT length(state) FROM {}.ledger_snapshots WHERE "
                                   "originator_id = %s").format(sql.Identifier(schema)),
                           (ids.wallet_id(fan_id),)).fetchone()
    assert row is not None
    return int(row[0])


def test_a_lots_spends_are_stored_once_in_chunks_the_snapshot_names(make_core, pg_schema,
                                                                    monkeypatch) -> None:
    monkeypatch.setattr(wallet_codec, "CHUNK_ROWS", 16)
    core = make_core()
    core.creators.register("creator-1", "Luna", "adm-1")
    first = buy(core, "fan-1")
    for _ in range(200):
        tip(core, "fan-1")  # 200 spends of the first lot: 12 full chunks and 8 inline
    with_chunks = snapshot_size(pg_schema, "fan-1")
    assert len(chunk_rows(pg_schema)) == 12
    for _ in range(200):
        tip(core, "fan-1")  # 400: the snapshot at 400 names 25 chunks, the one at 300 is gone
    assert snapshots(pg_schema, "fan-1") == [400]
    assert snapshot_size(pg_schema, "fan-1") < with_chunks + 25 * 40  # names, not spends
    # Chunks that a snapshot still names stay; none of the earlier generations' tails pile up.
    assert len(chunk_rows(pg_schema)) <= 25 + 2
    cold = make_core()
    from_snapshot = cold.ledger.get_snapshotted(ids.wallet_id("fan-1"))
    replayed = cold.ledger.repository.get(ids.wallet_id("fan-1"))
    assert figures(from_snapshot) == figures(replayed)
    assert from_snapshot.lots == replayed.lots  # every spend, in order, gone tokens and all
    # A refund planned on the wallet read from chunks reverses exactly what a replay would.
    buy(core, "fan-1", "pack_500", 499)  # (the simulator's sessions live in its process)
    assert core.stripe_events.handle(charge_refunded(first, 499, 499)) == "refunded"
    again = make_core().ledger.get_snapshotted(ids.wallet_id("fan-1"))
    assert again.lots == core.ledger.repository.get(ids.wallet_id("fan-1")).lots
    # 100 unspent taken, the 400 tips re-sourced onto the new pack: none reversed.
    assert again.balance_tokens == 100 and again.spends_reversed_tokens == 0
    core.projections.catch_up()
    assert trial_balance_now(core.projections).balanced


def test_a_snapshot_naming_a_lost_chunk_is_ignored_and_the_wallet_replayed(
        make_core, pg_schema, monkeypatch, caplog) -> None:
    monkeypatch.setattr(wallet_codec, "CHUNK_ROWS", 16)
    core = make_core()
    tipped(core)
    with psycopg.connect(PG_URL) as conn:
        conn.execute(sql.SQL("DELETE FROM {}.ledger_spend_chunks WHERE hash IN (SELECT hash "
                             "FROM {}.ledger_spend_chunks LIMIT 1)").format(
            sql.Identifier(pg_schema), sql.Identifier(pg_schema)))
    cold = make_core()
    with caplog.at_level(logging.WARNING):
        tip(cold, "fan-1", 10)
        wallet = cold.ledger.get_snapshotted(ids.wallet_id("fan-1"))
    assert wallet.balance_tokens == 500 - 130
    assert wallet.lots == cold.ledger.repository.get(ids.wallet_id("fan-1")).lots
    assert "unreadable snapshot" in caplog.text


def test_chunked_snapshots_on_the_embedded_default(tmp_path, clock, monkeypatch) -> None:
    monkeypatch.setattr(wallet_codec, "CHUNK_ROWS", 16)
    settings = Settings(database_url=f"sqlite:///{tmp_path}/lyra.sqlite", environment="test",
                        group_commit_window_ms=0, media_dir=str(tmp_path / "media"))
    core = build_core(settings, clock=clock)
    try:
        core.creators.register("creator-1", "Luna", "adm-1")
        buy(core, "fan-1")
        for _ in range(250):
            tip(core, "fan-1")
    finally:
        core.close()
    with sqlite3.connect(f"{tmp_path}/lyra.sqlite") as conn:
        [(chunks,)] = conn.execute("SELECT count(*) FROM spend_chunks").fetchall()
    assert 12 <= chunks <= 14
    cold = build_core(settings, clock=clock)
    try:
        wallet = cold.ledger.get_snapshotted(ids.wallet_id("fan-1"))
        assert wallet.lots == cold.ledger.repository.get(ids.wallet_id("fan-1")).lots
        assert wallet.balance_tokens == 250
    finally:
        cold.close()
