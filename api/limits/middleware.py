"""Admission: every request is shed, refused or let through here, before its body is read.

- **Shed** (503, `overloaded`): past `max_in_flight` requests in flight in this worker, a new one
  is answered at once instead of queueing behind the others, so those admitted keep their
  latency. Health checks and Stripe's webhooks are never shed; chat turns, which stream for as
  long as the model writes, are not counted (they have their own limits).
- **Refused** (429): over the address's budget or the user's budget for the route's class
  (api/limits/policy.py); past `per_user_in_flight` of one user's requests in flight in this
  worker (however many connections they open, one user never holds more of it); a second chat
  turn on a thread, or a second replay of a staff user, while the first runs. A refused request
  reaches no route and writes nothing, so a retry with the same idempotency key does the work
  once. Its answer is held back a moment (`rate_limit_refusal_delay_ms`): a script that sends
  again on each answer then costs a few requests a second a connection instead of thousands, and
  the event loop stays free for everyone else.

A budget found spent puts its key in a local penalty box until it has room again: the next
refusals cost a dictionary lookup, not a round trip to the store. When the shared store does not
answer, requests are admitted (the platform stays up; the log says so)."""

import asyncio
import logging
import math
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import orjson
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from adapters.limits.stores import LimitStore, LimitStoreError
from api.auth import AuthError, bearer_token
from api.errors import error_body
from api.limits.policy import CHAT, EXEMPT, PER_ADDRESS, REPLAY, UPLOAD, UPLOAD_BYTES, Budgets, classify
from api.pages.render import page

log = logging.getLogger(__name__)
_BOXED_KEYS = 100_000
_MIB = 1024 * 1024

_MESSAGES = {
    "rate_limited": "Too many requests: try again in {seconds} s.",
    "turn_in_flight": "A reply is still being written on this thread: try again in {seconds} s.",
    "replay_in_flight": "One replay or export at a time: try again in {seconds} s.",
    "too_many_in_flight": "Too many requests at once: try again in {seconds} s.",
    "overloaded": "LYRA is busy: try again in {seconds} s.",
}


@dataclass(frozen=True)
class Refusal:
    status: int
    code: str
    retry_after_s: int
    limit: str


class Admission:
    """The ASGI middleware. `budgets` None turns rate limits off (shedding stays)."""

    def __init__(self, app: ASGIApp, store: LimitStore, budgets: Budgets | None,
                 max_in_flight: int, turn_ttl_s: float, replay_ttl_s: float,
                 refusal_delay_s: float = 0.0, per_user_in_flight: int = 1_000_000) -> None:
        self.app = app
        self._store = store
        self._budgets = budgets
        self._max_in_flight = max_in_flight
        self._turn_ttl_s = turn_ttl_s
        self._replay_ttl_s = replay_ttl_s
        self._refusal_delay_s = refusal_delay_s
        self._in_flight = 0
        self._per_user_in_flight = per_user_in_flight
        self._in_flight_by: dict[str, int] = {}
        self._boxed: OrderedDict[str, float] = OrderedDict()  # key -> time.monotonic() free
        self._store_down_logged = 0.0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        kind = classify(scope["method"], scope["path"])
        if kind == EXEMPT:
            await self.app(scope, receive, send)
            return
        counted = kind != CHAT
        if counted and self._in_flight >= self._max_in_flight:
            await _respond(scope, send, Refusal(503, "overloaded", 1, "in_flight"))
            return
        claim: tuple[str, str] | None = None
        who = None
        if self._budgets is not None:
            refusal, claim, who = await self._admit(scope, kind, self._budgets, counted)
            if refusal is not None:  # a refusal is not in flight: a flood of them sheds no one
                # Held back a moment before it leaves: a client that sends again on each answer
                # then floods at a few requests a second a connection, not thousands.
                await asyncio.sleep(min(self._refusal_delay_s, refusal.retry_after_s))
                await _respond(scope, send, refusal)
                return
        self._in_flight += counted
        if counted and who is not None:
            self._in_flight_by[who] = self._in_flight_by.get(who, 0) + 1
        try:
            if claim is None:
                await self.app(scope, receive, send)
                return
            held = claim

            async def send_then_free(message: Message) -> None:
                """The claim ends before the response's last bytes leave, so a client that
                sends its next turn on seeing them never finds the first still in flight."""
                nonlocal claim
                if message["type"] == "http.response.body" and not message.get("more_body") \
                        and claim is not None:
                    claim = None
                    await self._store.release(*held)
                await send(message)

            await self.app(scope, receive, send_then_free)
        finally:
            self._in_flight -= counted
            if counted and who is not None:
                left = self._in_flight_by.pop(who) - 1
                if left:
                    self._in_flight_by[who] = left
            if claim is not None:
                await self._store.release(*claim)

    async def _admit(self, scope: Scope, kind: str, budgets: Budgets, counted: bool
                     ) -> tuple[Refusal | None, tuple[str, str] | None, str]:
        """The refusal, or the claim the request holds while it runs; and who it is."""
        address = scope["client"][0] if scope.get("client") else "unknown"
        user = _user(scope)
        who = f"user:{user}" if user else f"address:{address}"
        refusal, claim = await self._decide(scope, kind, budgets, counted, address, who)
        return refusal, claim, who

    async def _decide(self, scope: Scope, kind: str, budgets: Budgets, counted: bool,
                      address: str, who: str
                      ) -> tuple[Refusal | None, tuple[str, str] | None]:
        if counted and self._in_flight_by.get(who, 0) >= self._per_user_in_flight:
            # One user's many connections wait their turn: never more of the worker than this.
            self._store.refused(who, "in_flight")
            return Refusal(429, "too_many_in_flight", 1, "in_flight"), None
        address_key, class_key = f"address:{address}", who
        # A spent budget is refused before anything is asked of the store: a flood costs a
        # lookup a request.
        boxed = self._boxed_refusal(PER_ADDRESS, address_key, who) \
            or self._boxed_refusal(kind, class_key, who)
        if boxed is not None:
            return boxed, None
        try:
            refusal = (await self._spend(budgets.per_address, PER_ADDRESS, address_key, who)
                       or await self._spend(budgets.by_class[kind], kind, class_key, who))
            if refusal is None and kind == UPLOAD:
                refusal = await self._spend(budgets.upload_mib, UPLOAD_BYTES, who, who,
                                            cost=_mib(scope))
            if refusal is not None:
                return refusal, None
            if kind == CHAT:
                return await self._one_at_a_time(f"turn:{who}:{scope['path']}", who,
                                                 self._turn_ttl_s, "turn_in_flight", CHAT, 1)
            if kind == REPLAY:
                return await self._one_at_a_time(f"replay:{who}", who, self._replay_ttl_s,
                                                 "replay_in_flight", REPLAY, 2)
        except LimitStoreError as error:
            now = time.monotonic()
            if now - self._store_down_logged > 60:
                self._store_down_logged = now
                log.warning("the limit store did not answer (%s): admitting requests", error)
        return None, None

    async def _one_at_a_time(self, key: str, who: str, ttl_s: float, code: str, limit: str,
                             retry_after_s: int
                             ) -> tuple[Refusal | None, tuple[str, str] | None]:
        """The claim on `key` while the request runs, or the refusal when another holds it."""
        token = await self._store.claim(key, ttl_s)
        if token is None:
            self._store.refused(who, code)
            return Refusal(429, code, retry_after_s, limit), None
        return None, (key, token)

    def _boxed_refusal(self, limit: str, key: str, who: str) -> Refusal | None:
        boxed = f"{limit}:{key}"
        free_at = self._boxed.get(boxed)
        if free_at is None:
            return None
        now = time.monotonic()
        if free_at <= now:
            del self._boxed[boxed]
            return None
        self._store.refused(who, limit)
        return Refusal(429, "rate_limited", math.ceil(free_at - now), limit)

    async def _spend(self, items: tuple[Any, ...], limit: str, key: str, who: str,
                     cost: int = 1) -> Refusal | None:
        """Each of the budget's windows, or the refusal of the first one spent (its key then
        waits in the box until it has room)."""
        now = time.monotonic()
        budget_key = f"{limit}:{key}"
        for item in items:
            if not await self._store.hit(item, budget_key, cost):
                wait_s = max(1.0, await self._store.reset_in(item, budget_key))
                self._boxed[budget_key] = now + wait_s
                if len(self._boxed) > _BOXED_KEYS:
                    self._boxed.popitem(last=False)
                self._store.refused(who, limit)
                return Refusal(429, "rate_limited", math.ceil(wait_s), limit)
        return None


def _user(scope: Scope) -> str | None:
    """The bearer token's subject (verified, from the verifier's cache), else the page
    session's user; None for a request without either."""
    for name, value in scope["headers"]:
        if name == b"authorization" and (token := bearer_token(value.decode("latin-1"))):
            try:
                return str(scope["app"].state.verifier.verify(token).user_id)
            except (AuthError, AttributeError):
                return None  # the route answers 401
    session = scope.get("session")
    return str(session["user_id"]) if session and session.get("user_id") else None


def _mib(scope: Scope) -> int:
    """An upload's declared size in MiB (at least 1): what its bytes budget is charged."""
    for name, value in scope["headers"]:
        if name == b"content-length" and value.isdigit():
            return max(1, math.ceil(int(value) / _MIB))
    return 1


def _wants_html(scope: Scope) -> bool:
    if scope["path"].startswith("/api/"):
        return False
    for name, value in scope["headers"]:
        if name == b"accept":
            return b"text/html" in value
    return False


def _is_htmx(scope: Scope) -> bool:
    return any(name == b"hx-request" for name, _ in scope["headers"])


async def _respond(scope: Scope, send: Send, refusal: Refusal) -> None:
    message = _MESSAGES[refusal.code].format(seconds=refusal.retry_after_s)
    headers = [(b"retry-after", str(refusal.retry_after_s).encode())]
    if _is_htmx(scope):  # shown where the answer would have gone
        body = f'<p class="error" role="alert" data-testid="limited">{message}</p>'.encode()
        headers.append((b"content-type", b"text/html; charset=utf-8"))
    elif _wants_html(scope):
        body = _page(scope, refusal, message)
        headers.append((b"content-type", b"text/html; charset=utf-8"))
    else:
        body = orjson.dumps(error_body(refusal.code, message,
                                       retry_after_seconds=refusal.retry_after_s,
                                       limit=refusal.limit))
        headers.append((b"content-type", b"application/json"))
    headers.append((b"content-length", str(len(body)).encode()))
    await send({"type": "http.response.start", "status": refusal.status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _page(scope: Scope, refusal: Refusal, message: str) -> bytes:
    """The page a person sees: what happened and how long to wait, in the site's layout."""
    response = page(Request(scope), "limited.html", status_code=refusal.status,
                    message=message, retry_after_s=refusal.retry_after_s)
    return bytes(response.body)
