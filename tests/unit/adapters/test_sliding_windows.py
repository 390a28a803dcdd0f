"""The in-memory sliding windows: never more hits than the budget in any window's span, room
again when reset_in says, and memory that follows active keys (no sweep of every key)."""

from hypothesis import given
from hypothesis import strategies as st

from adapters.limits.windows import SlidingWindows


@given(amount=st.integers(1, 20), length_s=st.sampled_from([1, 60, 3600]),
       gaps=st.lists(st.floats(0, 2.5), min_size=1, max_size=200))
def test_no_span_of_one_window_admits_more_than_twice_the_budget_and_no_window_more_than_it(
        amount, length_s, gaps) -> None:
    windows, now, admitted = SlidingWindows(), 1_000_000.0, []
    for gap in gaps:
        now += gap * length_s / 2
        if windows.hit("k", amount, length_s, now=now):
            admitted.append(now)
    for start in admitted:  # an aligned window holds at most the budget; any span at most twice
        aligned = int(start // length_s)
        assert sum(int(t // length_s) == aligned for t in admitted) <= amount
        assert sum(start <= t < start + length_s for t in admitted) <= 2 * amount


@given(amount=st.integers(1, 10), length_s=st.sampled_from([1, 60]),
       hits=st.integers(1, 30), offset=st.floats(0, 0.99))
def test_after_reset_in_there_is_room(amount, length_s, hits, offset) -> None:
    windows = SlidingWindows()
    now = 5_000_000.0 + offset * length_s
    for _ in range(hits):
        windows.hit("k", amount, length_s, now=now)
    wait_s = windows.reset_in("k", amount, length_s, now=now)
    assert 0 <= wait_s <= 2 * length_s
    if wait_s == 0:
        assert windows.hit("k", amount, length_s, now=now)
    else:
        assert not windows.hit("k", amount, length_s, now=now)
        assert windows.hit("k", amount, length_s, now=now + wait_s + 1e-6)


def test_a_user_is_refused_then_let_in_as_the_window_slides() -> None:
    windows = SlidingWindows()
    assert [windows.hit("fan", 3, 60, now=60.0 * 100 + t) for t in (0, 1, 2, 3)] == [
        True, True, True, False]
    assert windows.hit("other", 3, 60, now=6003.5)  # another key, another budget
    assert not windows.hit("fan", 3, 60, now=6060.0)  # the previous window still weighs in full
    assert windows.hit("fan", 3, 60, now=6060.0 + 40)  # two thirds through: a third of 3 weighs


def test_memory_follows_the_keys_active_within_a_window() -> None:
    windows = SlidingWindows()
    for n in range(10_000):  # ten thousand users, one hit each, a second apart
        windows.hit(f"user-{n}", 5, 1, now=1_000.0 + n)
    assert len(windows) <= 3
    for n in range(1_000):  # a thousand within one window stay
        windows.hit(f"fan-{n}", 5, 60, now=50_000.0 + n / 100)
    assert len(windows) >= 1_000
