"""How long the heaviest pages take with 10,000 rows behind them, over HTTP, in one run.

Builds, on PostgreSQL: one fan with 10,000 tips (their wallet history), one creator with those
10,000 earnings (and a persona), then signs in through the development page and times each page
(median of 5 loads), next to a static page on the same server.

Usage: .venv/bin/python -m bench.pages [--rows 10000]
"""

import argparse
import re
import statistics
import time
from datetime import UTC, datetime, timedelta

import httpx

from api.main import create_app
from application.settings import Settings
from bench.tips import URL, drop_schema, new_schema, one_fan_tips
from tests.fakes.servers import free_port, serve_app
from tests.helpers import published_persona


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=10_000)
    args = parser.parse_args()
    schema = new_schema()
    port = free_port()
    settings = Settings(database_url=URL, db_schema=schema, environment="test",
                        rate_limits_enabled=False, public_url=f"http://127.0.0.1:{port}",
                        group_commit_window_ms=2)
    app = create_app(settings=settings)
    started_at = datetime.now(UTC)
    try:
        with serve_app(app, port) as base:
            core = app.state.core
            persona_id = published_persona(core)
            one_fan_tips(core, args.rows, "p", workers=16)
            core.projections.wait_for(core.ledger.max_position(), timeout_s=120)

            def session(user: str, *roles: str) -> httpx.Client:
                client = httpx.Client(base_url=base, timeout=60)
                token = re.search(r'name="csrf" value="([^"]+)"',
                                  client.get("/login").text).group(1)  # type: ignore[union-attr]
                client.post("/login", data={"user_id": user, "csrf": token,
                                            **{f"role_{r}": "on" for r in roles}})
                return client

            fan, creator = session("fan-1", "fan"), session("creator-1", "creator")
            staff = session("fin-1", "finance", "admin", "auditor")
            since = (started_at - timedelta(minutes=1)).isoformat()
            until = (datetime.now(UTC) + timedelta(minutes=1)).isoformat()
            month = datetime.now(UTC).strftime("%Y-%m")
            pages = [
                ("static: GET /api/tokens/packs", fan, "/api/tokens/packs", {}),
                ("browse /", fan, "/", {}),
                ("persona profile /models/{id}", fan, f"/models/{persona_id}", {}),
                ("wallet /wallet", fan, "/wallet", {}),
                ("notifications /notifications", fan, "/notifications", {}),
                ("creator overview /creator (chart)", creator, "/creator", {}),
                ("statement /creator/statements", creator, "/creator/statements",
                 {"month": month}),
                ("admin /admin", staff, "/admin", {}),
                ("audit log /admin/audit", staff, "/admin/audit", {}),
                ("ledger checks /audit (trial balance)", staff, "/audit", {}),
                ("finance /finance (diff, rebuild, books)", staff, "/finance",
                 {"since": since, "until": until, "creator_id": "creator-1"}),
                ("finance as-of (creator, 10k holds)", staff, "/finance",
                 {"at": until, "creator_id": "creator-1"}),
            ]
            print(f"{args.rows:,} tips: {core.ledger.max_position():,} events")
            for label, client, path, params in pages:
                times = []
                for _ in range(5):
                    started = time.perf_counter()
                    response = client.get(path, params=params)
                    times.append((time.perf_counter() - started) * 1000)
                    assert response.status_code == 200, (path, response.status_code)
                print(f"{label:<44} median {statistics.median(times):8.1f} ms  "
                      f"max {max(times):8.1f} ms  ({len(response.content) / 1024:,.0f} KiB)")
    finally:  # the app's own lifespan closed its core
        drop_schema(schema)


if __name__ == "__main__":
    main()
