"""The API served by uvicorn on loopback, over a PostgreSQL schema of its own."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import httpx
import pytest

from api.auth import mint_token
from api.main import create_app
from application.bootstrap import Core, build_core
from application.settings import Settings
from tests.conftest import FakeClock, pg_settings
from tests.fakes.servers import client, free_port, serve_app


@dataclass
class Api:
    base: str
    core: Core
    clock: FakeClock

    def as_user(self, user_id: str, *roles: str) -> httpx.Client:
        return client(self.base, mint_token(self.core.settings, user_id, list(roles or ["fan"])))

    def head(self) -> int:
        return int(httpx.get(f"{self.base}/healthz").json()["head_position"])


@contextmanager
def served(clock: FakeClock, make_settings: Callable[[str], Settings]) -> Iterator[Api]:
    """The app on a free loopback port, with the settings made for its public address."""
    port = free_port()
    core = build_core(make_settings(f"http://127.0.0.1:{port}"), clock=clock)
    try:
        with serve_app(create_app(core), port) as base:
            yield Api(base, core, clock)
    finally:
        core.close()


@pytest.fixture
def api(pg_schema: str, clock: FakeClock, tmp_path, request: pytest.FixtureRequest
        ) -> Iterator[Api]:
    """Settings a test needs otherwise come from its `settings` mark."""
    marked = request.node.get_closest_marker("settings")
    with served(clock, lambda public_url: pg_settings(
            pg_schema, public_url=public_url, run_projections=True, group_commit_window_ms=2,
            media_dir=str(tmp_path / "media"), **(marked.kwargs if marked else {}))) as running:
        yield running


@pytest.fixture
def studio(api: Api) -> tuple[httpx.Client, httpx.Client]:
    """An approved creator (creator-1) and the admin who registered them."""
    admin = api.as_user("adm-1", "admin")
    admin.post("/api/admin/creators", json={"user_id": "creator-1", "display_name": "Luna"})
    return api.as_user("creator-1", "creator"), admin
