"""Rate limits and shedding on one `lyra serve` worker (PostgreSQL), over real HTTP, in one run.

1. **A flood.** A quiet fan reads their wallet every 50 ms, alone and then while one fan's token
   drives 64 connections of tips and wallet reads (wrk), with limits off (as before issue 37)
   and on: the quiet fan's p50/p99 and what the flood got.
2. **Overload.** wrk offers tips from 1,000 fans at three times what the worker serves (64
   connections, each pausing between requests) to a worker that sheds past `--in-flight`; a
   probe fan sends keyed tips at a steady pace and, as a client should, retries each after its
   503 or 429 with the same key. The probe's admitted p99 beside its p99 on the idle worker;
   what wrk offered against what the worker serves; every probe tip recorded once and the trial
   balance whole.
3. **The limiter's cost.** Tips/s from 1,000 fans with limits on (none refused) and off,
   alternating rounds.

The load generators share the address 127.0.0.1, so the per-address limit is raised here (it
would refuse the quiet fan with the flooder); every other limit is at its default unless said.

Usage: .venv/bin/python -m bench.rate_limits [--seconds 6] [--in-flight 4]   (apt-get install wrk)
"""

import argparse
import asyncio
import os
import re
import shutil
import statistics
import subprocess
import tempfile
import threading
import time
import uuid
from typing import Any

import httpx
from starlette.applications import Starlette

from adapters.limits.stores import MemoryLimitStore
from api.auth import TokenVerifier, mint_token
from api.limits.middleware import Admission
from api.limits.policy import budgets_from
from application.settings import Settings
from bench.serve_workers import fund, serve, wrk
from bench.tips import drop_schema, new_schema
from tests.fakes.servers import free_port

OPEN = {"LYRA_RATE_LIMIT_PER_ADDRESS": "100000000/minute"}
FLOOD = """
token = "%s"
n = 0
request = function()
  n = n + 1
  if n %% 2 == 0 then
    return wrk.format("GET", "/api/wallet", {["Authorization"] = "Bearer " .. token})
  end
  return wrk.format("POST", "/api/tips", {["Authorization"] = "Bearer " .. token,
                    ["Content-Type"] = "application/json"},
                    '{"creator_id":"creator-1","amount_tokens":1}')
end
"""


PACED_TIPS = """
tokens = {%s}
n = 0
request = function()
  n = n + 1
  local body = string.format('{"creator_id":"creator-%%d","amount_tokens":5}', n %% 20)
  return wrk.format("POST", "/api/tips", {["Authorization"] = "Bearer " .. tokens[n %% #tokens + 1],
                    ["Content-Type"] = "application/json"}, body)
end
delay = function()
  return %d
end
"""


def paced_wrk(base: str, tokens: list[str], seconds: float, rate: float,
              connections: int = 64) -> tuple[float, int]:
    """Tips offered at about `rate` a second: each of wrk's connections waits between its
    requests, so a fast 503 does not turn into an instant retry (wrk would otherwise send as fast
    as it is answered). Returns the requests/s wrk made and its non-2xx count."""
    pause_ms = max(1, int(connections / rate * 1000))
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(PACED_TIPS % (", ".join(f'"{t}"' for t in tokens), pause_ms))
    out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{int(seconds)}s", "-s",
                          script.name, base], capture_output=True, text=True, check=True).stdout
    os.unlink(script.name)
    made = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return made, int(bad.group(1)) if bad else 0


def percentiles(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values)
    return ordered[len(ordered) // 2], ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


def quiet_reads(base: str, token: str, seconds: float, refused: list[int] | None = None
                ) -> list[float]:
    """A fan reading their wallet every 50 ms: each answered read's latency in ms (the statuses
    of those refused go to `refused`)."""
    latencies = []
    with httpx.Client(base_url=base, timeout=30,
                      headers={"Authorization": f"Bearer {token}"}) as client:
        stop = time.monotonic() + seconds
        while time.monotonic() < stop:
            started = time.perf_counter()
            response = client.get("/api/wallet")
            if response.status_code == 200:
                latencies.append((time.perf_counter() - started) * 1000)
            elif refused is not None:
                refused.append(response.status_code)
            else:
                raise AssertionError(response.text)
            time.sleep(max(0.0, 0.05 - (time.perf_counter() - started)))
    return latencies


def flood_wrk(base: str, token: str, seconds: float) -> tuple[float, int]:
    """wrk's requests/s and non-2xx count for one token on 64 connections."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(FLOOD % token)
    out = subprocess.run(["wrk", "-t2", "-c64", f"-d{int(seconds)}s", "-s", script.name, base],
                         capture_output=True, text=True, check=True).stdout
    os.unlink(script.name)
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return rate, int(bad.group(1)) if bad else 0


def flood(settings: Settings, seconds: float, limited: bool) -> None:
    schema, port = new_schema(), free_port()
    env = {**OPEN, "LYRA_RATE_LIMITS_ENABLED": str(limited).lower()}
    if not limited:  # as before issue 37: nothing refused, nothing shed
        env["LYRA_MAX_IN_FLIGHT"] = "10000"
    server = serve(1, schema, port, env)
    base = f"http://127.0.0.1:{port}"
    try:
        fund(base, settings, 2)
        quiet, flooder = (mint_token(settings, f"fan-{n}", ["fan"]) for n in range(2))
        alone = quiet_reads(base, quiet, seconds)
        during: list[float] = []
        quiet_refused: list[int] = []
        reader = threading.Thread(target=lambda: during.extend(quiet_reads(
            base, quiet, seconds, quiet_refused)))
        reader.start()
        rate, refused = flood_wrk(base, flooder, seconds)
        reader.join()
        (a50, a99), (d50, d99) = percentiles(alone), percentiles(during)
        print(f"flood, limits {'on ' if limited else 'off'}: quiet fan alone p50 {a50:5.1f} ms "
              f"p99 {a99:5.1f} ms; during the flood p50 {d50:5.1f} ms p99 {d99:6.1f} ms "
              f"(p99 x{d99 / a99:.1f}); the flood {rate:,.0f} req/s, "
              f"{refused / max(1, rate * seconds):.0%} refused; the quiet fan refused "
              f"{len(quiet_refused)} of {len(during) + len(quiet_refused)}", flush=True)
    finally:
        server.terminate()
        server.wait(timeout=30)
        drop_schema(schema)


def probe(base: str, token: str, seconds: float, pace_s: float = 0.02
          ) -> tuple[list[float], dict[int, int], list[str]]:
    """Keyed tips at a steady pace, each retried after a 503 or 429 with its key, as a client
    should: the admitted attempts' latencies, the refusals by status, the keys."""
    latencies, refusals, keys = [], {503: 0, 429: 0}, []
    with httpx.Client(base_url=base, timeout=30,
                      headers={"Authorization": f"Bearer {token}"}) as client:
        stop = time.monotonic() + seconds
        while time.monotonic() < stop:
            key = uuid.uuid4().hex
            keys.append(key)
            while True:
                started = time.perf_counter()
                response = client.post("/api/tips", headers={"Idempotency-Key": key},
                                       json={"creator_id": "creator-1", "amount_tokens": 1})
                if response.status_code in refusals:
                    refusals[response.status_code] += 1
                    time.sleep(min(0.05, float(response.headers.get("retry-after", "1"))))
                    continue
                assert response.status_code == 201, response.text
                latencies.append((time.perf_counter() - started) * 1000)
                break
            time.sleep(pace_s)
    return latencies, refusals, keys


def overload(settings: Settings, seconds: float, in_flight: int) -> None:
    schema, port = new_schema(), free_port()
    server = serve(1, schema, port, {**OPEN, "LYRA_MAX_IN_FLIGHT": str(in_flight),
                                     "LYRA_RATE_LIMIT_MONEY": "100000/minute"})
    base = f"http://127.0.0.1:{port}"
    try:
        tokens = fund(base, settings, 1_000)
        probe_token = tokens[0]
        idle, _, idle_keys = probe(base, probe_token, seconds)
        capacity, _, _, _ = wrk(base, "tips", tokens[1:], seconds, in_flight)
        loaded: list[tuple[list[float], dict[int, int], list[str]]] = []
        prober = threading.Thread(target=lambda: loaded.append(probe(base, probe_token,
                                                                     seconds)))
        prober.start()
        offered, shed = paced_wrk(base, tokens[1:], seconds, 3 * capacity)
        prober.join()
        admitted, refusals, keys = loaded[0]
        (i50, i99), (l50, l99) = percentiles(idle), percentiles(admitted)
        head = int(httpx.get(f"{base}/healthz").json()["head_position"])
        fan = {"Authorization": f"Bearer {probe_token}"}
        tips, before = [], None
        while True:
            page = httpx.get(f"{base}/api/wallet/transactions", headers=fan, params={
                "min_position": head, "limit": 200,
                **({"before_position": before} if before else {})}, timeout=30).json()
            tips += [t for t in page["transactions"] if t["kind"] == "tip"]
            before = page.get("next_before_position")
            if not before:
                break
        finance = {"Authorization": f"Bearer {mint_token(settings, 'fin', ['finance'])}"}
        balanced = httpx.get(f"{base}/api/finance/trial-balance", headers=finance,
                             params={"min_position": head}, timeout=60).json()["balanced"]
        served = offered - shed / seconds
        print(f"overload, {in_flight} in flight: one worker serves {capacity:,.0f} tips/s; "
              f"offered {offered:,.0f}/s (x{offered / capacity:.1f}): {served:,.0f}/s served "
              f"(x{served / capacity:.2f} of what it serves), the rest "
              f"({shed / max(1, offered * seconds):.0%}) shed", flush=True)
        print(f"  probe: idle p50 {i50:5.1f} ms p99 {i99:5.1f} ms; admitted under overload "
              f"p50 {l50:5.1f} ms p99 {l99:5.1f} ms (p99 x{l99 / i99:.2f}); "
              f"refused and retried {refusals}", flush=True)
        print(f"  {len(idle_keys) + len(keys)} keyed probe tips, {len(tips)} recorded; "
              f"trial balance {'balanced' if balanced else 'OUT'}", flush=True)
    finally:
        server.terminate()
        server.wait(timeout=30)
        drop_schema(schema)


def admission_alone(settings: Settings, requests: int = 20_000) -> float:
    """Microseconds the admission middleware adds to one tip request, in this process, with
    limits on and nothing refused (the memory store): the cost without the noise of a server."""
    async def inner(scope: Any, receive: Any, send: Any) -> None:
        pass

    app = Starlette()
    app.state.verifier = TokenVerifier(settings)
    generous = settings.model_copy(update={"rate_limit_money": "100000000/second",
                                           "rate_limit_per_address": "100000000/second"})
    admission = Admission(inner, MemoryLimitStore(), budgets_from(generous), 32, 30, 30)
    token = mint_token(settings, "fan-1", ["fan"]).encode()
    scope = {"type": "http", "method": "POST", "path": "/api/tips", "app": app,
             "client": ("127.0.0.1", 5), "headers": [(b"authorization", b"Bearer " + token)]}

    async def run() -> float:
        for _ in range(1_000):
            await admission(dict(scope), None, None)  # type: ignore[arg-type]
        started = time.perf_counter()
        for _ in range(requests):
            await admission(dict(scope), None, None)  # type: ignore[arg-type]
        return (time.perf_counter() - started) / requests * 1e6
    return asyncio.run(run())


def cost(settings: Settings, seconds: float, rounds: int) -> None:
    alone_us = admission_alone(settings)
    figures: dict[bool, list[float]] = {True: [], False: []}
    for _ in range(rounds):
        for limited in (True, False):
            schema, port = new_schema(), free_port()
            server = serve(1, schema, port, {**OPEN,
                                             "LYRA_RATE_LIMITS_ENABLED": str(limited).lower()})
            base = f"http://127.0.0.1:{port}"
            try:
                tokens = fund(base, settings, 1_000)
                rate, _, _, refused = wrk(base, "tips", tokens, seconds, 32)
                assert not refused, refused
                figures[limited].append(rate)
            finally:
                server.terminate()
                server.wait(timeout=30)
                drop_schema(schema)
    on, off = statistics.median(figures[True]), statistics.median(figures[False])
    print(f"limiter cost: tips/s with limits {on:,.0f} vs without {off:,.0f} "
          f"(x{on / off:.3f}, medians of {rounds} alternating rounds: "
          f"{', '.join(f'{r:,.0f}' for r in figures[True])} vs "
          f"{', '.join(f'{r:,.0f}' for r in figures[False])})", flush=True)
    print(f"  admission alone: {alone_us:.1f} us a request, "
          f"{alone_us / (1e6 / off):.1%} of a tip's time in one worker at {off:,.0f}/s",
          flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=6)
    parser.add_argument("--in-flight", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--only", choices=("flood", "overload", "cost"))
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("bench.rate_limits drives the server with wrk: apt-get install wrk")
    settings = Settings(environment="test")
    if args.only in (None, "flood"):
        for limited in (False, True):
            flood(settings, args.seconds, limited)
    if args.only in (None, "overload"):
        overload(settings, args.seconds, args.in_flight)
    if args.only in (None, "cost"):
        cost(settings, args.seconds, args.rounds)


if __name__ == "__main__":
    main()
