"""Admission on a small app of its own (no database): what is shed, what is refused and how, what
is never touched, and that a refusal is decided before the body is read."""

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse
from starlette.routing import Route

from adapters.limits.stores import LimitStoreError, MemoryLimitStore
from api.auth import TokenVerifier, mint_token
from api.limits.middleware import Admission
from api.limits.policy import (
    CHAT,
    CHECKOUT,
    EXEMPT,
    MONEY,
    READ,
    REPLAY,
    UPLOAD,
    WRITE,
    Budgets,
    classify,
)
from application.settings import Settings
from tests.helpers import run_async

SETTINGS = Settings(environment="test")
GENEROUS = "1000/minute"


def budgets(**limits: str) -> Budgets:
    by_class = {name: GENEROUS for name in (READ, WRITE, MONEY, CHAT, CHECKOUT, UPLOAD, REPLAY)}
    by_class.update({k: v for k, v in limits.items() if k in by_class})
    return Budgets.parse(by_class, limits.get("address", GENEROUS),
                         limits.get("upload_mib", GENEROUS))


class Gate:
    """Endpoints that wait until opened, to hold requests in flight; and count bodies read."""

    def __init__(self) -> None:
        self.opened = asyncio.Event()
        self.bodies_read = 0

    async def slow(self, request: Request) -> PlainTextResponse:
        self.bodies_read += len(await request.body()) > 0
        await self.opened.wait()
        return PlainTextResponse("done")

    async def fast(self, request: Request) -> JSONResponse:
        self.bodies_read += len(await request.body()) > 0
        return JSONResponse({"ok": True}, status_code=201 if request.method == "POST" else 200)


def app_with(gate: Gate, store: Any, limits: Budgets | None, max_in_flight: int = 100) -> Any:
    routes = [Route(path, endpoint, methods=["GET", "POST"]) for path, endpoint in (
        ("/slow", gate.slow), ("/api/sfw-chat/{persona}", gate.slow),
        ("/api/audit/export", gate.slow), ("/healthz", gate.fast),
        ("/api/webhooks/stripe", gate.fast), ("/api/tips", gate.fast),
        ("/api/wallet", gate.fast), ("/api/creator/media", gate.fast))]
    app = Starlette(routes=routes)
    app.state.verifier = TokenVerifier(SETTINGS)
    app.add_middleware(Admission, store=store, budgets=limits, max_in_flight=max_in_flight,
                       turn_ttl_s=30, replay_ttl_s=30)
    return app


def token(user: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {mint_token(SETTINGS, user, ['fan'])}"}


def run(app: Any, scenario: Callable[[httpx.AsyncClient], Awaitable[None]]) -> None:
    async def go() -> None:
        transport = httpx.ASGITransport(app=app, client=("10.0.0.1", 1234))
        async with httpx.AsyncClient(transport=transport, base_url="http://lyra") as client:
            await scenario(client)
    run_async(go())


@pytest.mark.parametrize(("method", "path", "kind"), [
    ("GET", "/healthz", EXEMPT), ("POST", "/api/webhooks/stripe", EXEMPT),
    ("GET", "/static/app.css", EXEMPT), ("POST", "/simulator/checkout/cs_1/pay", EXEMPT),
    ("POST", "/api/sfw-chat/p1", CHAT), ("POST", "/api/intimate-chat/p1", CHAT),
    ("POST", "/chat/p1/send", CHAT), ("GET", "/api/sfw-chat/p1", READ),
    ("POST", "/api/tips", MONEY), ("POST", "/api/ppv/o1/purchase", MONEY),
    ("POST", "/models/p1/tip", MONEY), ("POST", "/ppv/o1/unlock", MONEY),
    ("POST", "/api/tokens/checkout", CHECKOUT), ("POST", "/wallet/buy", CHECKOUT),
    ("POST", "/api/models/p1/subscribe", CHECKOUT), ("POST", "/api/creator/media", UPLOAD),
    ("POST", "/creator/personas/p1/pictures", UPLOAD), ("GET", "/api/audit/export", REPLAY),
    ("GET", "/api/audit/as-of", REPLAY), ("GET", "/finance", REPLAY),
    ("POST", "/audit/verify", REPLAY), ("GET", "/api/wallet", READ), ("POST", "/login", WRITE),
    ("DELETE", "/api/admin/tags/x", WRITE), ("PUT", "/api/creator/onboarding", WRITE)])
def test_each_route_draws_on_the_budget_of_what_it_costs(method, path, kind) -> None:
    assert classify(method, path) == kind


def test_a_limit_that_does_not_parse_is_named() -> None:
    with pytest.raises(ValueError, match="the money limit 'lots' does not parse"):
        budgets(money="lots")


def test_past_the_budget_a_user_is_refused_with_when_to_come_back() -> None:
    gate = Gate()

    async def scenario(client: httpx.AsyncClient) -> None:
        for _ in range(3):
            assert (await client.post("/api/tips", headers=token("fan-1"))).status_code == 201
        refused = await client.post("/api/tips", headers=token("fan-1"), content=b'{"a": 1}')
        assert refused.status_code == 429
        assert int(refused.headers["retry-after"]) >= 1
        error = refused.json()["error"]
        assert (error["code"], error["limit"]) == ("rate_limited", MONEY)
        assert error["retry_after_seconds"] == int(refused.headers["retry-after"])
        assert "try again in" in error["message"]
        # Another fan's budget is their own; reads are another budget.
        assert (await client.post("/api/tips", headers=token("fan-2"))).status_code == 201
        assert (await client.get("/api/wallet", headers=token("fan-1"))).status_code == 200
    run(app_with(gate, MemoryLimitStore(), budgets(money="3/minute")), scenario)
    assert gate.bodies_read == 0  # the refused request's body was never read


def test_without_a_user_the_address_is_the_budget_and_every_address_has_one() -> None:
    async def scenario(client: httpx.AsyncClient) -> None:
        assert [(await client.get("/api/wallet")).status_code for _ in range(3)] == [200] * 3
        assert (await client.get("/api/wallet")).json()["error"]["limit"] == READ
        # A signed-in user from the same address is under the address's limit too.
        for _ in range(2):
            assert (await client.get("/api/wallet", headers=token("fan-1"))).status_code == 200
        assert (await client.get("/api/wallet", headers=token("fan-1"))).json()["error"][
            "limit"] == "address"
    run(app_with(Gate(), MemoryLimitStore(), budgets(read="3/minute", address="6/minute")),
        scenario)


def test_a_spent_budget_is_refused_without_asking_the_store_again() -> None:
    class Counting(MemoryLimitStore):
        hits = 0

        async def hit(self, item: Any, key: str, cost: int = 1) -> bool:
            Counting.hits += 1
            return await super().hit(item, key, cost)

    store = Counting()

    async def scenario(client: httpx.AsyncClient) -> None:
        for _ in range(2):
            await client.post("/api/tips", headers=token("fan-1"))
        before = Counting.hits
        for _ in range(50):
            assert (await client.post("/api/tips", headers=token("fan-1"))).status_code == 429
        assert Counting.hits - before <= 2  # the first refusal asked; the rest were boxed
        [(who, limit, n)] = await store.most_refused(5)
        assert (who, limit, n) == ("user:fan-1", MONEY, 51)  # every refusal is tallied
    run(app_with(Gate(), store, budgets(money="1/minute", address=GENEROUS)), scenario)


def test_uploads_are_charged_their_declared_size() -> None:
    async def scenario(client: httpx.AsyncClient) -> None:
        three_mib = b"x" * (3 * 1024 * 1024)
        assert (await client.post("/api/creator/media", headers=token("c-1"),
                                  content=three_mib)).status_code == 201
        refused = await client.post("/api/creator/media", headers=token("c-1"),
                                    content=three_mib)
        assert refused.status_code == 429 and refused.json()["error"]["limit"] == "upload_mib"
    run(app_with(Gate(), MemoryLimitStore(), budgets(upload_mib="5/hour")), scenario)


def test_past_max_in_flight_requests_are_shed_but_never_health_or_webhooks() -> None:
    gate = Gate()

    async def scenario(client: httpx.AsyncClient) -> None:
        held = [asyncio.create_task(client.get("/slow")) for _ in range(2)]
        chat = asyncio.create_task(client.post("/api/sfw-chat/p1", headers=token("fan-1")))
        await asyncio.sleep(0.05)
        shed = await client.get("/api/wallet")
        assert shed.status_code == 503 and shed.headers["retry-after"] == "1"
        assert shed.json()["error"]["code"] == "overloaded"
        assert (await client.get("/healthz")).status_code == 200
        assert (await client.post("/api/webhooks/stripe")).status_code == 201
        gate.opened.set()
        assert [r.status_code for r in await asyncio.gather(*held, chat)] == [200] * 3
        assert (await client.get("/api/wallet")).status_code == 200
    run(app_with(gate, MemoryLimitStore(), budgets(), max_in_flight=2), scenario)


def test_shedding_holds_with_rate_limits_off() -> None:
    gate = Gate()

    async def scenario(client: httpx.AsyncClient) -> None:
        held = asyncio.create_task(client.get("/slow"))
        await asyncio.sleep(0.05)
        assert (await client.get("/api/wallet")).status_code == 503
        gate.opened.set()
        await held
    run(app_with(gate, MemoryLimitStore(), None, max_in_flight=1), scenario)


def test_one_chat_turn_a_thread_and_one_replay_a_user_at_a_time() -> None:
    gate = Gate()

    async def scenario(client: httpx.AsyncClient) -> None:
        first = asyncio.create_task(client.post("/api/sfw-chat/p1", headers=token("fan-1")))
        export = asyncio.create_task(client.get("/api/audit/export", headers=token("aud-1")))
        await asyncio.sleep(0.05)
        second = await client.post("/api/sfw-chat/p1", headers=token("fan-1"))
        assert second.status_code == 429
        assert second.json()["error"]["code"] == "turn_in_flight"
        again = await client.get("/api/audit/export", headers=token("aud-1"))
        assert again.json()["error"]["code"] == "replay_in_flight"
        other = asyncio.create_task(client.post("/api/sfw-chat/p2", headers=token("fan-1")))
        await asyncio.sleep(0.05)
        gate.opened.set()
        assert [r.status_code for r in await asyncio.gather(first, export, other)] == [200] * 3
        # Freed as the response ended.
        assert (await client.post("/api/sfw-chat/p1", headers=token("fan-1"))).status_code == 200
    run(app_with(gate, MemoryLimitStore(), budgets()), scenario)


def test_a_store_that_does_not_answer_admits() -> None:
    class Down(MemoryLimitStore):
        async def hit(self, item: Any, key: str, cost: int = 1) -> bool:
            raise LimitStoreError("connection refused")

    async def scenario(client: httpx.AsyncClient) -> None:
        for _ in range(5):
            assert (await client.post("/api/tips", headers=token("fan-1"))).status_code == 201
    run(app_with(Gate(), Down(), budgets(money="1/minute")), scenario)


def test_htmx_gets_a_fragment_to_show() -> None:
    async def scenario(client: httpx.AsyncClient) -> None:
        await client.post("/api/tips", headers=token("fan-1"))
        refused = await client.post("/models/p1/tip", headers={**token("fan-1"),
                                                                "HX-Request": "true"})
        assert refused.status_code == 429
        assert refused.headers["content-type"].startswith("text/html")
        assert 'role="alert"' in refused.text and "try again in" in refused.text
    run(app_with(Gate(), MemoryLimitStore(), budgets(money="1/minute")), scenario)
