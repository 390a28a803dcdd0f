"""How long a payout run takes for many creators, against a raw baseline in the same run.

Builds a ledger of N connected creators (Connect payouts enabled), each with one released
earning of 5,000 tokens (2,000p, at the minimum), then times `Payouts.run()` with the local
simulator standing in for Stripe (so the figure is our cost, not Stripe's latency). Each payout
is three transactions (the payout with its hold's reservation, the transfer, the bank payout);
the baseline is raw single-row insert transactions through psycopg from one client, the run's
own concurrency. A second run with the same key measures resuming (nothing to do).

Usage: .venv/bin/python -m bench.payouts [--creators 10000]
"""

import argparse
import time
import uuid
from datetime import timedelta

import psycopg
from psycopg import sql

from application.bootstrap import build_core
from application.settings import Settings
from bench.tips import URL, drop_schema, new_schema
from domain import ids
from domain.aggregates.earnings_hold import EarningsHold
from tests.conftest import FakeClock

BATCH = 500


def baseline(schema: str, rows: int) -> float:
    with psycopg.connect(URL, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE TABLE {}.raw_inserts (id bigserial PRIMARY KEY, "
                             "payload text)").format(sql.Identifier(schema)))
        statement = sql.SQL("INSERT INTO {}.raw_inserts (payload) VALUES (%s)").format(
            sql.Identifier(schema))
        started = time.perf_counter()
        for n in range(rows):
            conn.execute(statement, (f"row {n}",), prepare=True)
        return rows / (time.perf_counter() - started)


def seed(core, clock: FakeClock, creators: int) -> None:
    assert core.simulator is not None
    for start in range(0, creators, BATCH):
        made = []
        for c in range(start, min(start + BATCH, creators)):
            user = f"creator-{c}"
            creator = core.creators.register(user, user, "bench")
            account = core.simulator.create_connect_account(
                creator_user_id=user, country="GB", business_type="individual",
                idempotency_key=f"connect:{user}")
            creator.link_stripe_account(account, clock())
            creator.record_stripe_status(True, True, [], clock())
            hold = EarningsHold.hold(source_kind="bench", source_id=uuid.uuid4(), creator_id=user,
                                     amount_tokens=5_000, source_amount_tokens=7_143,
                                     earned_at=clock() - timedelta(days=15),
                                     hold_period=timedelta(days=14))
            hold.release(clock())
            made += [creator, hold]
        core.ledger.save(*made)
    core.projections.catch_up()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--creators", type=int, default=10_000)
    args = parser.parse_args()
    schema = new_schema("bench_payouts")
    clock = FakeClock()
    core = build_core(Settings(database_url=URL, db_schema=schema, environment="test",
                               run_projections=False), clock=clock)
    try:
        raw = baseline(schema, 3_000)
        started = time.perf_counter()
        seed(core, clock, args.creators)
        print(f"seeded {args.creators:,} creators in {time.perf_counter() - started:.1f} s")
        started = time.perf_counter()
        report = core.payouts.run("bench")
        elapsed = time.perf_counter() - started
        assert len(report.payouts) == args.creators, report.carried
        assert report.amount_minor == 2_000 * args.creators
        started = time.perf_counter()
        again = core.payouts.run("bench")
        resumed = time.perf_counter() - started
        assert core.ledger.get_or_none(ids.payout_id("creator-0", "bench")) is not None
        rate = args.creators / elapsed
        print(f"baseline: raw single-row insert transactions, 1 client   {raw:,.0f}/s")
        print(f"payout run: {args.creators:,} creators paid in {elapsed:.1f} s   {rate:,.0f} "
              f"payouts/s ({3 * rate:,.0f} transactions/s, x{3 * rate / raw:.2f} of baseline)")
        print(f"the same run again (resume, nothing to pay): {resumed:.1f} s for "
              f"{len(again.payouts):,} creators")
    finally:
        core.close()
        drop_schema(schema)


if __name__ == "__main__":
    main()
