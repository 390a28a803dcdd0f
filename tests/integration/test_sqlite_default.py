"""The embedded default (SQLite, simulator) runs the same flow a newcomer's first command does."""

import sqlite3

import pytest

from application.bootstrap import build_core
from application.declarations import current
from application.onboarding import RequestContext, Signature
from application.settings import Settings
from application.spending.commands import send_tip
from tests.api.test_personas_http import PROFILE
from tests.helpers import charge_refunded, fund


def test_sqlite_ledger_projections_and_rebuild(tmp_path, clock) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path}/lyra.sqlite", environment="test",
                        group_commit_window_ms=2)
    core = build_core(settings, clock=clock)
    try:
        core.creators.register("creator-1", "Luna", "admin")
        pi = fund(core, "fan-1", "pack_1200")
        core.spending.send(send_tip(fan_id="fan-1", creator_id="creator-1", amount_tokens=1_000))
        core.stripe_events.handle(charge_refunded(pi, 999, 999))
        core.projections.catch_up()
        assert core.queries.wallet("fan-1")["balance_tokens"] == 0
        assert core.queries.earnings("creator-1")["reversed_tokens"] == 700
        before = core.read_db.query("SELECT * FROM rm_wallet_transactions ORDER BY position")
        core.projections.rebuild()
        assert core.read_db.query("SELECT * FROM rm_wallet_transactions ORDER BY position") == before
        with sqlite3.connect(f"{tmp_path}/lyra.sqlite") as conn, pytest.raises(
                sqlite3.DatabaseError, match="append-only"):
            conn.execute("DELETE FROM stored_events")
    finally:
        core.close()


def test_sqlite_creators_personas_and_audit(tmp_path, clock) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path}/lyra.sqlite", environment="test",
                        group_commit_window_ms=0)
    core = build_core(settings, clock=clock)
    try:
        core.onboarding.update("creator-7", context=RequestContext("127.0.0.1", "t"),
                               display_name="Nova", account_type="individual",
                               signatures=[Signature(t.kind, t.version, t.sha256)
                                           for t in current().values()])
        core.creators.register("creator-1", "Luna", "adm-1")
        persona = core.personas.create("creator-1", dict(PROFILE))
        core.personas.submit("creator-1", persona.id)
        core.personas.review("adm-1", persona.id, approve=True, reason="ok")
        core.personas.publish("creator-1", persona.id, publish=True)
        core.moderation.issue("adm-1", "creator-1", "warning", "late reply")
        core.projections.catch_up()
        found = core.persona_queries.discover(tag="witty", category=None, q="astronomy",
                                              sort="newest", limit=10, offset=0)
        assert [m["id"] for m in found["models"]] == [str(persona.id)]
        assert core.admin_queries.creator("creator-7")["declarations"]
        entries = core.audit_log.entries(actor="adm-1")
        # The details are the event's own fields, read from the ledger by position.
        assert [e["details"]["severity"] for e in entries if e["action"] == "StrikeRecord.Issued"] \
            == ["warning"]
        core.moderation.suspend("adm-1", "creator-1", "review")
        core.projections.catch_up()
        assert core.persona_queries.discover(tag=None, category=None, q=None, sort="name",
                                             limit=10, offset=0)["total"] == 0
        with sqlite3.connect(f"{tmp_path}/lyra-views.sqlite") as conn, pytest.raises(
                sqlite3.DatabaseError, match="append-only"):
            conn.execute("UPDATE rm_audit_log SET actor = 'x'")
        before = core.admin_queries.audit(limit=500)
        core.projections.rebuild()
        assert core.admin_queries.audit(limit=500) == before
    finally:
        core.close()


def test_sqlite_ledger_is_hash_chained_and_tampering_is_found(tmp_path, clock) -> None:
    from replay.verify import verify_ledger

    path = f"{tmp_path}/lyra.sqlite"
    core = build_core(Settings(database_url=f"sqlite:///{path}", environment="test",
                               group_commit_window_ms=2), clock=clock)
    try:
        core.creators.register("creator-1", "Luna", "admin")
        fund(core, "fan-1", "pack_1200")
        for _ in range(3):
            core.spending.send(send_tip(fan_id="fan-1", creator_id="creator-1", amount_tokens=10))
        report = verify_ledger(core.ledger)
        assert report.intact and report.verified_events == core.ledger.max_position()
        with sqlite3.connect(path) as conn:
            conn.execute("DROP TRIGGER lyra_no_update")
            conn.execute("UPDATE stored_events SET state = state || x'20' WHERE rowid = 5")
        broken = verify_ledger(core.ledger)
        assert (broken.intact, broken.first_problem_position, broken.problem) == (
            False, 5, "event altered or reordered")
        assert broken.head_position == 4
    finally:
        core.close()


def test_the_long_replay_commands_answer_from_the_command_line(tmp_path, clock) -> None:
    """`lyra ledger trial-balance --at` and `lyra replay diff` over the whole ledger, as an
    auditor runs them (their progress bars show on a terminal only)."""
    import json
    import os
    import subprocess
    import sys
    from datetime import UTC, datetime

    url = f"sqlite:///{tmp_path}/lyra.sqlite"
    core = build_core(Settings(database_url=url, environment="test", group_commit_window_ms=0),
                      clock=clock)
    try:
        core.creators.register("creator-1", "Luna", "admin")
        fund(core, "fan-1", "pack_500")
        core.spending.send(send_tip(fan_id="fan-1", creator_id="creator-1", amount_tokens=100))
    finally:
        core.close()
    env = {**os.environ, "LYRA_DATABASE_URL": url, "LYRA_ENVIRONMENT": "test",
           "LYRA_MEDIA_DIR": str(tmp_path / "media")}
    now = datetime.now(UTC).isoformat()

    def lyra(*args: str) -> dict:
        done = subprocess.run([sys.executable, "-m", "cli", *args], env=env,
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        return dict(json.loads(done.stdout))

    balance = lyra("ledger", "trial-balance", "--at", now)
    assert balance["balanced"] is True
    diff = lyra("replay", "diff", "--since", "2000-01-01T00:00:00+00:00", "--until", now)
    assert [c["delta"]["held_tokens"] for c in diff["creators"]] == [70]


def test_the_media_sweep_from_the_command_line(tmp_path) -> None:
    import json
    import os
    import subprocess
    import sys

    env = {**os.environ, "LYRA_DATABASE_URL": f"sqlite:///{tmp_path}/lyra.sqlite",
           "LYRA_ENVIRONMENT": "test", "LYRA_MEDIA_DIR": str(tmp_path / "media")}

    def lyra(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "cli", *args], env=env,
                              capture_output=True, text=True, timeout=120)

    swept = lyra("media", "sweep")
    assert swept.returncode == 0, swept.stderr
    assert json.loads(swept.stdout) == {"removed": 0, "partial_removed": 0, "kept": 0}
    too_soon = lyra("media", "sweep", "--older-than-minutes", "1")
    assert too_soon.returncode == 2 and "at least 5 minutes" in too_soon.stderr


def test_sqlite_checkpoints_and_an_audit_export_that_verifies(tmp_path, clock) -> None:
    import base64

    from tools.lyra_verify import verify

    settings = Settings(database_url=f"sqlite:///{tmp_path}/lyra.sqlite", environment="test",
                        group_commit_window_ms=0)
    core = build_core(settings, clock=clock)
    try:
        core.creators.register("creator-1", "Luna", "admin")
        fund(core, "fan-1", "pack_5500")
        for _ in range(150):  # past one tile of 256 positions, so stored nodes are used
            core.spending.send(send_tip(fan_id="fan-1", creator_id="creator-1",
                                        amount_tokens=10))
        first = core.checkpoints.take()
        core.spending.send(send_tip(fan_id="fan-1", creator_id="creator-1", amount_tokens=10))
        second = core.checkpoints.take()
        proof = core.checkpoints.consistency(first["tree_size"], second["tree_size"])
        assert proof["second_root"] == second["root_hash"]
        core.projections.catch_up()
        path = tmp_path / "export.zip"
        path.write_bytes(core.audit_exports.creator("creator-1").data)
        key = base64.b64decode(core.checkpoints.public_key()["public_key"])
        report = verify(str(path), key)
        assert report["agrees"], report["first_discrepancy"]
        assert report["checked"]["holds"] == 151
    finally:
        core.close()
