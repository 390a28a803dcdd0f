"""Two stores behind one shape: sliding-window budgets, claims of "one at a time" (a chat turn
per thread, a replay per staff user) and a tally of who was refused. Memory counts in windows of
its own (adapters/limits/windows.py); Redis through the `limits` library's storage.

Memory serves one process (the embedded default); Redis (`redis://...`) is shared, so two
`lyra serve` processes draw on one user's budget. Refusals are tallied here, not in the ledger:
they are not money facts, and an event per refusal would turn a flood into writes."""

import asyncio
import contextlib
import secrets
import time
from collections import Counter
from typing import Protocol

import redis.asyncio as aioredis
from limits import RateLimitItem
from limits.aio.storage import RedisStorage
from limits.aio.strategies import SlidingWindowCounterRateLimiter
from limits.errors import StorageError

from adapters.limits.windows import SlidingWindows

TALLY_HOURS = 24


class LimitStoreError(Exception):
    """The shared store did not answer: the caller admits the request (fails open)."""


class LimitStore(Protocol):
    async def hit(self, item: RateLimitItem, key: str, cost: int = 1) -> bool: ...

    async def reset_in(self, item: RateLimitItem, key: str) -> float:
        """Seconds until the budget has room again."""
        ...

    async def claim(self, key: str, ttl_s: float) -> str | None:
        """A token when `key` was free (held for at most ttl_s), else None."""
        ...

    async def release(self, key: str, token: str) -> None: ...

    def refused(self, who: str, limit: str) -> None:
        """Counted for staff; never waits."""
        ...

    async def most_refused(self, top: int) -> list[tuple[str, str, int]]:
        """(who, limit, refusals) over the last TALLY_HOURS hours, most first."""
        ...

    async def close(self) -> None: ...


def _hour() -> int:
    return int(time.time() // 3600)


class MemoryLimitStore:
    def __init__(self) -> None:
        self._windows = SlidingWindows()
        self._claims: dict[str, tuple[str, float]] = {}
        self._tally: dict[int, Counter[tuple[str, str]]] = {}

    async def hit(self, item: RateLimitItem, key: str, cost: int = 1) -> bool:
        return self._windows.hit(f"{key}/{item.amount}", item.amount, item.get_expiry(), cost)

    async def reset_in(self, item: RateLimitItem, key: str) -> float:
        return self._windows.reset_in(f"{key}/{item.amount}", item.amount, item.get_expiry())

    async def claim(self, key: str, ttl_s: float) -> str | None:
        now = time.monotonic()
        held = self._claims.get(key)
        if held is not None and held[1] > now:
            return None
        token = secrets.token_hex(8)
        self._claims[key] = (token, now + ttl_s)
        return token

    async def release(self, key: str, token: str) -> None:
        held = self._claims.get(key)
        if held is not None and held[0] == token:
            del self._claims[key]

    def refused(self, who: str, limit: str) -> None:
        hour = _hour()
        self._tally.setdefault(hour, Counter())[(who, limit)] += 1
        for old in [h for h in self._tally if h <= hour - TALLY_HOURS]:
            del self._tally[old]

    async def most_refused(self, top: int) -> list[tuple[str, str, int]]:
        total: Counter[tuple[str, str]] = Counter()
        for hour, counts in self._tally.items():
            if hour > _hour() - TALLY_HOURS:
                total.update(counts)
        return [(who, limit, n) for (who, limit), n in total.most_common(top)]

    async def close(self) -> None:
        pass


_RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end"


class RedisLimitStore:
    """Every worker and host on one Redis. Refusals are counted in this process and added to
    Redis at most once a second, so a flood of refusals is not a flood of Redis writes."""

    def __init__(self, url: str, prefix: str = "lyra") -> None:
        self._storage = RedisStorage(f"async+{url}", implementation="redispy",
                                     key_prefix=f"{prefix}-limits", wrap_exceptions=True)
        self._limiter = SlidingWindowCounterRateLimiter(self._storage)
        self._redis = aioredis.Redis.from_url(url, socket_timeout=1.0,
                                              socket_connect_timeout=1.0)
        self._prefix = prefix
        self._pending: Counter[tuple[str, str]] = Counter()
        self._flushing: asyncio.Task[None] | None = None

    async def hit(self, item: RateLimitItem, key: str, cost: int = 1) -> bool:
        try:
            return await self._limiter.hit(item, key, cost=cost)
        except StorageError as error:
            raise LimitStoreError(str(error)) from None

    async def reset_in(self, item: RateLimitItem, key: str) -> float:
        try:
            stats = await self._limiter.get_window_stats(item, key)
        except StorageError as error:
            raise LimitStoreError(str(error)) from None
        return max(0.0, stats.reset_time - time.time())

    async def claim(self, key: str, ttl_s: float) -> str | None:
        token = secrets.token_hex(8)
        try:
            taken = await self._redis.set(f"{self._prefix}:claim:{key}", token, nx=True,
                                          px=max(1, int(ttl_s * 1000)))
        except aioredis.RedisError as error:
            raise LimitStoreError(str(error)) from None
        return token if taken else None

    async def release(self, key: str, token: str) -> None:
        with contextlib.suppress(aioredis.RedisError):  # else it ends with its time to live
            await self._redis.eval(_RELEASE, 1, f"{self._prefix}:claim:{key}", token)  # type: ignore[misc]

    def refused(self, who: str, limit: str) -> None:
        self._pending[(who, limit)] += 1
        if self._flushing is None or self._flushing.done():
            self._flushing = asyncio.get_running_loop().create_task(self._flush_soon())

    async def _flush_soon(self) -> None:
        await asyncio.sleep(1.0)
        await self.flush()

    async def flush(self) -> None:
        pending, self._pending = self._pending, Counter()
        if not pending:
            return
        key = f"{self._prefix}:refused:{_hour()}"
        try:
            async with self._redis.pipeline(transaction=False) as pipe:
                for (who, limit), n in pending.items():
                    pipe.hincrby(key, f"{limit}|{who}", n)
                pipe.expire(key, TALLY_HOURS * 3600)
                await pipe.execute()
        except aioredis.RedisError:
            self._pending.update(pending)  # tried again with the next refusal

    async def most_refused(self, top: int) -> list[tuple[str, str, int]]:
        await self.flush()
        hour = _hour()
        total: Counter[tuple[str, str]] = Counter()
        try:
            async with self._redis.pipeline(transaction=False) as pipe:
                for h in range(hour - TALLY_HOURS + 1, hour + 1):
                    pipe.hgetall(f"{self._prefix}:refused:{h}")
                for counts in await pipe.execute():
                    for field, n in counts.items():
                        limit, _, who = field.decode().partition("|")
                        total[(who, limit)] += int(n)
        except aioredis.RedisError as error:
            raise LimitStoreError(str(error)) from None
        return [(who, limit, n) for (who, limit), n in total.most_common(top)]

    async def close(self) -> None:
        await self.flush()
        await self._redis.aclose()


def limit_store(url: str, prefix: str = "lyra") -> LimitStore:
    """`memory://` or `redis://host:port/db` (`rediss://` for TLS)."""
    if url.startswith("memory://"):
        return MemoryLimitStore()
    if url.startswith(("redis://", "rediss://")):
        return RedisLimitStore(url, prefix)
    raise ValueError(f"a limit store is memory:// or redis://host:port/db, not {url!r}")
