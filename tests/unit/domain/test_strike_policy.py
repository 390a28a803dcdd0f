"""Any sequence of warnings, strikes, appeals and passing time gives the documented standing."""

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.aggregates.creator import Creator
from domain.aggregates.strike_record import StrikeRecord
from domain.strikes import StrikePolicy

START = datetime(2026, 1, 1, tzinfo=UTC)
POLICY = StrikePolicy(strike_ttl=timedelta(days=90), suspend_at_active=3)

steps = st.lists(st.one_of(
    st.tuples(st.just("strike")), st.tuples(st.just("warning")),
    st.tuples(st.just("appeal"), st.integers(0, 30)),
    st.tuples(st.just("wait"), st.integers(0, 120)),
    st.tuples(st.just("reinstate")),
), max_size=40)


@settings(max_examples=500)
@given(steps)
def test_standing_matches_the_documented_policy(history: list[tuple]) -> None:
    now = START
    creator = Creator.register_vetted("c", "C", "admin", now)
    record = StrikeRecord(creator_user_id="c", opened_by="admin")
    issued: list[tuple[str, datetime]] = []  # the model: strikes with their issue time
    revoked: set[str] = set()
    model_suspended = False
    for step in history:
        if step[0] in ("strike", "warning"):
            strike_id, crossing = record.issue(step[0], "r", None, "admin", now, POLICY)
            if step[0] == "strike":
                issued.append((strike_id, now))
                active = [i for i, at in issued if i not in revoked and now < at + timedelta(days=90)]
                assert crossing == (len(active) >= 3)
                model_suspended = model_suspended or len(active) >= 3
            else:
                assert not crossing
            if crossing:
                creator.suspend("threshold", "admin", now, source="strike_policy")
        elif step[0] == "appeal" and issued:
            strike_id = issued[step[1] % len(issued)][0]
            record.revoke(strike_id, "upheld", "admin", now)
            revoked.add(strike_id)
        elif step[0] == "wait":
            now += timedelta(days=step[1])
        elif step[0] == "reinstate":
            creator.reinstate("admin", now)
            model_suspended = False
        expected_active = sum(1 for i, at in issued
                              if i not in revoked and at <= now < at + timedelta(days=90))
        assert record.active(now, POLICY) == expected_active
        assert creator.suspended == model_suspended
        assert creator.can_receive_money == (not model_suspended)


def test_warnings_never_count() -> None:
    record = StrikeRecord(creator_user_id="c", opened_by="admin")
    for _ in range(10):
        assert record.issue("warning", "r", None, "admin", START, POLICY)[1] is False
    assert record.active(START, POLICY) == 0


def test_a_strike_expires_exactly_after_the_ttl() -> None:
    record = StrikeRecord(creator_user_id="c", opened_by="admin")
    record.issue("strike", "r", None, "admin", START, POLICY)
    assert record.active(START + timedelta(days=90) - timedelta(seconds=1), POLICY) == 1
    assert record.active(START + timedelta(days=90), POLICY) == 0
