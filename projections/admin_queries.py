"""Read-side queries for the admin panel and auditors; nothing here writes."""

import json
from typing import Any

from projections.db import ReadModelDb


class AdminQueries:
    def __init__(self, db: ReadModelDb) -> None:
        self._db = db

    def stats(self) -> dict[str, int]:
        def count(statement: str) -> int:
            return int(self._db.query(statement)[0]["n"])

        return {
            "pending_creators": count("SELECT COUNT(*) AS n FROM rm_creators WHERE status = 'submitted'"),
            "approved_creators": count("SELECT COUNT(*) AS n FROM rm_creators WHERE status = 'approved'"),
            "suspended_creators": count("SELECT COUNT(*) AS n FROM rm_creators WHERE suspended = 1"),
            "onboarding_creators": count("SELECT COUNT(*) AS n FROM rm_creators "
                                         "WHERE status IN ('onboarding', 'rejected')"),
            "open_reports": count("SELECT COUNT(*) AS n FROM rm_reports WHERE status = 'open'"),
            "pending_models": count("SELECT COUNT(*) AS n FROM rm_personas WHERE review = 'submitted'"),
            "frozen_wallets": count("SELECT COUNT(*) AS n FROM rm_wallet_balances WHERE frozen = 1"),
        }

    def frozen_wallets(self, limit: int, offset: int) -> list[dict[str, Any]]:
        """Wallets a dispute or a debt froze, most recently changed first."""
        return self._db.query(  # type: ignore[no-any-return]
            "SELECT fan_id, balance_tokens, debt_tokens, frozen_reason, updated_at "
            "FROM rm_wallet_balances WHERE frozen = 1 ORDER BY updated_at DESC, fan_id "
            "LIMIT %s OFFSET %s", (limit, offset))

    def creators(self, status: str | None, limit: int, offset: int) -> list[dict[str, Any]]:
        where, params = ("WHERE status = %s", (status,)) if status else ("", ())
        rows = self._db.query(
            f"SELECT * FROM rm_creators {where} ORDER BY submitted_at, started_at "
            "LIMIT %s OFFSET %s", (*params, limit, offset))
        return [_creator(row) for row in rows]

    def creator(self, creator_id: str) -> dict[str, Any] | None:
        rows = self._db.query("SELECT * FROM rm_creators WHERE creator_id = %s", (creator_id,))
        return _creator(rows[0]) if rows else None

    def reports(self, status: str | None, limit: int, offset: int) -> list[dict[str, Any]]:
        where, params = ("WHERE status = %s", (status,)) if status else ("", ())
        rows = self._db.query(f"SELECT * FROM rm_reports {where} ORDER BY filed_at "
                              "LIMIT %s OFFSET %s", (*params, limit, offset))
        return [{**r, "model_opinion": json.loads(r["model_opinion"]) if r["model_opinion"]
                 else None} for r in rows]

    def chat_flags(self, limit: int, offset: int) -> list[dict[str, Any]]:
        """Chat turns the safety checks flagged (sampled) or the model refused, newest first."""
        rows = self._db.query("SELECT * FROM rm_chat_flags ORDER BY position DESC "
                              "LIMIT %s OFFSET %s", (limit, offset))
        return [{**r, "findings": json.loads(r["findings"])} for r in rows]

    def audit(self, *, creator_id: str | None = None, actor: str | None = None,
              action: str | None = None, since: str | None = None, until: str | None = None,
              before_position: int | None = None, limit: int = 100) -> list[dict[str, Any]]:
        clauses, params = [], []
        for column, value, op in (("creator_id", creator_id, "="), ("actor", actor, "="),
                                  ("at", since, ">="), ("at", until, "<"),
                                  ("position", before_position, "<")):
            if value is not None:
                clauses.append(f"{column} {op} %s")
                params.append(value)
        if action:
            clauses.append("action LIKE %s")
            params.append(action.replace("*", "%"))
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        return self._db.query(f"SELECT * FROM rm_audit_log {where} ORDER BY position DESC "
                              "LIMIT %s", (*params, limit))


def _creator(row: dict[str, Any]) -> dict[str, Any]:
    return {**row, "suspended": bool(row["suspended"]),
            "charges_enabled": bool(row["charges_enabled"]),
            "payouts_enabled": bool(row["payouts_enabled"]),
            "requirements_due": json.loads(row["requirements_due"]),
            "declarations": json.loads(row["declarations"])}
