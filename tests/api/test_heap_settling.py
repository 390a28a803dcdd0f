"""A server started by `lyra serve` settles its heap once it is up (adapters.heap); the
app the tests serve does not, unless asked."""

import httpx
import pytest

from adapters import heap
from tests.api.conftest import served
from tests.conftest import FakeClock, pg_settings


@pytest.mark.parametrize("settle", [True, False])
def test_the_app_settles_its_heap_after_start_up_when_asked(
        settle: bool, pg_schema: str, clock: FakeClock, tmp_path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    settled: list[bool] = []
    monkeypatch.setattr(heap, "settle", lambda: settled.append(True))
    with served(clock, lambda public_url: pg_settings(
            pg_schema, public_url=public_url, settle_heap=settle,
            media_dir=str(tmp_path / "media"))) as api:
        assert httpx.get(f"{api.base}/healthz").status_code == 200
    assert settled == ([True] if settle else [])
