"""Do auditors' and finance's replays stall money? Tip latency over HTTP with and without a long
replay running, in one run.

Starts `lyra serve` on a PostgreSQL schema of its own, builds a creator with a long history
(target: 10,000 tips by default), then measures tips from a load generator in another process:
  - alone (the baseline);
  - while an auditor asks, in a loop, for that creator's balances as of a moment
    (`GET /api/audit/as-of`: run by the API's replay worker process, or with
    --replay-processes 0 on the API's own threads, as before);
  - while `lyra projections rebuild` runs in a process of its own.
Prints tips/s and p50/p99 for each, and each p99 as a ratio of the baseline's (target: 2x or
less).

Usage: .venv/bin/python -m bench.replay_vs_tips [--history 10000] [--seconds 6]
"""

import argparse
import multiprocessing
import os
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime

import httpx

from api.auth import mint_token
from application.settings import Settings
from bench.serve_workers import drive, serve
from bench.tips import URL, drop_schema, new_schema
from tests.fakes.servers import free_port

FANS = 64


def tips(base: str, tokens: list[str], seconds: float, clients: int) -> tuple[float, float, float]:
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        [(count, latencies, _refused)] = pool.map(drive, [(base, "tips", tokens, seconds,
                                                           clients)])
    ordered = sorted(latencies)
    return count / seconds, ordered[len(ordered) // 2], ordered[int(len(ordered) * 0.99)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--history", type=int, default=10_000)
    parser.add_argument("--seconds", type=float, default=6)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--projections-process", action="store_true",
                        help="follow the ledger in `lyra projections run`, not in the API")
    parser.add_argument("--replay-processes", type=int, default=1,
                        help="LYRA_REPLAY_PROCESSES for the server (0: replays on its threads)")
    args = parser.parse_args()
    settings = Settings(environment="test")
    schema = new_schema()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = serve(1, schema, port, {"LYRA_REPLAY_PROCESSES": str(args.replay_processes),
                                     "LYRA_RUN_PROJECTIONS": str(not args.projections_process)})
    env = {**os.environ, "LYRA_DATABASE_URL": URL, "LYRA_DB_SCHEMA": schema,
           "LYRA_ENVIRONMENT": "test", "LYRA_RUN_PROJECTIONS": "false"}
    lyra = os.path.join(os.path.dirname(sys.executable), "lyra")
    follower = subprocess.Popen([lyra, "projections", "run"], env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) \
        if args.projections_process else None
    try:
        admin = {"Authorization": f"Bearer {mint_token(settings, 'adm', ['admin', 'auditor'])}"}
        for c in range(20):
            httpx.post(f"{base}/api/admin/creators", headers=admin,
                       json={"user_id": f"creator-{c}", "display_name": f"C{c}"})
        tokens = [mint_token(settings, f"fan-{f}", ["fan"]) for f in range(FANS)]
        for token in tokens:
            for _ in range(2):
                session = httpx.post(f"{base}/api/tokens/checkout",
                                     json={"pack_sku": "pack_5500"},
                                     headers={"Authorization": f"Bearer {token}"}).json()
                httpx.post(f"{base}/simulator/checkout/{session['checkout_session_id']}/pay")
        # creator-0's history: --history tips of 5 tokens, through the API.
        with multiprocessing.get_context("spawn").Pool(2) as pool:
            pool.map(_history, [(base, tokens, args.history // 2, n) for n in range(2)])
        moment = datetime.now(UTC).isoformat()
        quiet = []
        for _ in range(3):  # the first also starts the replay worker
            started = time.perf_counter()
            httpx.get(f"{base}/api/audit/as-of", headers=admin, timeout=120, params={
                "at": moment, "creator_id": "creator-0"}).raise_for_status()
            quiet.append(time.perf_counter() - started)

        lag: list[int] = []
        watching = threading.Event()

        def watch() -> None:
            while not watching.is_set():
                status = httpx.get(f"{base}/api/projections/status").json()["projections"]
                lag.append(max(p["lag_events"] for p in status))
                time.sleep(0.5)

        watcher = threading.Thread(target=watch)
        watcher.start()
        alone = tips(base, tokens, args.seconds, args.clients)
        watching.set()
        watcher.join()
        stop = threading.Event()
        asked = [0, 0.0]

        def audit() -> None:
            with httpx.Client(base_url=base, timeout=120) as client:
                while not stop.is_set():
                    started = time.perf_counter()
                    client.get("/api/audit/as-of", headers=admin, params={
                        "at": moment, "creator_id": "creator-0"}).raise_for_status()
                    asked[0] += 1
                    asked[1] += time.perf_counter() - started

        auditor = threading.Thread(target=audit)
        auditor.start()
        during_as_of = tips(base, tokens, args.seconds, args.clients)
        stop.set()
        auditor.join()

        rebuild = subprocess.Popen([lyra, "projections", "rebuild"], env=env,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        during_rebuild = tips(base, tokens, args.seconds, args.clients)
        rebuilt_in_time = rebuild.poll() is None
        rebuild.wait(timeout=600)
    finally:
        for process in (server, follower):
            if process is not None:
                process.terminate()
                process.wait(timeout=30)
        drop_schema(schema)
    for label, (rate, p50, p99) in (("tips alone", alone),
                                    ("tips while as-of replays run", during_as_of),
                                    ("tips while a full rebuild runs", during_rebuild)):
        print(f"{label:<34} {rate:>7,.0f}/s  p50 {p50:6.1f} ms  p99 {p99:6.1f} ms  "
              f"p99 x{p99 / alone[2]:.2f} of alone")
    print(f"projection lag under tips alone: max {max(lag):,} events, last {lag[-1]:,}")
    print(f"as-of with nothing else running: {', '.join(f'{q * 1000:,.0f} ms' for q in quiet)}")
    print(f"as-of replays answered meanwhile: {asked[0]} "
          f"(mean {asked[1] / max(asked[0], 1) * 1000:,.0f} ms each); the rebuild "
          f"{'ran through the whole measurement' if rebuilt_in_time else 'finished within it'}")


def _history(job: tuple[str, list[str], int, int]) -> None:
    base, tokens, count, offset = job
    with httpx.Client(base_url=base, timeout=30) as client:
        for i in range(count):
            client.post("/api/tips", headers={
                "Authorization": f"Bearer {tokens[(i * 2 + offset) % len(tokens)]}"},
                json={"creator_id": "creator-0", "amount_tokens": 5}).raise_for_status()


if __name__ == "__main__":
    main()
