"""Read-side queries for personas: discovery, profiles, the creator's list, the review queue."""

import json
from typing import Any

from domain.catalogue import TIP_PRESETS_TOKENS
from domain.money import TOKENS_PER_GBP
from projections.db import ReadModelDb

SORTS = {"newest": "published_at DESC", "name": "name ASC"}


class PersonaQueries:
    def __init__(self, db: ReadModelDb) -> None:
        self._db = db

    def discover(self, *, tag: str | None, category: str | None, q: str | None, sort: str,
                 limit: int, offset: int) -> dict[str, Any]:
        clauses, params = ["visible = 1"], []
        if tag:
            clauses.append("persona_id IN (SELECT persona_id FROM rm_persona_tags WHERE tag = %s)")
            params.append(tag)
        if category:
            clauses.append("primary_category = %s")
            params.append(category)
        for word in (q or "").lower().split()[:5]:
            clauses.append("search_text LIKE %s")
            params.append(f"%{word}%")
        where = " AND ".join(clauses)
        total = self._db.query(f"SELECT COUNT(*) AS n FROM rm_personas WHERE {where}", params)
        rows = self._db.query(f"SELECT * FROM rm_personas WHERE {where} "
                              f"ORDER BY {SORTS[sort]}, persona_id LIMIT %s OFFSET %s",
                              (*params, limit, offset))
        return {"models": [_public(r) for r in rows], "total": int(total[0]["n"]),
                "limit": limit, "offset": offset}

    def public(self, persona_id: str) -> dict[str, Any] | None:
        rows = self._db.query("SELECT * FROM rm_personas WHERE persona_id = %s AND visible = 1",
                              (persona_id,))
        return _public(rows[0]) if rows else None

    def of_creator(self, creator_id: str) -> list[dict[str, Any]]:
        rows = self._db.query("SELECT * FROM rm_personas WHERE creator_id = %s "
                              "ORDER BY created_at", (creator_id,))
        return [_full(r) for r in rows]

    def counts(self, creator_id: str) -> dict[str, int]:
        rows = self._db.query(
            "SELECT COUNT(*) AS total, COALESCE(SUM(visible), 0) AS live, "
            "COALESCE(SUM(CASE WHEN review = 'submitted' THEN 1 ELSE 0 END), 0) AS in_review "
            "FROM rm_personas WHERE creator_id = %s", (creator_id,))
        return {k: int(v) for k, v in rows[0].items()}

    def review_queue(self, limit: int, offset: int) -> list[dict[str, Any]]:
        rows = self._db.query("SELECT * FROM rm_personas WHERE review = 'submitted' "
                              "ORDER BY submitted_at LIMIT %s OFFSET %s", (limit, offset))
        return [_full(r) for r in rows]

    def tags(self) -> dict[str, list[dict[str, str]]]:
        rows = self._db.query("SELECT slug, label, kind FROM rm_tags WHERE active = 1 "
                              "ORDER BY kind, label")
        return {"categories": [{"slug": r["slug"], "label": r["label"]} for r in rows
                               if r["kind"] == "primary"],
                "tags": [{"slug": r["slug"], "label": r["label"]} for r in rows
                         if r["kind"] == "secondary"]}


def _public(row: dict[str, Any]) -> dict[str, Any]:
    live = json.loads(row["live"])
    money = live["monetization"]
    return {"id": row["persona_id"], "creator_id": row["creator_id"], "name": live["name"],
            "stated_age": live["stated_age"], "visuals": live["visuals"],
            "images": live.get("images") or {},
            "persona": live["persona"], "chat_modes": live["chat_modes"],
            "primary_category": live["primary_category"], "tags": live["tags"],
            "pricing": {"subscription_price_minor": money["subscription_price_minor"],
                        "currency": "gbp", "included_messages": money["included_messages"],
                        "extra_message_tokens": money["extra_message_tokens"],
                        "tip_presets_tokens": list(TIP_PRESETS_TOKENS),
                        "tokens_per_gbp": TOKENS_PER_GBP},
            "published_at": row["published_at"]}


def _full(row: dict[str, Any]) -> dict[str, Any]:
    return {"id": row["persona_id"], "creator_id": row["creator_id"], "review": row["review"],
            "published": bool(row["published"]), "visible": bool(row["visible"]),
            "draft": json.loads(row["draft"]),
            "live": json.loads(row["live"]) if row["live"] else None,
            "likeness": json.loads(row["likeness"]), "review_reason": row["review_reason"],
            "model_opinion": json.loads(row["model_opinion"]) if row["model_opinion"] else None,
            "review_findings": json.loads(row["review_findings"]),
            "second_review": json.loads(row["second_review"]) if row["second_review"] else None,
            "first_approver": row["first_approver"],
            "created_at": row["created_at"], "submitted_at": row["submitted_at"]}
