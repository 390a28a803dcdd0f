"""Declarations and audit entries cannot be changed, by the API or in the database."""

from datetime import date

import psycopg
import pytest
from psycopg import sql

from application.declarations import current
from application.onboarding import Identity, RequestContext, Signature
from domain.aggregates.declaration import Declaration
from tests.conftest import PG_URL

CONTEXT = RequestContext(ip="127.0.0.1", user_agent="pytest")


def sign_all(core, user_id: str = "creator-1") -> None:
    core.onboarding.update(user_id, context=CONTEXT, display_name="Luna",
                           signatures=[Signature(t.kind, t.version, t.sha256)
                                       for t in current().values()])


def test_signing_the_same_version_again_records_nothing_new(core) -> None:
    sign_all(core)
    head = core.ledger.max_position()
    sign_all(core)
    assert core.ledger.max_position() == head
    text = current()["platform_rules"]
    declaration = core.ledger.repository.get(
        Declaration.create_id("creator-1", "platform_rules", text.version))
    assert declaration.text_sha256 == text.sha256 and declaration.ip == "127.0.0.1"
    assert declaration.version == text.version and len(declaration.collect_events()) == 0


def test_the_database_refuses_to_edit_audit_entries(core, pg_schema) -> None:
    sign_all(core)
    core.projections.catch_up()
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        for statement in ("UPDATE {}.rm_audit_log SET actor = 'someone-else'",
                          "DELETE FROM {}.rm_audit_log"):
            with pytest.raises(psycopg.Error, match="append-only"):
                conn.execute(sql.SQL(statement).format(sql.Identifier(pg_schema)))
    assert len(core.admin_queries.audit(creator_id="creator-1")) == 11  # Started, 5 x (Signed, Noted)


def test_audit_log_rebuilds_identically(core, clock) -> None:
    sign_all(core)
    core.onboarding.update("creator-1", context=CONTEXT, account_type="business",
                           identity=Identity("Ada Lovelace", date(1990, 1, 1), "GB"))
    core.creators.register("creator-2", "Sol", "adm-1")
    core.moderation.issue("adm-1", "creator-2", "strike", "spam")
    core.projections.catch_up()
    before = core.admin_queries.audit(limit=500)
    core.projections.rebuild(["audit"])
    assert core.admin_queries.audit(limit=500) == before
    assert {e["actor"] for e in before} == {"creator-1", "adm-1"}
