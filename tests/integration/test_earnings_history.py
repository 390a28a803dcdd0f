"""The creator's earnings by state over time come from the ledger's history: a tip is held
until the day it is released, available after, and a refund shows as reversed from its day on;
no day is shown as it stands today."""

from datetime import timedelta

from application.spending.commands import send_tip
from tests.helpers import charge_refunded, fund, published_persona


def test_each_day_shows_the_states_as_they_were_then(core, clock) -> None:
    published_persona(core)
    first = clock().date()
    paid = fund(core, "fan-1", "pack_1200")
    core.spending.send(send_tip("fan-1", "creator-1", 1_000))  # 700 tokens held
    clock.advance(days=15)
    core.projections.catch_up()
    assert core.holds.release_due() == 1
    clock.advance(days=2)
    core.stripe_events.handle(charge_refunded(paid, 999, 999))  # the tip reversed
    core.projections.catch_up()
    days = {d["day"]: d for d in core.queries.earnings_history(
        "creator-1", (first - timedelta(days=1)).isoformat(),
        (first + timedelta(days=20)).isoformat())}

    def on(offset: int) -> tuple[int, int, int]:
        day = days[(first + timedelta(days=offset)).isoformat()]
        return day["held_tokens"], day["available_tokens"], day["reversed_tokens"]

    assert on(-1) == (0, 0, 0)
    assert on(0) == on(14) == (700, 0, 0)
    assert on(15) == on(16) == (0, 700, 0)
    assert on(17) == on(20) == (0, 0, 700)
    # A window that starts after everything moved still starts from where things stood.
    later = core.queries.earnings_history("creator-1", (first + timedelta(days=19)).isoformat(),
                                          (first + timedelta(days=19)).isoformat())
    assert later[0]["reversed_tokens"] == 700
