"""The chat's own cost per message over HTTP, with the offline model (no provider time), next to
tips and a static page measured in the same run on the same server.

Prints, each with rate, p50 and p99 (ms):
  - baseline: GET /api/tokens/packs (a static answer: the HTTP stack's floor);
  - tips: POST /api/tips (the spend path through HTTP);
  - paid chat messages: POST /api/sfw-chat/{persona} as server-sent events, time to the first
    byte of the reply and to its end (the charge, the model call, the checks, the record);
  - the ratios: paid messages per second against tips, and time to first byte against a tip.

Usage: .venv/bin/python -m bench.chat [--seconds 5] [--clients 16] [--fans 400]
       (LYRA_BENCH_DATABASE_URL, default postgresql://postgres@127.0.0.1:5432/test)
"""

import argparse
import time
from collections.abc import Callable

import httpx

from api.auth import mint_token
from api.main import create_app
from application.settings import Settings
from bench.tips import URL, Result, drop_schema, new_schema, report, run_clients, seed, storefront
from tests.fakes.servers import free_port, serve_app


def timed(label: str, clients: int, seconds: float,
          op: Callable[[httpx.Client, int, int], float | None]) -> tuple[Result, list[float]]:
    """Run op in clients threads; op returns its time to first byte (or None)."""
    first_bytes: list[float] = []
    pool = [httpx.Client(timeout=30) for _ in range(clients)]

    def call(client: int, n: int) -> None:
        first = op(pool[client], client, n)
        if first is not None:
            first_bytes.append(first)

    try:
        return run_clients(label, clients, seconds, call), first_bytes
    finally:
        for c in pool:
            c.close()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--fans", type=int, default=400)
    args = parser.parse_args()
    schema = new_schema()
    port = free_port()
    settings = Settings(database_url=URL, db_schema=schema, environment="test",
                        rate_limits_enabled=False, public_url=f"http://127.0.0.1:{port}",
                        group_commit_window_ms=2,
                        run_projections=True)
    app = create_app(settings=settings)
    try:
        with serve_app(app, port) as base:
            core = app.state.core
            seed(core, args.fans, 50)
            persona_id, _ = storefront(core)  # creator-0's persona: messages at 5 tokens
            tokens = [mint_token(settings, f"fan-{f}", ["fan"]) for f in range(args.fans)]

            def auth(n: int) -> dict[str, str]:
                return {"Authorization": f"Bearer {tokens[n % args.fans]}"}

            def static(client: httpx.Client, c: int, n: int) -> None:
                client.get(f"{base}/api/tokens/packs").raise_for_status()

            def tip(client: httpx.Client, c: int, n: int) -> None:
                client.post(f"{base}/api/tips", headers=auth(c + n * args.clients), json={
                    "creator_id": f"creator-{(c + n) % 50}", "amount_tokens": 5,
                }).raise_for_status()

            def message(client: httpx.Client, c: int, n: int) -> float:
                started = time.perf_counter()
                first = None
                with client.stream("POST", f"{base}/api/sfw-chat/{persona_id}",
                                   headers={**auth(c + n * args.clients),
                                            "Accept": "text/event-stream"},
                                   json={"message": f"Hello, message {n}.",
                                         "expected_cost_tokens": 5}) as response:
                    response.raise_for_status()
                    for chunk in response.iter_bytes():
                        if first is None and b"event: delta" in chunk:
                            first = (time.perf_counter() - started) * 1000
                    assert b"event: done" in chunk
                return first if first is not None else float("nan")

            static_run, _ = timed("baseline: GET /api/tokens/packs", args.clients,
                                  args.seconds, static)
            tip_run, _ = timed("tips: POST /api/tips", args.clients, args.seconds, tip)
            chat_run, first_bytes = timed("paid chat messages: POST /api/sfw-chat (SSE, whole)",
                                          args.clients, args.seconds, message)
            for result in (static_run, tip_run, chat_run):
                report(result, static_run)
            print(f"{'paid message, time to first reply byte':<58} "
                  f"p50 {percentile(first_bytes, 0.5):6.1f} ms  "
                  f"p99 {percentile(first_bytes, 0.99):6.1f} ms")
            print(f"{'paid messages/s against tips/s':<58} {chat_run.rate / tip_run.rate:>9.2f}")
            print(f"{'first reply byte p50 against a tip p50':<58} "
                  f"{percentile(first_bytes, 0.5) / tip_run.percentile(0.5):>9.2f}")
    finally:
        drop_schema(schema)


if __name__ == "__main__":
    main()
