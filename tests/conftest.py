"""Shared fixtures: a fresh PostgreSQL schema per test, a controllable clock, a wired core."""

import os
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import psycopg
import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from psycopg import sql

from application.bootstrap import Core, build_core
from application.ports import PaymentGateway
from application.settings import Settings

PG_URL = os.environ.get("LYRA_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")


class FakeClock:
    def __init__(self, start: datetime = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def pg_schema() -> Iterator[str]:
    schema = f"t_{uuid.uuid4().hex[:12]}"
    yield schema
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))


def pg_settings(schema: str, **overrides: object) -> Settings:
    values: dict[str, object] = {"database_url": PG_URL, "db_schema": schema,
                                 "environment": "test", "group_commit_window_ms": 0,
                                 "run_projections": False, **overrides}
    return Settings(**values)  # type: ignore[arg-type]


CoreFactory = Callable[..., Core]


@pytest.fixture
def make_core(pg_schema: str, clock: FakeClock, tmp_path) -> Iterator[CoreFactory]:
    cores: list[Core] = []

    def factory(gateway: PaymentGateway | None = None, **overrides: object) -> Core:
        overrides.setdefault("media_dir", str(tmp_path / "media"))
        core = build_core(pg_settings(pg_schema, **overrides), clock=clock, gateway=gateway)
        cores.append(core)
        return core

    yield factory
    for core in cores:
        core.close()


@pytest.fixture
def core(make_core: CoreFactory) -> Core:
    return make_core()


# Hypothesis profiles: "default" keeps CI fast; HYPOTHESIS_PROFILE=long runs far more and longer
# histories (the state machine's figures in the closing notes come from it).
hypothesis_settings.register_profile(
    "default", deadline=None, max_examples=10, stateful_step_count=40,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
hypothesis_settings.register_profile(
    "long", deadline=None, max_examples=50, stateful_step_count=100,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


UNIT = os.path.join("tests", "unit") + os.sep


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Everything outside tests/unit is `slow` (a real PostgreSQL, a served API, a browser):
    `pytest -m "not slow"` is the fast selection to run while working (CONTRIBUTING.md)."""
    for item in items:
        if UNIT not in str(item.path):
            item.add_marker(pytest.mark.slow)
