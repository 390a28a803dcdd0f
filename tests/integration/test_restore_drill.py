"""The restore drill, as operations run it (docs/operations.md): back up a PostgreSQL ledger with
`pg_dump`, restore it with `pg_restore` into a fresh database, and get the same ledger back:
the same head hash from `lyra ledger verify`, the same trial balance, read models identical to
the original's, and a ledger that takes the next tip on the same chain."""

import json
import os
import subprocess
import sys
import uuid
from urllib.parse import urlparse, urlunparse

import psycopg
import pytest
from psycopg import sql

from application.bootstrap import build_core
from application.spending.commands import send_tip
from replay.trial_balance import trial_balance_now
from replay.verify import verify_ledger
from tests.conftest import PG_URL, pg_settings
from tests.helpers import charge_refunded, fund
from tests.integration.test_projections import snapshot


def in_database(url: str, name: str) -> str:
    return urlunparse(urlparse(url)._replace(path=f"/{name}"))


def verify_from_the_command_line(url: str, schema: str, tmp_path) -> dict:
    env = {**os.environ, "LYRA_DATABASE_URL": url, "LYRA_DB_SCHEMA": schema,
           "LYRA_ENVIRONMENT": "test", "LYRA_MEDIA_DIR": str(tmp_path / "media")}
    done = subprocess.run([sys.executable, "-m", "cli", "ledger", "verify"], env=env,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.fixture
def restored_database():
    name = f"restore_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    yield name
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
            sql.Identifier(name)))


def test_a_ledger_backed_up_and_restored_is_the_same_ledger(make_core, pg_schema, clock, tmp_path,
                                                            restored_database) -> None:
    core = make_core()
    core.creators.register("creator-1", "Luna", "adm-1")
    paid = [fund(core, f"fan-{n}", "pack_1200") for n in range(3)]
    for n in range(3):
        for _ in range(120):  # past a wallet snapshot, with its spends in chunks
            core.spending.send(send_tip(fan_id=f"fan-{n}", creator_id="creator-1",
                                        amount_tokens=5))
    core.stripe_events.handle(charge_refunded(paid[0], 999, 999))
    clock.advance(days=15)
    core.projections.catch_up()
    core.holds.release_due()
    core.projections.catch_up()
    original_chain = verify_from_the_command_line(PG_URL, pg_schema, tmp_path)
    original_balance = trial_balance_now(core.projections).as_dict()
    original_models = snapshot(core)
    assert original_chain["intact"] and original_balance["balanced"]

    backup = tmp_path / "ledger.dump"
    subprocess.run(["pg_dump", "--format=custom", f"--schema={pg_schema}", f"--file={backup}",
                    PG_URL], check=True, timeout=120)
    restored_url = in_database(PG_URL, restored_database)
    subprocess.run(["pg_restore", "--exit-on-error", f"--dbname={restored_url}", str(backup)],
                   check=True, timeout=120)

    assert verify_from_the_command_line(restored_url, pg_schema, tmp_path) == original_chain
    restored = build_core(pg_settings(pg_schema, database_url=restored_url,
                                      media_dir=str(tmp_path / "media")), clock=clock)
    try:
        assert trial_balance_now(restored.projections).as_dict() == original_balance
        assert snapshot(restored) == original_models
        restored.projections.rebuild()
        assert snapshot(restored) == original_models  # and rebuilt from the restored events
        # The restored ledger goes on: the next tip extends the same chain.
        restored.spending.send(send_tip(fan_id="fan-1", creator_id="creator-1", amount_tokens=5))
        after = verify_ledger(restored.ledger)
        assert after.intact and after.verified_events == original_chain["verified_events"] + 3
    finally:
        restored.close()
