"""What one tip adds to the database, relation by relation (events, hash chain, snapshots, read
models, their indexes and TOAST), on PostgreSQL.

Builds `--fans` fans tipping `--creators` creators `--tips` one-token tips in all, through the
spend path in batches of a thousand (as bench/wallet_depth.py does), with every read model
projected, then prints each relation's bytes per tip (its live rows: VACUUM FULL first, before
and after), largest first, and the total.

Usage: .venv/bin/python -m bench.bytes_per_tip [--tips 10000 --fans 20 --creators 5]
"""

import argparse
from datetime import UTC, datetime

import psycopg
from psycopg import sql

from application.bootstrap import build_core
from application.spending.batch_writer import AggregateCache, SpendBatchWriter
from application.spending.commands import send_tip
from application.spending.kinds import KINDS
from bench.tips import URL, drop_schema, new_schema
from bench.wallet_depth import buy, settings
from tests.conftest import FakeClock


def relation_sizes(schema: str) -> dict[str, int]:
    """Each table's bytes with its TOAST, and each index's, by name, once VACUUM FULL has
    dropped what updates and deletes left behind (the space autovacuum gives back for reuse
    in a running system): the bytes the live rows take."""
    with psycopg.connect(URL, autocommit=True) as conn:
        for (table,) in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = %s",
                                     (schema,)).fetchall():
            conn.execute(sql.SQL("VACUUM FULL {}").format(sql.Identifier(schema, table)))
        rows = conn.execute(
            "SELECT c.relname, c.relkind, CASE WHEN c.relkind = 'i' THEN pg_relation_size(c.oid) "
            "ELSE pg_table_size(c.oid) END FROM pg_class c JOIN pg_namespace n "
            "ON n.oid = c.relnamespace WHERE n.nspname = %s AND c.relkind IN ('r', 'i')",
            (schema,)).fetchall()
    return {f"{name}{' (index)' if kind == 'i' else ''}": int(size) for name, kind, size in rows}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tips", type=int, default=10_000)
    parser.add_argument("--fans", type=int, default=20)
    parser.add_argument("--creators", type=int, default=5)
    args = parser.parse_args()
    schema = new_schema("bytes")
    clock = FakeClock(datetime(2026, 1, 1, 12, tzinfo=UTC))
    try:
        core = build_core(settings(schema), clock=clock)
        for c in range(args.creators):
            core.creators.register(f"creator-{c}", f"Creator {c}", "admin")
        for f in range(args.fans):
            buy(core, f"fan-{f}")
        core.projections.catch_up()
        before = relation_sizes(schema)
        writer = SpendBatchWriter(core.ledger, core.fees, clock, KINDS, AggregateCache())
        per_fan = args.tips // args.fans
        for start in range(0, per_fan, 1_000):
            batch = [send_tip(fan_id=f"fan-{f}", creator_id=f"creator-{(f + n) % args.creators}",
                              amount_tokens=1)
                     for n in range(start, min(per_fan, start + 1_000)) for f in range(args.fans)]
            for done in range(0, len(batch), 1_000):
                failed = [o for o in writer.execute(batch[done:done + 1_000])
                          if isinstance(o, BaseException)]
                if failed:
                    raise failed[0]
            clock.advance(hours=6)
        core.projections.catch_up()
        after = relation_sizes(schema)
        tips = per_fan * args.fans
        grown = {name: after[name] - before.get(name, 0) for name in after}
        print(f"{'relation':<52} {'bytes/tip':>10}")
        for name, grew in sorted(grown.items(), key=lambda item: -item[1]):
            if grew:
                print(f"{name:<52} {grew / tips:>10.0f}")
        print(f"{'total':<52} {sum(grown.values()) / tips:>10.0f}  ({tips:,} tips)")
        core.close()
    finally:
        drop_schema(schema)


if __name__ == "__main__":
    main()
