"""Tips and reads with the API's reads on the primary, then on a hot standby, side by side in one
run, on a primary and a standby of the bench's own (tests/fakes/clusters.py).

For each setting, the API is served on loopback and, for a few seconds, tip clients send tips
while read clients read their wallets and the persona list; printed: tips per second, the
reads' p50 and p99, and each as a ratio of the run without the replica. On one 2-core machine
the standby shares the cores with the primary, so this shows what the switch costs or saves
here, not what a replica on its own host would give.

Usage: PYTHONPATH=. python bench/replica.py [--seconds 5] [--tippers 8] [--readers 8]
"""

import argparse
import statistics
import threading
import time
from collections.abc import Callable

import httpx
import psycopg

from api.auth import mint_token
from api.main import create_app
from application.settings import Settings
from tests.fakes.clusters import primary_and_standby
from tests.fakes.servers import free_port, serve_app
from tests.helpers import published_persona, session_completed


def run(settings: Settings, seconds: float, tippers: int, readers: int) -> dict[str, float]:
    port = free_port()
    app = create_app(settings=settings.model_copy(update={
        "public_url": f"http://127.0.0.1:{port}"}))
    with serve_app(app, port) as base:
        core = app.state.core
        published_persona(core)
        for fan in range(tippers + readers):
            core.stripe_events.handle(session_completed(
                f"cs_r_{fan}", f"fan-{fan}", "pack_5500", 3_999, f"pi_r_{fan}"))
        core.projections.wait_for(core.ledger.max_position(), timeout_s=30)
        stop = time.monotonic() + seconds
        tips: list[int] = []
        reads: list[float] = []

        def client(fan: int, work: Callable[[httpx.Client], None]) -> None:
            token = mint_token(core.settings, f"fan-{fan}", ["fan"])
            with httpx.Client(base_url=base, timeout=30,
                              headers={"Authorization": f"Bearer {token}"}) as http:
                while time.monotonic() < stop:
                    work(http)

        def tip(http: httpx.Client) -> None:
            if http.post("/api/tips/send", json={"creator_id": "creator-1",
                                                 "amount_tokens": 1}).status_code == 201:
                tips.append(1)

        def read(http: httpx.Client) -> None:
            started = time.perf_counter()
            for path in ("/api/wallet", "/api/models"):
                assert http.get(path).status_code == 200
            reads.append((time.perf_counter() - started) * 1000 / 2)

        threads = [threading.Thread(target=client, args=(n, tip)) for n in range(tippers)] + \
            [threading.Thread(target=client, args=(tippers + n, read)) for n in range(readers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        ordered = sorted(reads)
        return {"tips_per_s": len(tips) / seconds, "read_p50_ms": statistics.median(ordered),
                "read_p99_ms": ordered[int(0.99 * (len(ordered) - 1))], "reads": len(ordered)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--tippers", type=int, default=8)
    parser.add_argument("--readers", type=int, default=8)
    args = parser.parse_args()
    with primary_and_standby() as clusters:
        results = {}
        for label, read_url in (("reads on the primary", None),
                                ("reads on the standby", clusters.standby)):
            with psycopg.connect(clusters.primary, autocommit=True) as conn:
                conn.execute("DROP SCHEMA IF EXISTS lyra CASCADE")
            results[label] = run(Settings(
                database_url=clusters.primary, read_database_url=read_url, db_schema="lyra",
                environment="test", run_projections=True, group_commit_window_ms=2),
                args.seconds, args.tippers, args.readers)
        base = results["reads on the primary"]
        print(f"{args.tippers} tip clients and {args.readers} read clients, {args.seconds:g} s "
              f"each, primary and standby on this machine")
        print(f"{'setting':<24} {'tips/s':>9} {'read p50':>10} {'read p99':>10}  ratios")
        for label, found in results.items():
            tips_ratio = found["tips_per_s"] / base["tips_per_s"]
            p99_ratio = found["read_p99_ms"] / base["read_p99_ms"]
            print(f"{label:<24} {found['tips_per_s']:>9,.0f} {found['read_p50_ms']:>8.1f} ms "
                  f"{found['read_p99_ms']:>7.1f} ms  tips x{tips_ratio:.2f}, p99 x{p99_ratio:.2f}")


if __name__ == "__main__":
    main()
