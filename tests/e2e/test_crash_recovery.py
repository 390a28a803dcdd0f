"""Crash safety, kept as a test: the server is killed with SIGKILL under load, again and again.

`lyra serve` runs as a process on PostgreSQL (group commit on). Several clients send tips with
Idempotency-Keys; the server is killed mid-load and restarted, several times; every request that
got no answer is retried with its key. Then: every acknowledged tip is in the ledger exactly once,
each wallet was debited exactly once per acknowledged key, the trial balance holds, and the read
models caught up.
"""

import os
import signal
import threading
import time
from dataclasses import dataclass, field

import httpx
import pytest

from api.auth import mint_token
from application.bootstrap import build_core
from domain import ids
from tests.conftest import PG_URL, pg_settings
from tests.fakes.servers import free_port, start_lyra, stop_lyra
from tests.helpers import fund

KILLS = 3
CLIENTS = 6
TIP_TOKENS = 5
LOAD_SECONDS = 1.5


@dataclass
class Ledgerbook:
    """What the clients saw: acknowledged keys (with tip ids) and keys that got no answer."""

    acknowledged: dict[str, str] = field(default_factory=dict)
    unanswered: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _client_loop(base: str, token: str, fan: str, book: Ledgerbook, stop: threading.Event,
                 counter: list[int]) -> None:
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"},
                      timeout=5) as http:
        while not stop.is_set():
            counter[0] += 1
            key = f"{fan}-{counter[0]}"
            try:
                response = http.post("/api/tips", headers={"Idempotency-Key": key},
                                     json={"creator_id": "creator-1", "amount_tokens": TIP_TOKENS})
            except httpx.HTTPError:
                with book.lock:
                    book.unanswered.add(key)
                time.sleep(0.05)
                continue
            if response.status_code == 429:  # over the fan's budget: nothing was written
                time.sleep(0.05)
                continue
            assert response.status_code == 201, response.text
            with book.lock:
                book.acknowledged[key] = response.json()["tip_id"]


@pytest.mark.postgres
def test_sigkill_under_load_loses_and_doubles_nothing(pg_schema) -> None:
    port = free_port()
    settings = pg_settings(pg_schema, public_url=f"http://127.0.0.1:{port}")
    fans = [f"fan-{n}" for n in range(CLIENTS)]
    core = build_core(settings)
    core.creators.register("creator-1", "Luna", "admin")
    for fan in fans:
        fund(core, fan, "pack_5500")
    core.close()
    env = {**os.environ, "LYRA_DATABASE_URL": PG_URL, "LYRA_DB_SCHEMA": pg_schema,
           "LYRA_ENVIRONMENT": "test", "LYRA_PUBLIC_URL": f"http://127.0.0.1:{port}"}
    base = f"http://127.0.0.1:{port}"
    tokens = {fan: mint_token(settings, fan, ["fan"]) for fan in fans}
    book = Ledgerbook()
    counters = {fan: [0] for fan in fans}
    for _ in range(KILLS):
        server = start_lyra(env, port)
        stop = threading.Event()
        clients = [threading.Thread(target=_client_loop,
                                    args=(base, tokens[f], f, book, stop, counters[f]))
                   for f in fans]
        for thread in clients:
            thread.start()
        time.sleep(LOAD_SECONDS)
        stop_lyra(server, signal.SIGKILL)  # mid-load, with its follower: no shutdown, no flush
        stop.set()
        for thread in clients:
            thread.join()

    server = start_lyra(env, port)
    try:
        retried = sorted(book.unanswered - set(book.acknowledged))
        for key in retried:  # the client's retry after it got no answer, with the same key
            fan = key.rsplit("-", 1)[0]
            response = httpx.post(f"{base}/api/tips", headers={
                "Idempotency-Key": key, "Authorization": f"Bearer {tokens[fan]}"},
                json={"creator_id": "creator-1", "amount_tokens": TIP_TOKENS}, timeout=10)
            assert response.status_code == 201, response.text
            book.acknowledged[key] = response.json()["tip_id"]
        finance = {"Authorization": f"Bearer {mint_token(settings, 'fin', ['finance'])}"}
        head = int(httpx.get(f"{base}/healthz").json()["head_position"])
        deadline = time.monotonic() + 60  # the restarted follower catches up, however loaded
        while True:  # a 503 says the follower has not reached the head yet
            answer = httpx.get(f"{base}/api/projections/status", params={"min_position": head},
                               timeout=30)
            status = answer.json() if answer.status_code == 200 else {"projections": [{}]}
            if all(p.get("lag_events") == 0 for p in status["projections"]) or \
                    time.monotonic() > deadline:
                break
        balance = httpx.get(f"{base}/api/finance/trial-balance", headers=finance,
                            timeout=30).json()
    finally:
        stop_lyra(server)

    assert len(book.acknowledged) > 100  # the load was real
    assert balance["balanced"], balance
    assert all(p.get("lag_events") == 0 for p in status["projections"])
    core = build_core(settings)
    try:
        for fan in fans:
            keys = [k for k in book.acknowledged if k.startswith(f"{fan}-")]
            wallet = core.ledger.repository.get(ids.wallet_id(fan))
            assert wallet.spent_tokens == TIP_TOKENS * len(keys)  # debited once per key
            for key in keys:
                tip = core.ledger.repository.get(ids.tip_id_for_key(fan, key))
                assert str(tip.id) == book.acknowledged[key] and tip.version == 1
        assert balance["tokens"]["spent"] == TIP_TOKENS * len(book.acknowledged)
    finally:
        core.close()
    print(f"\ncrash test: {KILLS} kills, {len(book.acknowledged)} tips acknowledged, "
          f"{len(retried)} unanswered requests retried, nothing lost or doubled")
