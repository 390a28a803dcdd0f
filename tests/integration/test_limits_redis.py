"""The shared limit store on a real Redis (Debian's redis-server on a spare port): two `lyra
serve` processes draw on one user's budget; claims and the refusal tally are seen from every
process; a Redis that is gone is reported, so requests are admitted."""

import asyncio
import os
import shutil
import subprocess
import time
from collections.abc import Iterator

import httpx
import pytest
from limits import parse

from adapters.limits.stores import LimitStoreError, RedisLimitStore
from api.auth import mint_token
from tests.conftest import PG_URL, pg_settings
from tests.fakes.servers import free_port, start_lyra, stop_lyra
from tests.helpers import run_async

pytestmark = pytest.mark.slow


@pytest.fixture
def redis_url(tmp_path) -> Iterator[str]:
    binary = shutil.which("redis-server")
    assert binary, "redis-server is Debian's package: apt-get install redis-server"
    port = free_port()
    server = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1",
                               "--save", "", "--appendonly", "no", "--dir", str(tmp_path)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"redis://127.0.0.1:{port}/0"
    try:
        deadline = time.monotonic() + 10
        while subprocess.run(["redis-cli", "-p", str(port), "ping"], capture_output=True,
                             text=True).stdout.strip() != "PONG":
            assert time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.05)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.mark.postgres
def test_two_lyra_serve_processes_share_one_users_budget(pg_schema, redis_url) -> None:
    ports = [free_port(), free_port()]
    env = {**os.environ, "LYRA_DATABASE_URL": PG_URL, "LYRA_DB_SCHEMA": pg_schema,
           "LYRA_ENVIRONMENT": "test", "LYRA_RATE_LIMIT_STORAGE": redis_url,
           "LYRA_RATE_LIMIT_READS": "10/minute"}
    servers = [start_lyra({**env, "LYRA_PUBLIC_URL": f"http://127.0.0.1:{port}"}, port)
               for port in ports]
    try:
        settings = pg_settings(pg_schema)
        fan = {"Authorization": f"Bearer {mint_token(settings, 'fan-1', ['fan'])}"}
        codes = [httpx.get(f"http://127.0.0.1:{ports[n % 2]}/api/wallet", headers=fan).status_code
                 for n in range(14)]
        assert codes.count(200) == 10 and codes[10:] == [429] * 4  # one budget, not two
        other = {"Authorization": f"Bearer {mint_token(settings, 'fan-2', ['fan'])}"}
        assert httpx.get(f"http://127.0.0.1:{ports[1]}/api/wallet",
                         headers=other).status_code == 200
        # Refusals seen from either process, once their worker has added them (within 1 s).
        admin = {"Authorization": f"Bearer {mint_token(settings, 'adm-1', ['admin'])}"}
        deadline = time.monotonic() + 10
        while True:
            refused = httpx.get(f"http://127.0.0.1:{ports[0]}/api/admin/limits",
                                headers=admin).json()["refused"]
            total = sum(r["refusals"] for r in refused if r["who"] == "user:fan-1")
            if total == 4 or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        assert total == 4
    finally:
        for server in servers:
            stop_lyra(server)


def test_claims_budgets_and_the_tally_are_shared_between_stores(redis_url) -> None:
    async def scenario() -> None:
        here, there = RedisLimitStore(redis_url), RedisLimitStore(redis_url)
        try:
            token = await here.claim("turn:user:fan-1:/api/sfw-chat/p1", 30)
            assert token is not None
            assert await there.claim("turn:user:fan-1:/api/sfw-chat/p1", 30) is None
            await there.release("turn:user:fan-1:/api/sfw-chat/p1", "not-its-token")
            assert await there.claim("turn:user:fan-1:/api/sfw-chat/p1", 30) is None
            await here.release("turn:user:fan-1:/api/sfw-chat/p1", token)
            assert await there.claim("turn:user:fan-1:/api/sfw-chat/p1", 30) is not None
            assert await here.claim("replay:user:aud-1", 0.05) is not None
            await asyncio.sleep(0.1)  # a claim a crash left behind ends with its time to live
            assert await there.claim("replay:user:aud-1", 30) is not None

            item = parse("3/minute")
            assert [await s.hit(item, "money:user:fan-1") for s in (here, there, here, there)
                    ] == [True, True, True, False]
            assert 0 < await here.reset_in(item, "money:user:fan-1") <= 60

            for _ in range(3):
                here.refused("user:fan-1", "money")
            there.refused("user:fan-2", "read")
            await here.flush()  # what its worker does within a second of a refusal
            assert await there.most_refused(5) == [("user:fan-1", "money", 3),
                                                   ("user:fan-2", "read", 1)]
        finally:
            await here.close()
            await there.close()
    run_async(scenario())


def test_a_redis_that_is_gone_is_reported_not_raised_as_anything_else() -> None:
    async def scenario() -> None:
        store = RedisLimitStore(f"redis://127.0.0.1:{free_port()}/0")
        started = time.monotonic()
        with pytest.raises(LimitStoreError):
            await store.hit(parse("3/minute"), "read:user:fan-1")
        with pytest.raises(LimitStoreError):
            await store.claim("turn:x", 10)
        assert time.monotonic() - started < 5
        await store.close()
    run_async(scenario())
