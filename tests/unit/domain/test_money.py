from hypothesis import given
from hypothesis import strategies as st

from domain.money import proportional_ceil, split, tokens_to_minor

amounts = st.integers(min_value=0, max_value=10**12)
rates = st.integers(min_value=0, max_value=10_000)


@given(amounts, rates)
def test_split_parts_sum_to_the_amount_and_are_non_negative(amount: int, bps: int) -> None:
    shares = split(amount, bps)
    assert shares.creator_tokens + shares.platform_tokens == amount
    assert shares.creator_tokens >= 0 and shares.platform_tokens >= 0


@given(amounts, rates)
def test_creator_share_floors(amount: int, bps: int) -> None:
    shares = split(amount, bps)
    assert shares.creator_tokens * 10_000 <= amount * bps < (shares.creator_tokens + 1) * 10_000


def test_spec_rates() -> None:
    assert split(500, 7_000) == split(500, 7_000)
    assert (split(500, 7_000).creator_tokens, split(500, 7_000).platform_tokens) == (350, 150)
    assert (split(999, 8_000).creator_tokens, split(999, 8_000).platform_tokens) == (799, 200)
    assert split(1, 7_000).creator_tokens == 0  # a 1-token tip: the whole token is the fee


@given(amounts)
def test_conversion_carries_the_remainder(tokens: int) -> None:
    conversion = tokens_to_minor(tokens)
    assert conversion.amount_minor * 5 + conversion.remainder_tokens * 2 == tokens * 2
    assert 0 <= conversion.remainder_tokens < 5


def test_250_tokens_is_one_pound() -> None:
    assert tokens_to_minor(250).amount_minor == 100
    assert tokens_to_minor(5).amount_minor == 2
    assert tokens_to_minor(7) == tokens_to_minor(7).__class__(amount_minor=2, remainder_tokens=2)


@given(st.integers(1, 10**6), st.integers(1, 10**6), st.data())
def test_proportional_ceil_never_under_counts(total: int, whole: int, data: st.DataObject) -> None:
    part = data.draw(st.integers(0, whole))
    result = proportional_ceil(total, part, whole)
    assert result * whole >= total * part > (result - 1) * whole or part == 0 and result == 0
    assert proportional_ceil(total, whole, whole) == total
