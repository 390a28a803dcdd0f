"""Auditors' replay at scale: one creator's (and one fan's) balances as of a moment, on a ledger
of 100k and then 1M events, against replaying the whole ledger, measured in one run; and the
creator's earnings diff (what changed between two moments), scoped the same way.

It builds the ledger it measures (through the application, group commit on): first the target
creator's history (10,000 tips: 10,000 events on their hold streams), then other creators'
traffic until the ledger holds 100k events, then until it holds 1M. The target's answer should
take the same time on both sizes: its cost follows that creator's history, not the ledger's.
Each scoped answer is timed three times and the middle one printed.

Usage: .venv/bin/python -m bench.auditor_replay [--target-tips 10000] [--small 100000] [--large 1000000]
       (LYRA_BENCH_DATABASE_URL, default postgresql://postgres@127.0.0.1:5432/test)
"""

import argparse
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

from application.bootstrap import Core
from application.spending.commands import send_tip
from bench.tips import drop_schema, make_core, new_schema
from projections.earnings import EarningsProjection
from projections.runner import ProjectionRunner
from replay.as_of import replay_as_of
from replay.diff import earnings_diff
from replay.scoped import earnings_as_of, wallet_as_of
from tests.helpers import session_completed

FANS = 400
CLIENTS = 64


def seed(core: Core) -> None:
    core.creators.register("target", "Target", "bench")
    for c in range(50):
        core.creators.register(f"other-{c}", f"Other {c}", "bench")

    def buy(f: int) -> None:
        for k in range(2):
            core.stripe_events.handle(session_completed(
                f"cs_r_{f}_{k}", f"fan-{f}", "pack_5500", 3_999, f"pi_r_{f}_{k}"))

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(buy, range(FANS)))


def tip_until(core: Core, label: str, target_events: int | None, tips: int | None,
              creator: str | None) -> None:
    """Tips of 5 tokens, from every fan in turn, until the ledger (or the tip count) is reached."""
    head = core.ledger.max_position()
    total = tips if tips is not None else max(0, (target_events or 0) - head) // 3
    columns = (TextColumn(label), BarColumn(), TextColumn("{task.completed:,}/{task.total:,}"),
               TimeRemainingColumn())
    with Progress(*columns, transient=True) as progress:
        task = progress.add_task(label, total=total)

        def one(i: int) -> None:
            name = creator or f"other-{i % 50}"
            core.spending.send(send_tip(f"fan-{i % FANS}", name, 5))

        with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
            for start in range(0, total, 5_000):
                list(pool.map(one, range(start, min(total, start + 5_000))))
                progress.update(task, completed=min(total, start + 5_000))


def timed(fn, *args):  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    result = fn(*args)
    return result, time.perf_counter() - started


def median_of_three(fn, *args):  # type: ignore[no-untyped-def]
    """The middle of three runs: one run can land on a checkpoint or autovacuum."""
    runs = sorted((timed(fn, *args) for _ in range(3)), key=lambda run: run[1])
    return runs[1]


def measure(core: Core, label: str, whole: bool, start: datetime) -> None:
    index = ProjectionRunner(core.ledger, core.read_db, [EarningsProjection()])
    _, index_s = timed(index.catch_up)  # the creator-to-holds index (the API's runner follows it)
    print(f"{label}: earnings index caught up in {index_s:.1f} s")
    moment = datetime.now(UTC)
    events = core.ledger.max_position()
    hold_ids = core.queries.hold_ids("target")
    earnings, creator_s = median_of_three(earnings_as_of, core.ledger, "target", hold_ids, moment)
    wallet, fan_s = median_of_three(wallet_as_of, core.ledger, "fan-7", moment)
    print(f"{label}: ledger {events:,} events; target creator {len(hold_ids):,} holds, "
          f"held {earnings['held_tokens']:,} tokens")
    print(f"  one creator as of a moment (scoped)      {creator_s * 1000:9.1f} ms")
    print(f"  one fan as of a moment (scoped)          {fan_s * 1000:9.1f} ms  "
          f"({len(wallet['transactions']):,} wallet movements)")
    diff, diff_s = median_of_three(earnings_diff, core.ledger, start, moment, "target", hold_ids)
    print(f"  one creator's earnings diff (scoped)     {diff_s * 1000:9.1f} ms  "
          f"(since the run began: held {diff['creators'][0]['delta']['held_tokens']:+,})")
    if whole:
        whole_diff, whole_diff_s = timed(earnings_diff, core.ledger, start, moment, "target")
        assert whole_diff["creators"] == diff["creators"]
        print(f"  the same diff, whole ledger replayed     {whole_diff_s * 1000:9.1f} ms  "
              f"(same figures)")
        snapshot, whole_s = timed(replay_as_of, core.ledger, moment)
        assert snapshot.queries.earnings("target")["held_tokens"] == earnings["held_tokens"]
        print(f"  the whole ledger replayed (the old way)  {whole_s * 1000:9.1f} ms  "
              f"(x{whole_s / creator_s:,.0f} the scoped answer; same figures)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--target-tips", type=int, default=10_000)
    parser.add_argument("--small", type=int, default=100_000)
    parser.add_argument("--large", type=int, default=1_000_000)
    args = parser.parse_args()
    schema = new_schema()
    core = make_core(schema, window_ms=2)
    start = datetime.now(UTC)
    try:
        seed(core)
        tip_until(core, "target's history", None, args.target_tips, "target")
        tip_until(core, f"to {args.small:,} events", args.small, None, None)
        measure(core, "small", whole=True, start=start)
        tip_until(core, f"to {args.large:,} events", args.large, None, None)
        measure(core, "large", whole=False, start=start)
    finally:
        core.close()
        drop_schema(schema)


if __name__ == "__main__":
    main()
