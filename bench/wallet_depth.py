"""A fan's thousandth tip costs what their first did: the cold first tip against history length.

Builds fans with 100, 10,000, 100,000 and 300,000 one-token tips (`--sizes`) through the spend
path (the batch writer, a thousand tips a transaction, a pack bought whenever the wallet runs
dry, the clock moving so the history spans `--days` days), then for each fan, in one run:

  - the cold first tip after a restart (a new core: no cache), read from the wallet's latest
    snapshot plus the events since, as a ratio of the smallest fan's (target: at most 2x);
  - the same with the snapshots set aside (the wallet replayed from its first event): the old
    way, measured side by side;
  - the warm tip p50 (the wallet in the writer's cache);
  - the wallet's latest snapshot in bytes, the spends it names in chunks rather than carries,
    and its state in memory after the tips (deep size; chunks read on first need only);
  - bytes the whole database grew by per tip while the fan was built (events, hash chain,
    snapshots, read models, indexes; the packs bought along the way too).

Usage: .venv/bin/python -m bench.wallet_depth [--sizes 100,10000,100000,300000]
       [--days 720] [--repeat 5]   (LYRA_BENCH_DATABASE_URL as bench/tips.py)
"""

import argparse
import statistics
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
from psycopg import sql

from application.bootstrap import Core, build_core
from application.settings import Settings
from application.spending.batch_writer import AggregateCache, SpendBatchWriter
from application.spending.commands import send_tip
from application.spending.kinds import KINDS
from bench.tips import URL, drop_schema, new_schema
from domain import ids
from tests.conftest import FakeClock
from tests.helpers import session_completed

BATCH = 1_000
PACK = ("pack_5500", 5_500, 3_999)


def deep_size(obj: Any, seen: set[int] | None = None) -> int:
    """Bytes an object holds in memory, following its containers and attributes."""
    seen = seen if seen is not None else set()
    if id(obj) in seen:
        return 0
    seen.add(id(obj))
    size = sys.getsizeof(obj)
    if isinstance(obj, dict):
        size += sum(deep_size(k, seen) + deep_size(v, seen) for k, v in obj.items())
    elif isinstance(obj, list | tuple | set):
        size += sum(deep_size(item, seen) for item in obj)
    elif hasattr(obj, "__dict__") and not callable(obj):  # a lot's chunk reader is shared code
        size += deep_size(vars(obj), seen)
    return size


def database_bytes(schema: str) -> int:
    with psycopg.connect(URL) as conn:
        row = conn.execute(
            "SELECT COALESCE(SUM(pg_total_relation_size(c.oid)), 0) FROM pg_class c JOIN "
            "pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %s AND c.relkind = 'r'",
            (schema,)).fetchone()
    return int(row[0]) if row else 0


def snapshot_bytes(schema: str, fan_id: str) -> int:
    with psycopg.connect(URL) as conn:
        row = conn.execute(sql.SQL(
            "SELECT length(state) FROM {}.ledger_snapshots WHERE originator_id = %s "
            "ORDER BY originator_version DESC LIMIT 1").format(sql.Identifier(schema)),
            (ids.wallet_id(fan_id),)).fetchone()
    return int(row[0]) if row else 0


def chunk_bytes(schema: str, fan_id: str) -> int:
    """The spends its snapshot names rather than carries (`ledger_spend_chunks`)."""
    with psycopg.connect(URL) as conn:
        row = conn.execute(sql.SQL(
            "SELECT COALESCE(SUM(length(spends)), 0) FROM {}.ledger_spend_chunks WHERE owner = %s")
            .format(sql.Identifier(schema)), (ids.wallet_id(fan_id),)).fetchone()
    return int(row[0]) if row else 0


def settings(schema: str) -> Settings:
    return Settings(database_url=URL, db_schema=schema, environment="test",  # type: ignore[call-arg]
                    group_commit_window_ms=2, run_projections=False)


def buy(core: Core, fan_id: str) -> None:
    sku, _, price = PACK
    session = core.purchases.start_checkout(fan_id, sku, uuid.uuid4().hex)
    simulated = core.simulator.session(session.id) if core.simulator else None
    intent = simulated.payment_intent_id if simulated else f"pi_{uuid.uuid4().hex}"
    assert core.stripe_events.handle(session_completed(session.id, fan_id, sku, price,
                                                       intent)) == "credited"


def build(core: Core, clock: FakeClock, fan_id: str, tips: int, days: int) -> None:
    writer = SpendBatchWriter(core.ledger, core.fees, clock, KINDS, AggregateCache())
    step = timedelta(days=days) / max(1, tips // BATCH)
    done = 0
    while done < tips:
        wallet = core.ledger.get_snapshotted_or_none(ids.wallet_id(fan_id))
        balance = wallet.balance_tokens if wallet else 0
        if balance < BATCH:
            buy(core, fan_id)
            balance += PACK[1]
        batch = min(BATCH, tips - done, balance)
        outcomes = writer.execute([send_tip(fan_id=fan_id, creator_id="creator-1",
                                            amount_tokens=1) for _ in range(batch)])
        failed = [o for o in outcomes if isinstance(o, BaseException)]
        if failed:
            raise failed[0]
        done += batch
        clock.advance(seconds=step.total_seconds())


def timed_tip(core: Core, fan_id: str) -> float:
    started = time.perf_counter()
    core.spending.send(send_tip(fan_id=fan_id, creator_id="creator-1", amount_tokens=1))
    return (time.perf_counter() - started) * 1000


def without_snapshots(schema: str) -> list[tuple[Any, ...]]:
    """Set the snapshots aside (the old way: every wallet replayed from its first event)."""
    with psycopg.connect(URL) as conn:
        rows = conn.execute(sql.SQL("DELETE FROM {}.ledger_snapshots RETURNING *").format(
            sql.Identifier(schema))).fetchall()
    return rows


def restore_snapshots(schema: str, rows: list[tuple[Any, ...]]) -> None:
    with psycopg.connect(URL) as conn, conn.cursor() as curs:
        curs.executemany(sql.SQL("INSERT INTO {}.ledger_snapshots VALUES (%s, %s, %s, %s)").format(
            sql.Identifier(schema)), rows)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="100,10000,100000,300000")
    parser.add_argument("--days", type=int, default=1_095,
                        help="the span of each fan's history (the archive window is 180 days)")
    parser.add_argument("--repeat", type=int, default=5, help="cold measurements per fan")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    schema = new_schema("depth")
    clock = FakeClock(datetime(2024, 1, 1, 12, tzinfo=UTC))
    try:
        core = build_core(settings(schema), clock=clock)
        core.creators.register("creator-1", "Luna", "admin")
        built: dict[int, dict[str, Any]] = {}
        for size in sizes:
            fan_id = f"fan-{size}"
            before, started = database_bytes(schema), time.perf_counter()
            build(core, clock, fan_id, size, args.days)
            core.projections.catch_up()  # the read models' rows count too
            built[size] = {"build_s": time.perf_counter() - started,
                           "bytes_per_tip": (database_bytes(schema) - before) / size}
            print(f"built {size:>7} tips in {built[size]['build_s']:.1f}s", flush=True)
        core.close()
        rows: list[dict[str, Any]] = []
        for size in sizes:
            fan_id = f"fan-{size}"
            cold = []
            for _ in range(args.repeat):  # a restart before each: nothing cached
                core = build_core(settings(schema), clock=clock)
                cold.append(timed_tip(core, fan_id))
                warm = [timed_tip(core, fan_id) for _ in range(20)]
                wallet = core.ledger.get_snapshotted(ids.wallet_id(fan_id))
                core.close()
            set_aside = without_snapshots(schema)
            replayed = []
            for _ in range(max(1, args.repeat // 2)):
                core = build_core(settings(schema), clock=clock)
                replayed.append(timed_tip(core, fan_id))
                core.close()
            restore_snapshots(schema, set_aside)
            rows.append({"size": size, "cold_ms": statistics.median(cold),
                         "replayed_ms": statistics.median(replayed),
                         "warm_p50_ms": statistics.median(warm),
                         "snapshot_bytes": snapshot_bytes(schema, fan_id),
                         "chunk_bytes": chunk_bytes(schema, fan_id),
                         "memory_bytes": deep_size(wallet),
                         "lots": len(wallet.lots),
                         "archived": sum(lot.archived for lot in wallet.lots.values()),
                         **built[size]})
        base = rows[0]["cold_ms"]
        print(f"\n{'tips':>8} {'cold ms':>8} {'x smallest':>10} {'replayed ms':>12} "
              f"{'warm p50':>9} {'snapshot B':>11} {'chunks B':>9} {'memory B':>10} {'lots':>5} "
              f"{'archived':>8} {'B/tip':>7}")
        for r in rows:
            print(f"{r['size']:>8} {r['cold_ms']:>8.1f} {r['cold_ms'] / base:>10.2f} "
                  f"{r['replayed_ms']:>12.1f} {r['warm_p50_ms']:>9.2f} {r['snapshot_bytes']:>11} "
                  f"{r['chunk_bytes']:>9} {r['memory_bytes']:>10} {r['lots']:>5} {r['archived']:>8} "
                  f"{r['bytes_per_tip']:>7.0f}")
    finally:
        drop_schema(schema)


if __name__ == "__main__":
    main()
