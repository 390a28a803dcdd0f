"""The spend writer's cache is bounded by the memory its aggregates hold, not by their count."""

from datetime import UTC, datetime
from uuid import uuid4

from application.spending.batch_writer import AggregateCache, approximate_bytes
from domain.aggregates.wallet import Wallet

AT = datetime(2026, 1, 1, tzinfo=UTC)


def wallet_with(spends: int) -> Wallet:
    wallet = Wallet(fan_id=f"fan-{uuid4().hex[:6]}")
    wallet.credit("p", spends, AT)
    for n in range(spends):
        wallet.spend(1, f"tip:{n}", AT)
    return wallet


def test_a_heavy_wallet_counts_for_more_and_the_oldest_go_first() -> None:
    light, heavy = wallet_with(1), wallet_with(2_000)
    assert approximate_bytes(heavy) > 100 * approximate_bytes(light)
    cache = AggregateCache(max_bytes=approximate_bytes(heavy) + 2 * approximate_bytes(light))
    lights = [wallet_with(1) for _ in range(3)]
    for wallet in lights:
        cache.entries[wallet.id] = wallet
    cache.entries[heavy.id] = heavy
    cache.trim()
    assert heavy.id in cache.entries and cache.entries.total_bytes <= cache.max_bytes
    assert lights[0].id not in cache.entries  # the least recently stored went first
    cache.entries[heavy.id] = heavy  # stored again: sized again, counted once
    assert cache.entries.total_bytes == sum(approximate_bytes(w) for w in cache.entries.values())
    cache.entries.pop(heavy.id)
    assert cache.entries.total_bytes == sum(approximate_bytes(w) for w in cache.entries.values())
