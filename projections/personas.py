"""Personas for the creator's list, the admin review queue and fans' discovery.

Discovery shows a persona when it is published, has an approved live version, and its creator is
approved and not suspended; a suspension hides every persona of that creator until reinstatement.
"""

import json
from typing import Any

from eventsourcing.dispatch import singledispatchmethod

from domain.aggregates.creator import Creator
from domain.aggregates.persona import Persona
from domain.aggregates.tag_vocabulary import TagVocabulary
from projections.base import Projection
from projections.db import Tx


class PersonasProjection(Projection):
    name = "personas"
    version = 3  # 2: the model's second opinion; 3: review findings and the second review
    tables = ("rm_personas", "rm_persona_tags", "rm_persona_creators", "rm_tags")
    ddl = (
        """CREATE TABLE IF NOT EXISTS rm_personas (
            persona_id TEXT PRIMARY KEY,
            creator_id TEXT NOT NULL,
            review TEXT NOT NULL,
            published INTEGER NOT NULL DEFAULT 0,
            draft TEXT NOT NULL,
            live TEXT,
            likeness TEXT NOT NULL DEFAULT '[]',
            model_opinion TEXT,
            review_findings TEXT NOT NULL DEFAULT '[]',
            second_review TEXT,
            first_approver TEXT,
            review_reason TEXT,
            name TEXT,
            primary_category TEXT,
            search_text TEXT,
            visible INTEGER NOT NULL DEFAULT 0,
            created_at TEXT NOT NULL,
            submitted_at TEXT,
            published_at TEXT,
            updated_at TEXT NOT NULL)""",
        "CREATE INDEX IF NOT EXISTS rm_personas_creator ON rm_personas (creator_id)",
        "CREATE INDEX IF NOT EXISTS rm_personas_review ON rm_personas (review, submitted_at)",
        "CREATE INDEX IF NOT EXISTS rm_personas_visible ON rm_personas (visible, published_at)",
        """CREATE TABLE IF NOT EXISTS rm_persona_tags (
            persona_id TEXT NOT NULL, tag TEXT NOT NULL, PRIMARY KEY (persona_id, tag))""",
        "CREATE INDEX IF NOT EXISTS rm_persona_tags_tag ON rm_persona_tags (tag)",
        """CREATE TABLE IF NOT EXISTS rm_persona_creators (
            stream_id TEXT PRIMARY KEY, creator_id TEXT NOT NULL, approved INTEGER NOT NULL,
            suspended INTEGER NOT NULL)""",
        """CREATE TABLE IF NOT EXISTS rm_tags (
            slug TEXT PRIMARY KEY, label TEXT NOT NULL, kind TEXT NOT NULL,
            active INTEGER NOT NULL)""",
    )

    @singledispatchmethod
    def process(self, event: Any, tx: Tx, position: int) -> None:
        pass

    @process.register
    def _(self, event: Persona.Drafted, tx: Tx, position: int) -> None:
        at = event.at.isoformat()
        tx.execute("INSERT INTO rm_personas (persona_id, creator_id, review, draft, created_at, "
                   "updated_at) VALUES (%s, %s, 'draft', %s, %s, %s)",
                   (str(event.originator_id), event.creator_user_id, json.dumps(event.profile),
                    at, at))

    @process.register
    def _(self, event: Persona.Edited, tx: Tx, position: int) -> None:
        self._set(tx, event, "review = 'draft', draft = %s", (json.dumps(event.profile),))

    @process.register
    def _(self, event: Persona.Submitted, tx: Tx, position: int) -> None:
        self._set(tx, event, "review = 'submitted', likeness = %s, submitted_at = %s, "
                  "review_findings = '[]', second_review = NULL, first_approver = NULL",
                  (json.dumps(event.likeness), event.at.isoformat()))

    @process.register
    def _(self, event: Persona.SafetyFindingsRecorded, tx: Tx, position: int) -> None:
        self._set(tx, event, "review_findings = %s", (json.dumps(event.findings),))

    @process.register
    def _(self, event: Persona.SecondReviewRequired, tx: Tx, position: int) -> None:
        self._set(tx, event, "second_review = %s", (json.dumps(event.why),))

    @process.register
    def _(self, event: Persona.FirstApprovalGiven, tx: Tx, position: int) -> None:
        self._set(tx, event, "first_approver = %s", (event.actor,))

    @process.register
    def _(self, event: Persona.Approved, tx: Tx, position: int) -> None:
        row = tx.one("SELECT draft FROM rm_personas WHERE persona_id = %s",
                     (str(event.originator_id),))
        live = json.loads(row["draft"]) if row else {}
        search = " ".join([live.get("name", ""), live.get("primary_category", ""),
                           *live.get("tags", []), *live.get("persona", {}).get("interests", []),
                           *live.get("persona", {}).get("traits", [])]).lower()
        self._set(tx, event, "review = 'approved', live = %s, review_reason = %s, name = %s, "
                  "primary_category = %s, search_text = %s",
                  (json.dumps(live), event.reason, live.get("name"), live.get("primary_category"),
                   search))
        tx.execute("DELETE FROM rm_persona_tags WHERE persona_id = %s", (str(event.originator_id),))
        for tag in live.get("tags", []):
            tx.execute("INSERT INTO rm_persona_tags VALUES (%s, %s)", (str(event.originator_id), tag))
        self._refresh(tx, persona_id=str(event.originator_id))

    @process.register
    def _(self, event: Persona.SecondOpinionRecorded, tx: Tx, position: int) -> None:
        self._set(tx, event, "model_opinion = %s", (json.dumps(event.opinion),))

    @process.register
    def _(self, event: Persona.Rejected, tx: Tx, position: int) -> None:
        self._set(tx, event, "review = 'rejected', review_reason = %s, first_approver = NULL",
                  (event.reason,))

    @process.register
    def _(self, event: Persona.Published, tx: Tx, position: int) -> None:
        self._set(tx, event, "published = 1, published_at = %s", (event.at.isoformat(),))
        self._refresh(tx, persona_id=str(event.originator_id))

    @process.register
    def _(self, event: Persona.Unpublished, tx: Tx, position: int) -> None:
        self._set(tx, event, "published = 0", ())
        self._refresh(tx, persona_id=str(event.originator_id))

    @process.register
    def _(self, event: Creator.Started, tx: Tx, position: int) -> None:
        tx.execute("INSERT INTO rm_persona_creators VALUES (%s, %s, 0, 0)",
                   (str(event.originator_id), event.user_id))

    @process.register
    def _(self, event: Creator.Approved, tx: Tx, position: int) -> None:
        self._creator(tx, event, "approved = 1")

    @process.register
    def _(self, event: Creator.Rejected, tx: Tx, position: int) -> None:
        self._creator(tx, event, "approved = 0")

    @process.register
    def _(self, event: Creator.Suspended, tx: Tx, position: int) -> None:
        self._creator(tx, event, "suspended = 1")

    @process.register
    def _(self, event: Creator.Reinstated, tx: Tx, position: int) -> None:
        self._creator(tx, event, "suspended = 0")

    @process.register
    def _(self, event: TagVocabulary.TagAdded, tx: Tx, position: int) -> None:
        tx.execute("INSERT INTO rm_tags VALUES (%s, %s, %s, 1) ON CONFLICT (slug) DO UPDATE SET "
                   "label = excluded.label, kind = excluded.kind, active = 1",
                   (event.slug, event.label, event.kind))

    @process.register
    def _(self, event: TagVocabulary.TagRetired, tx: Tx, position: int) -> None:
        tx.execute("UPDATE rm_tags SET active = 0 WHERE slug = %s", (event.slug,))

    @staticmethod
    def _set(tx: Tx, event: Any, assignments: str, params: tuple[Any, ...]) -> None:
        tx.execute(f"UPDATE rm_personas SET {assignments}, updated_at = %s WHERE persona_id = %s",
                   (*params, event.at.isoformat(), str(event.originator_id)))

    def _creator(self, tx: Tx, event: Any, assignment: str) -> None:
        tx.execute(f"UPDATE rm_persona_creators SET {assignment} WHERE stream_id = %s",
                   (str(event.originator_id),))
        row = tx.one("SELECT creator_id FROM rm_persona_creators WHERE stream_id = %s",
                     (str(event.originator_id),))
        if row:
            self._refresh(tx, creator_id=row["creator_id"])

    @staticmethod
    def _refresh(tx: Tx, persona_id: str | None = None, creator_id: str | None = None) -> None:
        where, key = ("p.persona_id = %s", persona_id) if persona_id else ("p.creator_id = %s",
                                                                           creator_id)
        tx.execute(
            "UPDATE rm_personas SET visible = CASE WHEN published = 1 AND live IS NOT NULL AND "
            "EXISTS (SELECT 1 FROM rm_persona_creators c WHERE c.creator_id = rm_personas.creator_id "
            "AND c.approved = 1 AND c.suspended = 0) THEN 1 ELSE 0 END "
            f"WHERE persona_id IN (SELECT p.persona_id FROM rm_personas p WHERE {where})", (key,))
