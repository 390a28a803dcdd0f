"""The model's rating of the fan's message, taken off the reply's stream before any text goes on:
given (and refused at the gate), missing or malformed (the rules' outcome stands), however the
provider splits its pieces."""

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from application.safety.model_gate import Rating, RefusedByModelError, rated

REPLY = "Hello there, lovely to hear from you."


def pieces(text: str, cuts: list[int]) -> list[str]:
    points = sorted({c % (len(text) + 1) for c in cuts})
    return [text[a:b] for a, b in zip([0, *points], [*points, len(text)], strict=True)
            if text[a:b]]


def run(text: str, cuts: list[int] | None = None, threshold: float = 0.6
        ) -> tuple[str, list[Rating]]:
    heard: list[Rating] = []
    out = "".join(rated(pieces(text, cuts or []), threshold, heard.append))
    return out, heard


@given(st.lists(st.integers(min_value=0, max_value=200), max_size=8))
def test_a_rating_line_is_taken_off_however_the_stream_is_cut(cuts: list[int]) -> None:
    out, heard = run('[[safety {"minor": 0.02, "non_consent": 0.1}]]\n' + REPLY, cuts)
    assert out == REPLY
    assert heard == [Rating("given", {"underage": 0.02, "non_consensual": 0.1})]


@pytest.mark.parametrize(("line", "categories"), [
    ('[[safety {"minor": 0.9, "non_consent": 0.0}]]', ["underage"]),
    ('[[safety {"minor": 0.6, "non_consent": 0.95}]]', ["non_consensual", "underage"]),
])
def test_a_rating_at_the_gate_refuses_before_any_text(line: str, categories: list[str]) -> None:
    heard: list[Rating] = []
    out: list[str] = []
    with pytest.raises(RefusedByModelError) as refused:
        for piece in rated(re.findall(r"\S+\s*", line + "\n" + REPLY), 0.6, heard.append):
            out.append(piece)
    assert out == [] and refused.value.categories == categories


@pytest.mark.parametrize(("text", "status"), [
    (REPLY, "missing"),
    ("[[safety not json]]\n" + REPLY, "malformed"),
    ('[[safety {"minor": 2, "non_consent": 0}]]\n' + REPLY, "malformed"),
    ('[[safety {"minor": 0.1}]]\n' + REPLY, "malformed"),
    ('[[safety {"minor": true, "non_consent": 0}]]\n' + REPLY, "malformed"),
])
def test_no_readable_rating_leaves_the_reply_and_says_why(text: str, status: str) -> None:
    out, heard = run(text, [3, 11, 40])
    assert [h.status for h in heard] == [status] and heard[0].reason
    assert out.endswith(REPLY)
    if status == "malformed":
        assert "[[safety" not in out


def test_a_rating_line_that_never_ends_gives_no_text() -> None:
    out, heard = run("[[safety " + "x" * 500)
    assert out == "" and heard[0].status == "malformed"
