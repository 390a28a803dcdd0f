"""A full projection rebuild against the raw rate of reading the events table, in one run.

Builds a ledger of tips (three events each) on PostgreSQL, then prints:
  - raw read: every row of the events table through psycopg as tuples, in keyset pages of
    5,000, in text and in binary format, the best of three each (the faster is the baseline);
  - read, then read and decode: the same rows through the library's reader, then turned into
    domain events by its mapper (under the rebuild's collector policy); then read and decoded
    by `Ledger.read_after`, the path rebuilds, catch-up and replays take (target: 0.5 or more),
    the best of three each, after a VACUUM ANALYZE (as autovacuum would leave the table);
  - the full rebuild of every read model (staged in memory, copied into a staging schema,
    swapped in by moving tables) in one process, as events/s and as a ratio of the raw read
    (target: 0.1 or more), and how long each of its phases took; each read model replayed
    alone (what its `rebuild_weight` is drawn from); then the same rebuild staged in parallel
    groups, one process per core;
  - the live runner catching up the whole log in place (drop, then page by page: what a
    runner's CPU per event is).

Usage: .venv/bin/python -m bench.rebuild [--tips 30000]
"""

import argparse
import os
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import psycopg
from psycopg import sql

from adapters import heap
from application.spending.commands import send_tip
from bench.tips import URL, drop_schema, make_core, new_schema, seed
from projections import staged_rebuild
from projections.fold import classified


def raw_read(schema: str, table: str, binary: bool) -> tuple[int, float]:
    """Every row as tuples, in keyset pages of 5,000 as the library's reader pages (a server-side
    cursor was slower than the library itself), under the rebuild's collector policy."""
    statement = sql.SQL("SELECT notification_id, originator_id, originator_version, topic, state "
                        "FROM {}.{} WHERE notification_id > %s "
                        "ORDER BY notification_id LIMIT 5000").format(
        sql.Identifier(schema), sql.Identifier(table))
    started = time.perf_counter()
    rows = 0
    position = 0
    with heap.bulk_work(), psycopg.connect(URL) as conn, conn.cursor(binary=binary) as cursor:
        while page := cursor.execute(statement, (position,), prepare=True).fetchall():
            rows += len(page)
            position = page[-1][0]
    return rows, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tips", type=int, default=30_000)
    args = parser.parse_args()
    schema = new_schema()
    try:
        core = make_core(schema, window_ms=2)
        fans, creators = 500, 100
        seed(core, fans, creators)

        def tip(n: int) -> None:
            core.spending.send(send_tip(f"fan-{n % fans}", f"creator-{n % creators}", 5))

        with ThreadPoolExecutor(max_workers=32) as pool:
            list(pool.map(tip, range(args.tips)))
        core.projections.catch_up()
        events = core.ledger.max_position()
        table = core.ledger.events_table
        with psycopg.connect(URL, autocommit=True) as conn:  # as autovacuum leaves a table
            conn.execute(sql.SQL("VACUUM ANALYZE {}.{}").format(sql.Identifier(schema),
                                                               sql.Identifier(table)))

        raw_rate = 0.0
        for binary in (False, True):
            rows, seconds = min((raw_read(schema, table, binary) for _ in range(3)),
                                key=lambda r: r[1])
            raw_rate = max(raw_rate, rows / seconds)
            label = f"raw read of the events table ({'binary' if binary else 'text'}, best of 3)"
            print(f"{label:<56} {rows / seconds:>10,.0f} rows/s  ({rows:,} rows in {seconds:.2f} s)")
        print(f"{'baseline: the faster raw read':<56} {raw_rate:>10,.0f} rows/s")

        def library(decode: bool) -> tuple[int, float]:
            started = time.perf_counter()
            position = decoded = 0
            with heap.bulk_work():  # the collector policy the rebuild runs under
                while page := core.ledger.recorder.select_notifications(
                        start=position, limit=5_000, inclusive_of_start=False):
                    for notification in page:
                        if decode:
                            core.ledger.mapper.to_domain_event(notification)
                        decoded += 1
                    position = page[-1].id
            return decoded, time.perf_counter() - started

        def read_after() -> tuple[int, float]:
            started = time.perf_counter()
            position = decoded = 0
            with heap.bulk_work():
                while page := core.ledger.read_after(position, 5_000):
                    decoded += len(page)
                    position = page[-1][0]
            return decoded, time.perf_counter() - started

        for label, read in (
                ("read (the library's notification reader)", lambda: library(False)),
                ("read and decode (the library's reader and mapper)", lambda: library(True)),
                ("read and decode (Ledger.read_after: what rebuilds use)", read_after)):
            decoded, seconds = min((read() for _ in range(3)), key=lambda r: r[1])
            print(f"{label:<56} {decoded / seconds:>10,.0f} events/s"
                  f"  x{decoded / seconds / raw_rate:.2f} of raw")

        phases: dict[str, float] = {}

        def timing(name: str, run: Callable[..., Any]) -> Callable[..., Any]:
            def timed(*args: object) -> Any:
                began = time.perf_counter()
                try:
                    return run(*args)
                finally:
                    phases[name] = time.perf_counter() - began
            return timed

        originals = {phase: getattr(staged_rebuild, phase)
                     for phase in ("_replay", "_swap_in")}
        for phase, run in originals.items():
            setattr(staged_rebuild, phase, timing(phase, run))
        started = time.perf_counter()
        replayed = core.projections.rebuild(processes=1)
        seconds = time.perf_counter() - started
        print(f"{'full rebuild, staged and swapped in, one process':<56} "
              f"{replayed / seconds:>10,.0f} events/s  x{replayed / seconds / raw_rate:.2f} of raw"
              f"  ({replayed:,} events in {seconds:.1f} s, "
              f"{len(core.projections.projections)} read models)")
        for phase, label in (("_replay", "read, decode, fold, COPY into the staging schema"),
                             ("_swap_in", "the swap (readers wait on it)")):
            print(f"{'  of which ' + label:<56} {phases[phase] * 1000:>10,.0f} ms")
        for phase, run in originals.items():
            setattr(staged_rebuild, phase, run)
        def replay_alone(projections: list[Any]) -> float:
            """µs an event, the best of three: read, decoded and folded in memory."""
            best = float("inf")
            for _ in range(3):
                states = [fold.new_state(complete=True) for fold in projections]
                started = time.perf_counter()
                with heap.bulk_work():
                    position = 0
                    while page := core.ledger.read_after(position, staged_rebuild.PAGE):
                        typed = classified(page)
                        for fold, state in zip(projections, states, strict=True):
                            fold.apply(typed, state)
                        position = page[-1][0]
                best = min(best, time.perf_counter() - started)
            return best * 1e6 / events

        reading = replay_alone([])
        print(f"{'  reading and decoding alone':<56} {reading:>10.1f} µs an event")
        for projection in core.projections.projections:  # what rebuild_weight is drawn from
            print(f"{'  replaying ' + projection.name + ', beyond reading':<56} "
                  f"{replay_alone([projection]) - reading:>10.1f} µs an event  "
                  f"(rebuild_weight {projection.rebuild_weight})")
        slow = sum(core.ledger.typed.slow_paths.values())
        print(f"{'  events decoded the slow way (no typed structure)':<56} {slow:>10,}"
              + (f"  {dict(core.ledger.typed.slow_paths)}" if slow else ""))
        cores = min(len(os.sched_getaffinity(0)), 4)
        started = time.perf_counter()
        replayed = core.projections.rebuild(processes=cores)
        seconds = time.perf_counter() - started
        print(f"{f'full rebuild, staged in {cores} processes in parallel':<56} "
              f"{replayed / seconds:>10,.0f} events/s  x{replayed / seconds / raw_rate:.2f} of raw"
              f"  ({seconds:.1f} s)")

        names = [p.name for p in core.projections.projections]
        started = time.perf_counter()
        replayed = core.projections.rebuild(names)
        seconds = time.perf_counter() - started
        print(f"{'the live runner catching up the whole log (in place)':<56} "
              f"{replayed / seconds:>10,.0f} events/s  x{replayed / seconds / raw_rate:.2f} of raw")
        assert events == core.ledger.max_position()
        core.close()
    finally:
        drop_schema(schema)


if __name__ == "__main__":
    main()
