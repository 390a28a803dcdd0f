"""Auditors see each balance as it stood at a past moment."""

import time
from datetime import UTC, datetime

from application.spending.commands import send_tip
from replay.as_of import replay_as_of
from tests.helpers import charge_refunded, fund


def test_balances_and_earnings_as_of_a_moment_before_a_refund(core) -> None:
    core.creators.register("creator-1", "Luna", "admin")
    pi = fund(core, "fan-1", "pack_500")
    core.spending.send(send_tip(fan_id="fan-1", creator_id="creator-1", amount_tokens=400))
    time.sleep(0.01)
    before_refund = datetime.now(UTC)
    time.sleep(0.01)
    core.stripe_events.handle(charge_refunded(pi, 499, 499))

    past = replay_as_of(core.ledger, before_refund)
    assert past.queries.wallet("fan-1")["balance_tokens"] == 100
    assert past.queries.earnings("creator-1")["held_tokens"] == 280
    now = replay_as_of(core.ledger, datetime.now(UTC))
    assert now.queries.wallet("fan-1")["balance_tokens"] == 0
    assert now.queries.earnings("creator-1")["reversed_tokens"] == 280
    assert now.position == core.ledger.max_position() > past.position
    dawn = replay_as_of(core.ledger, datetime(2000, 1, 1, tzinfo=UTC))
    assert dawn.position == 0 and dawn.queries.wallet("fan-1")["balance_tokens"] == 0
