"""Tips per second through the application on PostgreSQL, against a raw baseline in the same run.

Prints:
  - baseline: single-row INSERT transactions per second through psycopg (8 clients, own table);
  - tips/s with group commit, spread over many creators and all to one popular creator, with
    latency percentiles, and each as a ratio of the baseline (target: >= 0.5);
  - the hot/spread ratio (target: >= 1.0 within noise: a popular creator is no slower);
  - a mixed load through the same spend path: tips, pay-per-view unlocks and paid messages in
    equal shares (one creator's persona with 20 offers);
  - the hash chain's cost: tips with the chain trigger on and off, alternating rounds;
  - tips/s without group commit (one save per tip), for comparison;
  - projection catch-up in events per second (a full rebuild).

Usage: .venv/bin/python -m bench.tips [--seconds 5] [--clients 64] [--fans 2000]
       (LYRA_BENCH_DATABASE_URL, default postgresql://postgres@127.0.0.1:5432/test)
"""

import argparse
import os
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import psycopg
from psycopg import sql

from application.bootstrap import Core, build_core
from application.settings import Settings
from application.spending.commands import charge_message, send_tip, unlock_offer
from domain.errors import DomainError
from tests.api.test_personas_http import PROFILE
from tests.helpers import session_completed

URL = os.environ.get("LYRA_BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")


def new_schema(prefix: str = "bench") -> str:
    """A PostgreSQL schema of the benchmark's own, so runs never share tables."""
    schema = f"{prefix}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(URL, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
    return schema


def drop_schema(schema: str) -> None:
    with psycopg.connect(URL, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema)))


@dataclass
class Result:
    label: str
    ops: int
    seconds: float
    latencies_ms: list[float]
    errors: int = 0

    @property
    def rate(self) -> float:
        return self.ops / self.seconds

    def percentile(self, q: float) -> float:
        if not self.latencies_ms:
            return float("nan")
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def run_clients(label: str, clients: int, seconds: float, op: Callable[[int, int], None]) -> Result:
    stop = time.monotonic() + seconds
    latencies: list[list[float]] = [[] for _ in range(clients)]
    errors = [0] * clients

    def worker(client: int) -> None:
        n = 0
        while time.monotonic() < stop:
            started = time.perf_counter()
            try:
                op(client, n)
            except DomainError:
                errors[client] += 1
            latencies[client].append((time.perf_counter() - started) * 1000)
            n += 1

    began = time.monotonic()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        list(pool.map(worker, range(clients)))
    elapsed = time.monotonic() - began
    flat = [x for per in latencies for x in per]
    return Result(label, len(flat) - sum(errors), elapsed, flat, sum(errors))


def baseline(schema: str, seconds: float) -> Result:
    with psycopg.connect(URL, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE TABLE {}.raw_inserts (id bigserial PRIMARY KEY, "
                             "payload text)").format(sql.Identifier(schema)))
    conns = [psycopg.connect(URL, autocommit=True) for _ in range(8)]
    statement = sql.SQL("INSERT INTO {}.raw_inserts (payload) VALUES (%s)").format(
        sql.Identifier(schema))

    def insert(client: int, n: int) -> None:
        conns[client].execute(statement, (f"row {client}-{n}",), prepare=True)

    try:
        return run_clients("baseline: raw single-row insert transactions", 8, seconds, insert)
    finally:
        for conn in conns:
            conn.close()


def make_core(schema: str, window_ms: float, writers: int = 2) -> Core:
    settings = Settings(database_url=URL, db_schema=schema, environment="test",
                        group_commit_window_ms=window_ms, group_commit_max_batch=512,
                        group_commit_writers=writers, run_projections=False)
    return build_core(settings)


def seed(core: Core, fans: int, creators: int) -> None:
    for c in range(creators):
        core.creators.register(f"creator-{c}", f"Creator {c}", "bench")

    def buy(f: int) -> None:
        for k in range(4):  # 4 x 5,500 tokens: enough for every tip of the run
            core.stripe_events.handle(session_completed(
                f"cs_bench_{f}_{k}", f"fan-{f}", "pack_5500", 3_999, f"pi_bench_{f}_{k}"))

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(buy, range(fans)))


def one_fan_tips(core: Core, tips: int, prefix: str, workers: int = 8) -> None:
    """fan-1 buys enough 5,500-token packs, then sends creator-1 `tips` tips of 5 tokens."""
    for k in range(tips * 5 // 5_500 + 1):
        core.stripe_events.handle(session_completed(
            f"cs_{prefix}_{k}", "fan-1", "pack_5500", 3_999, f"pi_{prefix}_{k}"))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        list(pool.map(lambda _n: core.spending.send(send_tip("fan-1", "creator-1", 5)),
                      range(tips)))


def tips(core: Core, label: str, clients: int, seconds: float, fans: int,
         creator_of: Callable[[int, int], str]) -> Result:
    def send(client: int, n: int) -> None:
        fan = (client + n * clients) % fans
        core.spending.send(send_tip(fan_id=f"fan-{fan}", creator_id=creator_of(client, n),
                                  amount_tokens=5))

    return run_clients(label, clients, seconds, send)


OFFERS = 20


def storefront(core: Core) -> tuple[str, list[str]]:
    """creator-0's published persona with OFFERS pay-per-view offers of 5 tokens."""
    persona = core.personas.create("creator-0", dict(PROFILE, monetization={
        **PROFILE["monetization"], "extra_message_tokens": 5}))
    core.personas.submit("creator-0", persona.id)
    core.personas.review("bench-admin", persona.id, True, "")
    core.personas.publish("creator-0", persona.id, True)
    offers = [str(core.ppv.create_offer("creator-0", persona.id, f"Set {n}", 25).id)
              for n in range(OFFERS)]
    return str(persona.id), offers


def mixed(core: Core, label: str, clients: int, seconds: float, fans: int, creators: int,
          persona_id: str, offers: list[str], round_no: int) -> Result:
    """Tips, unlocks and paid messages in turn; every (fan, offer) pair is unlocked once."""
    def send(client: int, n: int) -> None:
        i = client + n * clients
        fan = i % fans
        kind = i % 3
        if kind == 0:
            core.spending.send(send_tip(f"fan-{fan}", f"creator-{(i * 7919) % creators}", 5))
        elif kind == 1:
            offer = offers[(i // fans + round_no * 7) % len(offers)]
            core.spending.send(unlock_offer(f"fan-{fan}", offer, 25))
        else:
            core.spending.send(charge_message(f"fan-{fan}", persona_id, "bench",
                                              f"{round_no}-{i}", 5))

    return run_clients(label, clients, seconds, send)


def set_chain(schema: str, enabled: bool) -> None:
    """The chain trigger on or off, to measure what it costs (the bench schema is dropped after)."""
    with psycopg.connect(URL, autocommit=True) as conn:
        conn.execute(sql.SQL("ALTER TABLE {}.ledger_events {} TRIGGER lyra_chain").format(
            sql.Identifier(schema), sql.SQL("ENABLE" if enabled else "DISABLE")))


def merge(results: list[Result]) -> Result:
    return Result(results[0].label, sum(r.ops for r in results),
                  sum(r.seconds for r in results),
                  [x for r in results for x in r.latencies_ms], sum(r.errors for r in results))


def report(result: Result, base: Result | None = None) -> None:
    ratio = f"  x{result.rate / base.rate:.2f} of baseline" if base else ""
    print(f"{result.label:<58} {result.rate:>9,.0f}/s  p50 {result.percentile(0.5):6.1f} ms  "
          f"p99 {result.percentile(0.99):6.1f} ms  errors {result.errors}{ratio}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--fans", type=int, default=2_000)
    parser.add_argument("--creators", type=int, default=500)
    parser.add_argument("--window-ms", type=float, default=2)
    parser.add_argument("--writers", type=int, default=2)
    args = parser.parse_args()
    schema = new_schema()
    try:
        base = baseline(schema, args.seconds)
        report(base)
        core = make_core(schema, window_ms=args.window_ms, writers=args.writers)
        seed(core, args.fans, args.creators)
        spread_label = f"tips, group commit, spread over {args.creators} creators"
        hot_label = "tips, group commit, all to one popular creator"
        rounds: dict[str, list[Result]] = {spread_label: [], hot_label: []}
        for order in ((hot_label, spread_label), (spread_label, hot_label)):  # cancel drift
            for label in order:
                pick = ((lambda c, n: "creator-0") if label == hot_label else
                        (lambda c, n: f"creator-{(c * 7919 + n) % args.creators}"))
                rounds[label].append(tips(core, label, args.clients, args.seconds / 2,
                                          args.fans, pick))
        spread, hot = (merge(rounds[spread_label]), merge(rounds[hot_label]))
        report(spread, base)
        report(hot, base)
        print(f"{'hot / spread ratio':<58} {hot.rate / spread.rate:>9.2f}")
        persona_id, offers = storefront(core)
        mixed_label = "mixed: tips, unlocks, paid messages (1:1:1), group commit"
        mix = merge([mixed(core, mixed_label, args.clients, args.seconds / 2, args.fans,
                           args.creators, persona_id, offers, r) for r in range(2)])
        report(mix, base)
        chain_rounds: dict[bool, list[Result]] = {True: [], False: []}
        for chained in (False, True, True, False):  # alternate, so table growth cancels out
            set_chain(schema, chained)
            label = f"tips, group commit, hash chain {'on' if chained else 'off'}"
            chain_rounds[chained].append(tips(core, label, args.clients, args.seconds / 2,
                                              args.fans, lambda c, n: f"creator-{n % 97}"))
        set_chain(schema, True)
        on, off = merge(chain_rounds[True]), merge(chain_rounds[False])
        report(off, base)
        report(on, base)
        print(f"{'hash chain cost (on / off)':<58} {on.rate / off.rate:>9.2f}")
        core.close()
        direct_core = make_core(schema, window_ms=0)
        direct = tips(direct_core, "tips, one save per tip (no group commit), 8 clients", 8,
                      args.seconds, args.fans, lambda c, n: f"creator-{n % args.creators}")
        report(direct, base)
        started = time.perf_counter()
        events = direct_core.projections.rebuild()
        elapsed = time.perf_counter() - started
        models = len(direct_core.projections.projections)
        print(f"{f'projection catch-up ({models} read models, full rebuild)':<58} "
              f"{events / elapsed:>9,.0f} events/s  ({events:,} events in {elapsed:.1f} s)")
        direct_core.close()
    finally:
        drop_schema(schema)


if __name__ == "__main__":
    main()
