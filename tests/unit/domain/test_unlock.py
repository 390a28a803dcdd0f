"""The chain of a fan's unlocks of one offer: revoked ones are walked past, the first stays where
the ledger has always kept it."""

import uuid
from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from domain import ids
from domain.aggregates.unlock import Unlock, standing_unlock_id

AT = datetime(2026, 1, 1, tzinfo=UTC)
OFFER = str(uuid.UUID(int=7))


def bought(generation: int) -> Unlock:
    return Unlock.purchase(unlock_id=ids.unlock_id("fan-1", OFFER, generation), fan_id="fan-1",
                           creator_id="creator-1", offer_id=OFFER, persona_id="p",
                           price_tokens=400, creator_bps=8_000, lots_used=[["lot", 400]],
                           idempotency_key=None, at=AT)


def test_the_first_unlock_keeps_the_id_it_always_had() -> None:
    assert ids.unlock_id("fan-1", OFFER) == ids.unlock_id("fan-1", OFFER, 1) == uuid.uuid5(
        ids.UNLOCK, f"fan-1\x1f{OFFER}")
    assert len({ids.unlock_id("fan-1", OFFER, g) for g in range(1, 50)}) == 49


@given(revoked=st.lists(st.booleans(), max_size=6))
def test_the_walk_stops_at_the_first_unlock_standing_or_not_yet_bought(revoked) -> None:
    chain = {}
    for generation, is_revoked in enumerate(revoked, start=1):
        unlock = bought(generation)
        if is_revoked:
            unlock.reverse(400, 320, "refund", AT)
        chain[unlock.id] = unlock
    found = standing_unlock_id("fan-1", OFFER, chain.get)
    standing = next((g for g, r in enumerate(revoked, start=1) if not r), len(revoked) + 1)
    assert found == ids.unlock_id("fan-1", OFFER, standing)
