"""A worker under more load than it admits, as clients that retry would drive it: `lyra serve`
sheds past two requests in flight, every keyed tip retried after its 503 or 429 lands once, the
health check and Stripe's webhooks are answered throughout, and the trial balance holds. The
load stops by itself: each client sends its tips and is done."""

import os
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from api.auth import mint_token
from tests.conftest import PG_URL, pg_settings
from tests.fakes.servers import free_port, start_lyra, stop_lyra

FANS, CLIENTS, TIPS_EACH = 6, 18, 12


def patiently(send, deadline: float) -> tuple[httpx.Response, int]:  # type: ignore[no-untyped-def]
    """Sent again after each 503 or 429, with the same key, as a client should; returns the
    answer and how many times it was shed."""
    shed = 0
    while True:
        response = send()
        if response.status_code not in (429, 503):
            return response, shed
        assert response.headers["retry-after"].isdigit()
        shed += response.status_code == 503
        assert time.monotonic() < deadline, "still refused at the deadline"
        time.sleep(0.02)


@pytest.mark.postgres
def test_a_shedding_worker_loses_and_doubles_nothing(pg_schema) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "LYRA_DATABASE_URL": PG_URL, "LYRA_DB_SCHEMA": pg_schema,
           "LYRA_ENVIRONMENT": "test", "LYRA_PUBLIC_URL": base, "LYRA_MAX_IN_FLIGHT": "2",
           "LYRA_RATE_LIMIT_PER_ADDRESS": "100000/second"}
    server = start_lyra(env, port)
    settings = pg_settings(pg_schema)
    deadline = time.monotonic() + 120

    def auth(user: str, role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {mint_token(settings, user, [role])}"}

    try:
        httpx.post(f"{base}/api/admin/creators", headers=auth("adm-1", "admin"),
                   json={"user_id": "creator-1", "display_name": "Luna"}).raise_for_status()
        sessions = []
        for fan in [*(f"fan-{n}" for n in range(FANS)), "fan-late"]:  # the late one pays later
            opened, _ = patiently(lambda fan=fan: httpx.post(
                f"{base}/api/tokens/checkout", json={"pack_sku": "pack_1200"},
                headers={**auth(fan, "fan"), "Idempotency-Key": f"pack-{fan}"}), deadline)
            sessions.append(opened.json()["checkout_session_id"])
        for session in sessions[:-1]:
            assert httpx.post(f"{base}/simulator/checkout/{session}/pay").status_code == 200

        health: list[int] = []
        stop = threading.Event()

        def watch() -> None:
            while not stop.is_set():
                health.append(httpx.get(f"{base}/healthz", timeout=10).status_code)
                time.sleep(0.01)

        def client(c: int) -> tuple[list[str], int]:
            fan = f"fan-{c % FANS}"
            keys, shed = [], 0
            with httpx.Client(base_url=base, headers=auth(fan, "fan"), timeout=30) as http:
                for _ in range(TIPS_EACH):
                    key = f"{fan}-{uuid.uuid4().hex}"
                    answer, times = patiently(lambda key=key: http.post(
                        "/api/tips", headers={"Idempotency-Key": key},
                        json={"creator_id": "creator-1", "amount_tokens": 10}), deadline)
                    assert answer.status_code == 201, answer.text
                    keys.append(key)
                    shed += times
            return keys, shed

        watcher = threading.Thread(target=watch)
        watcher.start()
        with ThreadPoolExecutor(CLIENTS) as pool:
            running = [pool.submit(client, c) for c in range(CLIENTS)]
            # Stripe's webhook, sent while the worker sheds, is never shed.
            paid = httpx.post(f"{base}/simulator/checkout/{sessions[-1]}/pay")
            results = [r.result() for r in running]
        stop.set()
        watcher.join()
        assert paid.status_code == 200 and paid.json()["status_code"] == 200
        assert set(health) == {200}
        assert sum(shed for _, shed in results) > 0  # it did shed

        head = int(httpx.get(f"{base}/healthz").json()["head_position"])
        sent_by_fan = {f"fan-{n}": 0 for n in range(FANS)}
        for keys, _ in results:
            for key in keys:
                sent_by_fan[key.rsplit("-", 1)[0]] += 1
        for fan, sent in sent_by_fan.items():
            wallet = httpx.get(f"{base}/api/wallet", headers=auth(fan, "fan"),
                               params={"min_position": head}).json()
            assert wallet["balance_tokens"] == 1_200 - 10 * sent  # each tip once, none lost
        balance = httpx.get(f"{base}/api/finance/trial-balance",
                            headers=auth("fin-1", "finance"),
                            params={"min_position": head}).json()
        assert balance["balanced"] is True
        late = httpx.get(f"{base}/api/wallet", headers=auth("fan-late", "fan"),
                         params={"min_position": head}).json()
        assert late["balance_tokens"] == 1_200  # the webhook sent under load was credited
    finally:
        stop_lyra(server)
