"""The embedded default (SQLite, simulator) runs the same flow a newcomer's first command does."""

import sqlite3

import pytest

from application.bootstrap import build_core
from application.settings import Settings
from application.tipping import SendTip
from tests.helpers import charge_refunded, fund


def test_sqlite_ledger_projections_and_rebuild(tmp_path, clock) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path}/lyra.sqlite", environment="test",
                        group_commit_window_ms=2)
    core = build_core(settings, clock=clock)
    try:
        core.creators.register("creator-1", "Luna", "admin")
        pi = fund(core, "fan-1", "pack_1200")
        core.tipping.send(SendTip(fan_id="fan-1", creator_id="creator-1", amount_tokens=1_000))
        core.stripe_events.handle(charge_refunded(pi, 999, 999))
        core.projections.catch_up()
        assert core.queries.wallet("fan-1")["balance_tokens"] == -1_000
        assert core.queries.earnings("creator-1")["reversed_tokens"] == 700
        before = core.read_db.query("SELECT * FROM rm_wallet_transactions ORDER BY position")
        core.projections.rebuild()
        assert core.read_db.query("SELECT * FROM rm_wallet_transactions ORDER BY position") == before
        with sqlite3.connect(f"{tmp_path}/lyra.sqlite") as conn, pytest.raises(
                sqlite3.DatabaseError, match="append-only"):
            conn.execute("DELETE FROM stored_events")
    finally:
        core.close()
