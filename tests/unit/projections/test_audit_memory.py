"""The audit projection remembers a bounded number of streams' subjects, forgetting the oldest
first (a forgotten stream is looked up in its table again, so forgetting loses nothing)."""

import pytest

from projections import audit
from projections.audit import AuditProjection


def test_the_oldest_streams_are_forgotten_first(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(audit, "_REMEMBERED_STREAMS", 3)
    projection = AuditProjection()
    for n in range(7):
        projection._remember(f"stream-{n}", (f"creator-{n}", None))
    assert list(projection._subjects) == ["stream-4", "stream-5", "stream-6"]
    assert projection._subjects["stream-6"] == ("creator-6", None)
