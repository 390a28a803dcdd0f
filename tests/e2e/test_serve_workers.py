"""`lyra serve --workers 2` on the embedded payment simulator, as a newcomer runs it: every
request on a new connection, so the kernel hands each to either worker. Checkouts opened
through one worker are paid, refunded and disputed through whichever answers next, and
finance's reconciliation sees one Stripe: the simulator's state is in the database, not in a
worker's memory."""

import os
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from api.auth import mint_token
from tests.conftest import PG_URL, pg_settings
from tests.fakes.servers import free_port, start_lyra, stop_lyra

FANS = 12


def _as(settings, user: str, role: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {mint_token(settings, user, [role])}"}


@pytest.mark.postgres
def test_two_workers_share_one_simulated_stripe(pg_schema) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    settings = pg_settings(pg_schema, public_url=base)
    env = {**os.environ, "LYRA_DATABASE_URL": PG_URL, "LYRA_DB_SCHEMA": pg_schema,
           "LYRA_ENVIRONMENT": "test", "LYRA_PUBLIC_URL": base}
    server = start_lyra(env, port, "--workers", "2")
    try:
        sessions = []
        for n in range(FANS):  # opened through one worker, paid through either
            fan = _as(settings, f"fan-{n}", "fan")
            opened = httpx.post(f"{base}/api/tokens/checkout", headers=fan,
                                json={"pack_sku": "pack_500"})
            assert opened.status_code == 201, opened.text
            session_id = opened.json()["checkout_session_id"]
            paid = httpx.post(f"{base}/simulator/checkout/{session_id}/pay")
            assert paid.status_code == 200, paid.text
            assert paid.json()["status_code"] == 200
            sessions.append(session_id)
        refunded = httpx.post(f"{base}/simulator/checkout/{sessions[0]}/refund",
                              params={"amount_minor": 100})
        disputed = httpx.post(f"{base}/simulator/checkout/{sessions[1]}/dispute")
        assert (refunded.status_code, disputed.status_code) == (200, 200)

        head = int(httpx.get(f"{base}/healthz").json()["head_position"])
        wallets = [httpx.get(f"{base}/api/wallet", headers=_as(settings, f"fan-{n}", "fan"),
                             params={"min_position": head}).json() for n in range(2, FANS)]
        assert {w["balance_tokens"] for w in wallets} == {500}
        now = datetime.now(UTC)
        books = httpx.get(f"{base}/api/finance/reconciliation",
                          headers=_as(settings, "fin-1", "finance"),
                          params={"since": (now - timedelta(days=1)).isoformat(),
                                  "until": (now + timedelta(days=1)).isoformat(),
                                  "min_position": head}, timeout=30).json()
    finally:
        stop_lyra(server)
    # Every charge, the refund and the dispute, booked by whichever worker, matched once.
    assert books["reconciled"] is True, books
    assert books["matched"] == FANS + 2, books
