"""The demo marketplace: filled once into an empty development ledger through the API, it shows
what the README promises to each of its people, and the whole-ledger checks pass on it."""

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from api.auth import mint_token
from api.main import create_app
from application import demo_cast as cast
from application.bootstrap import build_core
from application.settings import Settings
from demo.fill import DemoRefusedError, Filled, fill
from tests.conftest import PG_URL, pg_settings
from tests.fakes.servers import client, free_port, serve_app

pytestmark = pytest.mark.slow


def sqlite_settings(tmp_path: Path) -> Settings:
    return Settings(database_url=f"sqlite:///{tmp_path}/lyra.sqlite",
                    media_dir=str(tmp_path / "media"), environment="development",
                    checkpoint_key_file=str(tmp_path / "checkpoint.key"))


@pytest.fixture(params=["sqlite", "postgres"])
def settings(request, tmp_path: Path) -> Iterator[Settings]:
    if request.param == "sqlite":
        yield sqlite_settings(tmp_path)
    else:
        schema = request.getfixturevalue("pg_schema")
        yield pg_settings(schema, environment="development", media_dir=str(tmp_path / "media"),
                          checkpoint_key_file=str(tmp_path / "checkpoint.key"),
                          group_commit_window_ms=2)


def lyra(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "LYRA_DATABASE_URL": settings.database_url,
           "LYRA_DB_SCHEMA": settings.db_schema, "LYRA_MEDIA_DIR": settings.media_dir,
           "LYRA_CHECKPOINT_KEY_FILE": settings.checkpoint_key_file,
           "LYRA_ENVIRONMENT": "development"}
    return subprocess.run([sys.executable, "-m", "cli", *args], env=env, capture_output=True,
                          text=True, timeout=120)


def test_the_demo_fills_an_empty_ledger_once_and_every_check_passes(settings: Settings) -> None:
    filled = fill(settings)
    assert (filled.filled, filled.present) and filled.events > 500
    again = fill(settings)  # a second start leaves it as it is
    assert (again.filled, again.present, again.events) == (False, True, filled.events)

    verified = lyra(settings, "ledger", "verify")
    assert verified.returncode == 0 and json.loads(verified.stdout)["intact"] is True
    balance = lyra(settings, "ledger", "trial-balance")
    assert balance.returncode == 0, balance.stdout
    assert json.loads(balance.stdout)["balanced"] is True

    port = free_port()
    core = build_core(settings.model_copy(update={"public_url": f"http://127.0.0.1:{port}",
                                                  "demo": True}))
    try:
        with serve_app(create_app(core), port) as base:
            def as_(user: cast.DemoUser) -> httpx.Client:
                return client(base, mint_token(core.settings, user.user_id, list(user.roles)))

            shows_the_marketplace(base, as_(cast.FAN))
            shows_the_earnings(as_(cast.CREATOR))
            shows_the_queue(as_(cast.ADMIN))
            login = httpx.get(f"{base}/login").text
            assert all(f'data-testid="demo-{u.user_id}"' in login for u in cast.CAST)
    finally:
        core.close()


def shows_the_marketplace(base: str, fan: httpx.Client) -> None:
    models = fan.get("/api/models").json()["models"]
    assert len(models) == 6 and len({m["primary_category"] for m in models}) == 6
    modes = {tuple(m["chat_modes"]) for m in models}
    assert ("companion",) in modes and ("companion", "intimate") in modes
    for model in models:
        assert set(model["images"]) == {"avatar", "cover"}  # drawn at start
        [post] = fan.get(f"/api/models/{model['id']}/feed").json()["posts"]
        assert [i["tier"] for i in post["items"]] == ["public", "subscribers", "ppv"]
        assert all(i["teaser_url" if i["locked"] else "url"] for i in post["items"])
    unlocked = [i for m in models for i in
                fan.get(f"/api/models/{m['id']}/feed").json()["posts"][0]["items"]
                if i["tier"] != "public" and not i["locked"]]
    assert len(unlocked) == 3  # Luna's by subscription and by an unlock, Rowan's by an unlock
    wallet = fan.get("/api/wallet").json()
    assert wallet["balance_tokens"] > 0 and wallet["frozen"] is False
    kinds = {t["kind"] for t in fan.get("/api/wallet/transactions").json()["transactions"]}
    assert {"purchase", "tip", "unlock"} <= kinds
    [subscription] = fan.get("/api/subscriptions").json()["subscriptions"]
    assert subscription["status"] == "active"
    assert fan.get("/api/age-verification").json()["status"] == "verified"
    luna = next(m["id"] for m in models if m["name"] == "Luna Vale")
    assert len(fan.get(f"/api/sfw-chat/{luna}/messages").json()["messages"]) >= 3
    assert httpx.get(f"{base}/api/projections/status").json()["projections"]


def shows_the_earnings(creator: httpx.Client) -> None:
    earnings = creator.get("/api/creator/earnings").json()
    assert {"tip", "unlock", "subscription"} <= set(earnings["by_source"])
    assert earnings["paid_tokens"] > 0 and earnings["paid_minor"] > 0
    assert earnings["reversed_tokens"] > 0  # the refunded pack's tips came back out
    assert earnings["held_tokens"] > 0 and earnings["available_tokens"] > 0
    payouts = creator.get("/api/creator/payouts").json()["payouts"]
    assert [p["status"] for p in payouts] == ["paid"]
    months = sorted({h[:7] for h in (p["created_at"] for p in payouts)})
    assert months  # and the statements of the months it spans have rows
    assert creator.get(f"/api/creator/statements/{months[0]}").json()["rows"]


def shows_the_queue(admin: httpx.Client) -> None:
    stats = admin.get("/api/admin/stats").json()
    assert (stats["pending_models"], stats["open_reports"]) == (1, 1)
    assert stats["approved_creators"] == 3 and stats["pending_creators"] == 0


def test_a_ledger_that_holds_anything_is_left_alone(tmp_path: Path) -> None:
    settings = sqlite_settings(tmp_path)
    core = build_core(settings)
    try:
        core.creators.register("creator-1", "Luna", "adm-1")
        before = core.ledger.max_position()
    finally:
        core.close()
    assert fill(settings) == Filled(False, False, before)
    core = build_core(settings)
    try:
        assert core.ledger.max_position() == before
    finally:
        core.close()


def test_production_and_a_real_payment_provider_refuse_the_demo(tmp_path: Path) -> None:
    with pytest.raises(DemoRefusedError, match="development only"):
        fill(sqlite_settings(tmp_path).model_copy(update={"environment": "production"}))
    with pytest.raises(DemoRefusedError, match="STRIPE_SECRET_KEY"):
        fill(sqlite_settings(tmp_path).model_copy(update={"stripe_secret_key": "sk_test_x"}))
    assert not (tmp_path / "lyra.sqlite").exists()  # nothing opened, nothing written
    with pytest.raises(ValueError, match="development only"):
        Settings(environment="production", demo=True, jwt_secret="s" * 40,
                 stripe_secret_key="sk_live_x", stripe_webhook_secret="whsec_x",
                 checkpoint_signing_key="A" * 44, database_url=PG_URL)


def test_lyra_serve_demo_refuses_production(tmp_path: Path) -> None:
    settings = sqlite_settings(tmp_path)
    env = {**os.environ, "LYRA_ENVIRONMENT": "production", "LYRA_JWT_SECRET": "s" * 40,
           "STRIPE_SECRET_KEY": "sk_live_x", "STRIPE_WEBHOOK_SECRET": "whsec_x",
           "LYRA_CHECKPOINT_SIGNING_KEY": "A" * 44, "LYRA_DATABASE_URL": settings.database_url}
    refused = subprocess.run([sys.executable, "-m", "cli", "serve", "--demo", "--port",
                              str(free_port())], env=env, capture_output=True, text=True,
                             timeout=60)
    assert refused.returncode == 2 and "--demo refused" in refused.stderr
    assert not (tmp_path / "lyra.sqlite").exists()
