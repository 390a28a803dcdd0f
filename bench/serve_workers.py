"""`lyra serve --workers N` against one worker, over real HTTP, in one run.

For each N, starts `lyra serve --workers N` on a PostgreSQL schema of its own, funds fans through
the simulator's checkout, then drives it from a load generator in separate processes (so the
clients do not share the servers' interpreter): a static page, and tips. Prints requests per
second and latency percentiles for each, and the ratio of N workers to one.

Usage: PYTHONPATH=. python bench/serve_workers.py [--workers 2] [--seconds 5] [--clients 32]
       (LYRA_BENCH_DATABASE_URL, default postgresql://postgres@127.0.0.1:5432/test)
"""

import argparse
import os
import subprocess
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from multiprocessing import Pool

import httpx
import psycopg
from psycopg import sql

from api.auth import mint_token
from application.settings import Settings
from bench.tips import URL
from tests.fakes.servers import free_port

FANS = 64
CREATORS = 20


def drive(job: tuple[str, str, list[str], float, int]) -> tuple[int, list[float]]:
    """One load-generator process: `clients` threads hitting the server until time is up."""
    base, kind, tokens, seconds, clients = job
    stop = time.monotonic() + seconds
    latencies: list[list[float]] = [[] for _ in range(clients)]

    def worker(n: int) -> None:
        with httpx.Client(base_url=base, timeout=30) as client:
            i = 0
            while time.monotonic() < stop:
                started = time.perf_counter()
                if kind == "static":
                    client.get("/api/tokens/packs").raise_for_status()
                else:
                    token = tokens[(n + i) % len(tokens)]
                    client.post("/api/tips", headers={"Authorization": f"Bearer {token}"},
                                json={"creator_id": f"creator-{i % CREATORS}",
                                      "amount_tokens": 5}).raise_for_status()
                latencies[n].append((time.perf_counter() - started) * 1000)
                i += 1

    with ThreadPoolExecutor(max_workers=clients) as pool:
        list(pool.map(worker, range(clients)))
    flat = [x for per in latencies for x in per]
    return len(flat), flat


def load(base: str, kind: str, tokens: list[str], seconds: float, clients: int,
         processes: int = 2) -> tuple[float, float, float]:
    with Pool(processes) as pool:
        results = pool.map(drive, [(base, kind, tokens, seconds, clients // processes)] *
                           processes)
    count = sum(r[0] for r in results)
    flat = sorted(x for r in results for x in r[1])
    return count / seconds, flat[len(flat) // 2], flat[int(len(flat) * 0.99)]


def serve(workers: int, schema: str, port: int,
          extra_env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    env = {**os.environ, "LYRA_DATABASE_URL": URL, "LYRA_DB_SCHEMA": schema,
           "LYRA_ENVIRONMENT": "test", "LYRA_PUBLIC_URL": f"http://127.0.0.1:{port}",
           **(extra_env or {})}
    lyra = os.path.join(os.path.dirname(sys.executable), "lyra")
    process = subprocess.Popen([lyra, "serve", "--port", str(port), "--workers", str(workers)],
                               env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(200):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz").status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("the server did not start")


def fund(base: str, settings: Settings) -> list[str]:
    admin = {"Authorization": f"Bearer {mint_token(settings, 'bench-admin', ['admin'])}"}
    for c in range(CREATORS):
        httpx.post(f"{base}/api/admin/creators", headers=admin,
                   json={"user_id": f"creator-{c}", "display_name": f"C{c}"})
    tokens = [mint_token(settings, f"fan-{f}", ["fan"]) for f in range(FANS)]
    for token in tokens:
        session = httpx.post(f"{base}/api/tokens/checkout", json={"pack_sku": "pack_5500"},
                             headers={"Authorization": f"Bearer {token}"}).json()
        httpx.post(f"{base}/simulator/checkout/{session['checkout_session_id']}/pay")
    return tokens


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--clients", type=int, default=32)
    args = parser.parse_args()
    settings = Settings(environment="test")
    figures: dict[int, dict[str, tuple[float, float, float]]] = {}
    for workers in (1, args.workers):
        schema = f"bench_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(URL, autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
        port = free_port()
        server = serve(workers, schema, port)
        try:
            base = f"http://127.0.0.1:{port}"
            tokens = fund(base, settings)
            figures[workers] = {kind: load(base, kind, tokens, args.seconds, args.clients)
                                for kind in ("static", "tips")}
        finally:
            server.terminate()
            server.wait(timeout=30)
            with psycopg.connect(URL, autocommit=True) as conn:
                conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema)))
        for kind, (rate, p50, p99) in figures[workers].items():
            print(f"{workers} worker{'s' if workers > 1 else ' '} {kind:<7} {rate:>8,.0f}/s  "
                  f"p50 {p50:6.1f} ms  p99 {p99:6.1f} ms")
    for kind in ("static", "tips"):
        print(f"{kind}: {args.workers} workers / 1 worker = "
              f"{figures[args.workers][kind][0] / figures[1][kind][0]:.2f}")
    print(f"tips / static with {args.workers} workers: "
          f"{figures[args.workers]['tips'][0] / figures[args.workers]['static'][0]:.2f}")


if __name__ == "__main__":
    main()
