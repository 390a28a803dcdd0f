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


def test_one_fan_or_one_creator_as_of_any_moment_equals_the_whole_ledger_replay(core,
                                                                                 clock) -> None:
    """The scoped replay reads only their streams, and agrees with replaying everything."""
    from replay.scoped import earnings_as_of, wallet_as_of

    core.creators.register("creator-1", "Luna", "admin")
    core.creators.register("creator-2", "Sol", "admin")
    moments = [datetime.now(UTC)]
    payments = [fund(core, "fan-1", "pack_1200"), fund(core, "fan-2", "pack_500")]
    for n in range(6):
        core.spending.send(send_tip(fan_id=f"fan-{1 + n % 2}", creator_id=f"creator-{1 + n % 2}",
                                    amount_tokens=150))
        time.sleep(0.005)
        moments.append(datetime.now(UTC))
    clock.advance(days=15)
    core.projections.catch_up()
    core.holds.release_due()
    moments.append(datetime.now(UTC))
    core.stripe_events.handle(charge_refunded(payments[0], 999, 999))
    moments.append(datetime.now(UTC))
    core.projections.catch_up()
    fields = ("balance_tokens", "purchased_tokens", "spent_tokens", "reversed_tokens",
              "spends_reversed_tokens", "frozen")
    states = ("held_tokens", "available_tokens", "paid_tokens", "reversed_tokens",
              "clawback_tokens", "earnings_count")
    for moment in moments:
        whole = replay_as_of(core.ledger, moment)
        for fan in ("fan-1", "fan-2", "nobody"):
            scoped = wallet_as_of(core.ledger, fan, moment)
            assert {f: scoped[f] for f in fields} == {f: whole.queries.wallet(fan)[f]
                                                      for f in fields}
        for creator in ("creator-1", "creator-2", "nobody"):
            scoped = earnings_as_of(core.ledger, creator, core.queries.hold_ids(creator), moment)
            assert {s: scoped[s] for s in states} == {s: whole.queries.earnings(creator)[s]
                                                      for s in states}


def test_a_whole_ledger_replay_decodes_each_event_once_and_reports_its_progress(
        core, monkeypatch) -> None:
    """The time limit reads each event's time from the event the projections then get, and
    the long replays (the trial balance as of a moment, the diff of the whole ledger) tell a
    progress bar of every event they replay."""
    from replay.diff import earnings_diff
    from replay.trial_balance import trial_balance_as_of

    core.creators.register("creator-1", "Luna", "admin")
    fund(core, "fan-1", "pack_500")
    for _ in range(3):
        core.spending.send(send_tip(fan_id="fan-1", creator_id="creator-1", amount_tokens=100))
    head = core.ledger.max_position()
    decoded: list[int] = []
    read = core.ledger.read_after

    def counted(*args: object, **kwargs: object) -> list:
        page = read(*args, **kwargs)  # type: ignore[arg-type]
        decoded.extend(position for position, _ in page)
        return page

    monkeypatch.setattr(core.ledger, "read_after", counted)

    replayed: list[int] = []
    balance = trial_balance_as_of(core.ledger, datetime.now(UTC), replayed.append)
    assert balance.balanced
    assert sum(replayed) == head
    assert sorted(decoded) == list(range(1, head + 1))  # once each

    replayed.clear()
    since = datetime(2000, 1, 1, tzinfo=UTC)
    changes = earnings_diff(core.ledger, since, datetime.now(UTC), advance=replayed.append)
    assert sum(replayed) == head  # nothing before `since`, everything up to now
    assert [c["delta"]["held_tokens"] for c in changes["creators"]] == [210]
