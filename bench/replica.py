"""Tips and reads with the API's reads on the primary, then on a hot standby, side by side in one
run, as production runs: `lyra serve --workers 2` (two API processes and the projection
follower, a process of its own) on a primary and a standby of the bench's own
(tests/fakes/clusters.py), fans funded through the simulator's checkout.

For each setting, for a few seconds, tip clients send tips while read clients read their wallets
and the persona list, from client processes of their own; printed: tips per second, the reads'
p50 and p99, and each as a ratio of the run without the replica. On one 2-core machine the
standby, the primary, both API workers, the follower and the clients share the cores, so this
shows what the switch costs or saves here, not what a replica on its own host would give.

Usage: .venv/bin/python -m bench.replica [--seconds 5] [--tippers 8] [--readers 8]
"""

import argparse
import multiprocessing
import statistics
import threading
import time

import httpx
import psycopg

from application.bootstrap import build_core
from application.settings import Settings
from bench.serve_workers import fund, serve
from tests.fakes.clusters import primary_and_standby
from tests.fakes.servers import free_port
from tests.helpers import published_persona

SCHEMA = "lyra"


def drive(job: tuple[str, str, list[str], float]) -> list[float]:
    """One client process, a thread per fan: tips (each counted as 0.0) or reads (each its
    latency in ms), until time is up."""
    base, role, tokens, seconds = job
    stop = time.monotonic() + seconds
    done: list[float] = []

    def client(token: str) -> None:
        with httpx.Client(base_url=base, timeout=30,
                          headers={"Authorization": f"Bearer {token}"}) as http:
            while time.monotonic() < stop:
                if role == "tip":
                    sent = http.post("/api/tips", json={"creator_id": "creator-1",
                                                        "amount_tokens": 1})
                    if sent.status_code == 201:
                        done.append(0.0)
                    continue
                started = time.perf_counter()
                for path in ("/api/wallet", "/api/models"):
                    assert http.get(path).status_code == 200
                done.append((time.perf_counter() - started) * 1000 / 2)

    threads = [threading.Thread(target=client, args=(token,)) for token in tokens]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return done


def run(primary: str, read_url: str | None, seconds: float, tippers: int,
        readers: int) -> dict[str, float]:
    with psycopg.connect(primary, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
    settings = Settings(database_url=primary, db_schema=SCHEMA, environment="test",
                        run_projections=False)
    core = build_core(settings)
    published_persona(core)
    core.close()
    port = free_port()
    server = serve(2, SCHEMA, port, database_url=primary,
                   extra_env={"LYRA_READ_DATABASE_URL": read_url} if read_url else None)
    try:
        base = f"http://127.0.0.1:{port}"
        tokens = fund(base, settings, tippers + readers)
        with multiprocessing.get_context("spawn").Pool(2) as pool:
            tips, reads = pool.map(drive, [(base, "tip", tokens[:tippers], seconds),
                                           (base, "read", tokens[tippers:], seconds)])
    finally:
        server.terminate()
        server.wait(timeout=30)
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
        results = {label: run(clusters.primary, read_url, args.seconds, args.tippers,
                              args.readers)
                   for label, read_url in (("reads on the primary", None),
                                           ("reads on the standby", clusters.standby))}
    base = results["reads on the primary"]
    print(f"lyra serve --workers 2 with its follower; {args.tippers} tip clients and "
          f"{args.readers} read clients, {args.seconds:g} s each; primary and standby on this "
          f"machine")
    print(f"{'setting':<24} {'tips/s':>9} {'read p50':>10} {'read p99':>10}  ratios")
    for label, found in results.items():
        tips_ratio = found["tips_per_s"] / base["tips_per_s"]
        p99_ratio = found["read_p99_ms"] / base["read_p99_ms"]
        print(f"{label:<24} {found['tips_per_s']:>9,.0f} {found['read_p50_ms']:>8.1f} ms "
              f"{found['read_p99_ms']:>7.1f} ms  tips x{tips_ratio:.2f}, p99 x{p99_ratio:.2f}")


if __name__ == "__main__":
    main()
