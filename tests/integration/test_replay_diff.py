"""Finance sees exactly what a chargeback changed."""

import time
from datetime import UTC, datetime

from application.spending.commands import send_tip
from replay.diff import earnings_diff
from tests.helpers import fund, stripe_event


def test_a_dispute_shows_as_reversed_earnings_and_a_changed_purchase(core) -> None:
    core.creators.register("creator-1", "Luna", "adm")
    core.creators.register("creator-2", "Sol", "adm")
    pi = fund(core, "fan-1", "pack_500")
    fund(core, "fan-2", "pack_500")
    core.spending.send(send_tip(fan_id="fan-1", creator_id="creator-1", amount_tokens=500))
    core.spending.send(send_tip(fan_id="fan-2", creator_id="creator-2", amount_tokens=100))
    time.sleep(0.01)
    before = datetime.now(UTC)
    time.sleep(0.01)
    core.stripe_events.handle(stripe_event("charge.dispute.created",
                                           {"id": "dp_1", "amount": 499, "payment_intent": pi}))
    diff = earnings_diff(core.ledger, before, datetime.now(UTC))
    assert diff["creators"] == [{"creator_id": "creator-1",
                                 "delta": {"held_tokens": -350, "available_tokens": 0,
                                           "paid_tokens": 0, "reversed_tokens": 350,
                                           "clawback_tokens": 0},
                                 "after": {"held_tokens": 0, "available_tokens": 0,
                                           "paid_tokens": 0, "reversed_tokens": 350,
                                           "clawback_tokens": 0}}]
    [changed] = diff["purchases_changed"]
    assert changed["fan_id"] == "fan-1"
    assert (changed["before"]["disputed"], changed["after"]["disputed"]) == (0, 1)
    assert changed["after"]["reversed_tokens"] == 500
    assert earnings_diff(core.ledger, before, datetime.now(UTC), "creator-2")["creators"] == []


def test_one_creator_s_diff_reads_their_streams_and_agrees_with_the_whole_ledger(core) -> None:
    start = datetime.now(UTC)
    core.creators.register("creator-1", "Luna", "adm")
    core.creators.register("creator-2", "Sol", "adm")
    pi = fund(core, "fan-1", "pack_500")
    other = fund(core, "fan-2", "pack_500")
    core.spending.send(send_tip(fan_id="fan-1", creator_id="creator-1", amount_tokens=300))
    core.spending.send(send_tip(fan_id="fan-1", creator_id="creator-2", amount_tokens=100))
    core.spending.send(send_tip(fan_id="fan-2", creator_id="creator-2", amount_tokens=400))
    time.sleep(0.01)
    before = datetime.now(UTC)
    time.sleep(0.01)
    core.stripe_events.handle(stripe_event("charge.dispute.created",
                                           {"id": "dp_1", "amount": 499, "payment_intent": pi}))
    core.stripe_events.handle(stripe_event("charge.dispute.created",
                                           {"id": "dp_2", "amount": 499, "payment_intent": other}))
    after = datetime.now(UTC)
    core.projections.catch_up()
    for creator in ("creator-1", "creator-2"):
        for since, until in ((start, before), (start, after)):  # holds earned in, or before
            assert earnings_diff(core.ledger, since, until, creator,
                                 core.queries.hold_ids(creator))["creators"] == \
                earnings_diff(core.ledger, since, until, creator)["creators"]
        whole = earnings_diff(core.ledger, before, after, creator)
        scoped = earnings_diff(core.ledger, before, after, creator,
                               core.queries.hold_ids(creator))
        assert scoped["creators"] == whole["creators"] and scoped["creators"]
        # Only the purchases of the fans whose spends with this creator were reversed.
        fans = {p["fan_id"] for p in scoped["purchases_changed"]}
        assert fans == ({"fan-1"} if creator == "creator-1" else {"fan-1", "fan-2"})
        assert all(p in whole["purchases_changed"] for p in scoped["purchases_changed"])
