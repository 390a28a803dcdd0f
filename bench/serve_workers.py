"""`lyra serve --workers N` against one worker, over real HTTP, in one run.

For each N, starts `lyra serve --workers N` on a PostgreSQL schema of its own, funds fans
through the embedded payment simulator's checkout (opened through one worker, paid through
whichever answers: its state is in the database), then drives it with `wrk` (Debian's package:
a load generator in C, which leaves the cores to the server) when installed, else with Python
clients in separate processes: a static page, and tips (each request the next of 1,000 fans'
tokens, so, as on a live platform, few fans tip at one moment). Prints requests per second and
latency percentiles for each, and the ratios: N workers to one, and tips to static.

Usage: .venv/bin/python -m bench.serve_workers [--workers 2] [--seconds 5] [--clients 32]
                                                  [--fans 1000]
       (apt-get install wrk; LYRA_BENCH_DATABASE_URL, default postgresql://postgres@...:5432/test)
"""

import argparse
import multiprocessing
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

import httpx

from api.auth import mint_token
from application.settings import Settings
from bench.tips import URL, drop_schema, new_schema
from tests.fakes.servers import free_port

CREATORS = 20


def drive(job: tuple[str, str, list[str], float, int]) -> tuple[int, list[float], dict[int, int]]:
    """One load-generator process: `clients` threads hitting the server until time is up.
    Returns the successes, their latencies, and the refusals by status."""
    base, kind, tokens, seconds, clients = job
    stop = time.monotonic() + seconds
    latencies: list[list[float]] = [[] for _ in range(clients)]
    refused: dict[int, int] = {}

    def worker(n: int) -> None:
        with httpx.Client(base_url=base, timeout=30) as client:
            i = 0
            while time.monotonic() < stop:
                started = time.perf_counter()
                if kind == "static":
                    response = client.get("/api/tokens/packs")
                else:
                    token = tokens[(n + i) % len(tokens)]
                    response = client.post("/api/tips",
                                           headers={"Authorization": f"Bearer {token}"},
                                           json={"creator_id": f"creator-{i % CREATORS}",
                                                 "amount_tokens": 5})
                i += 1
                if response.status_code >= 300:
                    refused[response.status_code] = refused.get(response.status_code, 0) + 1
                    continue
                latencies[n].append((time.perf_counter() - started) * 1000)

    with ThreadPoolExecutor(max_workers=clients) as pool:
        list(pool.map(worker, range(clients)))
    flat = [x for per in latencies for x in per]
    return len(flat), flat, refused


def load(base: str, kind: str, tokens: list[str], seconds: float, clients: int,
         processes: int = 2) -> tuple[float, float, float, dict[int, int]]:
    with multiprocessing.get_context("spawn").Pool(processes) as pool:
        results = pool.map(drive, [(base, kind, tokens, seconds, clients // processes)] *
                           processes)
    count = sum(r[0] for r in results)
    flat = sorted(x for r in results for x in r[1])
    refused: dict[int, int] = {}
    for r in results:
        for status, n in r[2].items():
            refused[status] = refused.get(status, 0) + n
    return count / seconds, flat[len(flat) // 2], flat[int(len(flat) * 0.99)], refused


def serve(workers: int, schema: str, port: int, extra_env: dict[str, str] | None = None,
          database_url: str = URL) -> subprocess.Popen[bytes]:
    # Capacity is measured without rate limits (every load generator is one address and a few
    # users); bench/rate_limits.py measures them.
    env = {**os.environ, "LYRA_DATABASE_URL": database_url, "LYRA_DB_SCHEMA": schema,
           "LYRA_ENVIRONMENT": "test", "LYRA_PUBLIC_URL": f"http://127.0.0.1:{port}",
           "LYRA_RATE_LIMITS_ENABLED": "false", **(extra_env or {})}
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


def fund(base: str, settings: Settings, fans: int) -> list[str]:
    """Creators, and fans who each bought a pack of 5,500 tokens (1,100 tips of 5) through the
    simulator's checkout, as a fan does."""
    admin = {"Authorization": f"Bearer {mint_token(settings, 'bench-admin', ['admin'])}"}
    for c in range(CREATORS):
        httpx.post(f"{base}/api/admin/creators", headers=admin,
                   json={"user_id": f"creator-{c}", "display_name": f"C{c}"})

    def buy(f: int) -> None:
        fan = {"Authorization": f"Bearer {mint_token(settings, f'fan-{f}', ['fan'])}",
               "Idempotency-Key": f"bench-pack-{f}"}
        while True:  # as a client should: again after a 503 (shed) or 429, with the same key
            opened = httpx.post(f"{base}/api/tokens/checkout", headers=fan,
                                json={"pack_sku": "pack_5500"}, timeout=30)
            if opened.status_code not in (429, 503):
                break
            time.sleep(0.05)
        opened.raise_for_status()
        session_id = opened.json()["checkout_session_id"]
        httpx.post(f"{base}/simulator/checkout/{session_id}/pay", timeout=30).raise_for_status()

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(buy, range(fans)))
    return [mint_token(settings, f"fan-{f}", ["fan"]) for f in range(fans)]


WRK_TIPS = """
tokens = {%s}
n = 0
request = function()
  n = n + 1
  local body = string.format('{"creator_id":"creator-%%d","amount_tokens":5}', n %% %d)
  return wrk.format("POST", "/api/tips", {["Authorization"] = "Bearer " .. tokens[n %% #tokens + 1],
                    ["Content-Type"] = "application/json"}, body)
end
response = function(status, headers, body)
  if status ~= 201 then refused = (refused or 0) + 1 end
end
"""


def wrk(base: str, kind: str, tokens: list[str], seconds: float,
        clients: int) -> tuple[float, float, float, dict[int, int]]:
    """wrk's requests/s and latency percentiles (its non-2xx count as refusals)."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_TIPS % (", ".join(f'"{t}"' for t in tokens), CREATORS))
    command = ["wrk", "-t2", f"-c{clients}", f"-d{int(seconds)}s", "--latency"]
    if kind == "tips":
        command += ["-s", script.name]
    out = subprocess.run([*command, f"{base}/api/tokens/packs" if kind == "static" else base],
                         capture_output=True, text=True, check=True).stdout
    os.unlink(script.name)
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]

    def percentile(label: str) -> float:
        value, unit = re.search(rf"\s{label}%\s+([\d.]+)(us|ms|s)", out).groups()  # type: ignore[union-attr]
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return rate, percentile("50"), percentile("99"), {0: int(bad.group(1))} if bad else {}


def caught_up(base: str) -> tuple[int, float]:
    """How far the read models were behind the ledger the moment the load stopped (the most
    behind of them, in events), and how long they took to reach the head."""
    started = time.perf_counter()
    first = None
    while True:
        status = httpx.get(f"{base}/api/projections/status", timeout=30).json()["projections"]
        lag = max(p["lag_events"] for p in status)
        first = lag if first is None else first
        if lag == 0:
            return first, time.perf_counter() - started
        time.sleep(0.01)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--fans", type=int, default=1_000,
                        help="fans tipping (many, as on a live platform: few tip at one moment)")
    args = parser.parse_args()
    settings = Settings(environment="test")
    figures: dict[int, dict[str, tuple[float, float, float, dict[int, int]]]] = {}
    behind: dict[int, tuple[int, float]] = {}
    for workers in (1, args.workers):
        schema = new_schema()
        port = free_port()
        server = serve(workers, schema, port)
        try:
            base = f"http://127.0.0.1:{port}"
            tokens = fund(base, settings, args.fans)
            measure = wrk if shutil.which("wrk") else load
            figures[workers] = {kind: measure(base, kind, tokens, args.seconds, args.clients)
                                for kind in ("static", "tips")}
            behind[workers] = caught_up(base)
        finally:
            server.terminate()
            server.wait(timeout=30)
            drop_schema(schema)
        for kind, (rate, p50, p99, refused) in figures[workers].items():
            print(f"{workers} worker{'s' if workers > 1 else ' '} {kind:<7} {rate:>8,.0f}/s  "
                  f"p50 {p50:6.1f} ms  p99 {p99:6.1f} ms  refused {refused or 'none'}",
                  flush=True)
        events, seconds = behind[workers]
        print(f"{workers} worker{'s' if workers > 1 else ' '} read models behind when the tips "
              f"stopped: {events:,} events, caught up in {seconds * 1000:,.0f} ms (target < 1 s)",
              flush=True)
    for kind in ("static", "tips"):
        print(f"{kind}: {args.workers} workers / 1 worker = "
              f"{figures[args.workers][kind][0] / figures[1][kind][0]:.2f}")
    for workers in figures:
        print(f"tips / static with {workers} worker{'s' if workers > 1 else ''}: "
              f"{figures[workers]['tips'][0] / figures[workers]['static'][0]:.2f} (target 0.5)")


if __name__ == "__main__":
    main()
