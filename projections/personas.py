"""Personas for the creator's list, the admin review queue and fans' discovery.

Discovery shows a persona when it is published, has an approved live version, and its creator is
approved and not suspended; a suspension hides every persona of that creator until reinstatement.
"""

import json
from collections.abc import Iterable
from typing import Any

from domain.aggregates.creator import Creator
from domain.aggregates.persona import Persona
from domain.aggregates.tag_vocabulary import TagVocabulary
from projections.fold import KEYED, Fold, Row, State, Table, on

PERSONAS = Table("rm_personas", KEYED, ("persona_id",), (
    "persona_id", "creator_id", "review", "published", "draft", "live", "likeness",
    "model_opinion", "review_findings", "second_review", "first_approver", "review_reason",
    "name", "primary_category", "search_text", "visible", "created_at", "submitted_at",
    "published_at", "updated_at"), {
        "published": 0, "likeness": "[]", "review_findings": "[]", "visible": 0})
PERSONA_TAGS = Table("rm_persona_tags", KEYED, ("persona_id", "tag"), ("persona_id", "tag"))
PERSONA_CREATORS = Table("rm_persona_creators", KEYED, ("stream_id",), (
    "stream_id", "creator_id", "approved", "suspended"))
TAGS = Table("rm_tags", KEYED, ("slug",), ("slug", "label", "kind", "active"))


class PersonasProjection(Fold):
    name = "personas"
    version = 3  # 2: the model's second opinion; 3: review findings and the second review
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

    schema = (PERSONAS, PERSONA_TAGS, PERSONA_CREATORS, TAGS)

    def touches(self, cls: type, event: Any) -> Iterable[tuple[Table, Any]]:
        if cls in _CREATOR_CHANGES:
            yield PERSONA_CREATORS, str(event.originator_id)
        elif cls is TagVocabulary.TagAdded or cls is TagVocabulary.TagRetired:
            yield TAGS, event.slug
        elif cls is not Persona.Drafted and cls is not Creator.Started:
            yield PERSONAS, str(event.originator_id)

    @on(Persona.Drafted)
    def _drafted(self, event: Any, position: int, s: State) -> None:
        at = event.at.isoformat()
        s[PERSONAS].put(PERSONAS.new(
            persona_id=str(event.originator_id), creator_id=event.creator_user_id,
            review="draft", draft=json.dumps(event.profile), created_at=at, updated_at=at))

    @on(Persona.Edited)
    def _edited(self, event: Any, position: int, s: State) -> None:
        _set(s, event, review="draft", draft=json.dumps(event.profile))

    @on(Persona.Submitted)
    def _submitted(self, event: Any, position: int, s: State) -> None:
        _set(s, event, review="submitted", likeness=json.dumps(event.likeness),
             submitted_at=event.at.isoformat(), review_findings="[]", second_review=None,
             first_approver=None)

    @on(Persona.SafetyFindingsRecorded)
    def _findings(self, event: Any, position: int, s: State) -> None:
        _set(s, event, review_findings=json.dumps(event.findings))

    @on(Persona.SecondReviewRequired)
    def _second_review(self, event: Any, position: int, s: State) -> None:
        _set(s, event, second_review=json.dumps(event.why))

    @on(Persona.FirstApprovalGiven)
    def _first_approval(self, event: Any, position: int, s: State) -> None:
        _set(s, event, first_approver=event.actor)

    @on(Persona.Approved)
    def _approved(self, event: Any, position: int, s: State) -> None:
        persona_id = str(event.originator_id)
        row = s[PERSONAS].get(persona_id)
        live = json.loads(row["draft"]) if row else {}
        search = " ".join([live.get("name", ""), live.get("primary_category", ""),
                           *live.get("tags", []), *live.get("persona", {}).get("interests", []),
                           *live.get("persona", {}).get("traits", [])]).lower()
        _set(s, event, review="approved", live=json.dumps(live), review_reason=event.reason,
             name=live.get("name"), primary_category=live.get("primary_category"),
             search_text=search)
        tags = s[PERSONA_TAGS]
        for old in tags.where("persona_id", persona_id):
            tags.delete(PERSONA_TAGS.key_of(old))
        for tag in live.get("tags", []):
            tags.put({"persona_id": persona_id, "tag": tag})
        _refresh(s, s[PERSONAS].get(persona_id))

    @on(Persona.SecondOpinionRecorded)
    def _second_opinion(self, event: Any, position: int, s: State) -> None:
        _set(s, event, model_opinion=json.dumps(event.opinion))

    @on(Persona.Rejected)
    def _rejected(self, event: Any, position: int, s: State) -> None:
        _set(s, event, review="rejected", review_reason=event.reason, first_approver=None)

    @on(Persona.Published)
    def _published(self, event: Any, position: int, s: State) -> None:
        _refresh(s, _set(s, event, published=1, published_at=event.at.isoformat()))

    @on(Persona.Unpublished)
    def _unpublished(self, event: Any, position: int, s: State) -> None:
        _refresh(s, _set(s, event, published=0))

    @on(Creator.Started)
    def _creator_started(self, event: Any, position: int, s: State) -> None:
        s[PERSONA_CREATORS].put({"stream_id": str(event.originator_id),
                                 "creator_id": event.user_id, "approved": 0, "suspended": 0})

    @on(Creator.Approved)
    def _creator_approved(self, event: Any, position: int, s: State) -> None:
        _creator(s, event, approved=1)

    @on(Creator.Rejected)
    def _creator_rejected(self, event: Any, position: int, s: State) -> None:
        _creator(s, event, approved=0)

    @on(Creator.Suspended)
    def _creator_suspended(self, event: Any, position: int, s: State) -> None:
        _creator(s, event, suspended=1)

    @on(Creator.Reinstated)
    def _creator_reinstated(self, event: Any, position: int, s: State) -> None:
        _creator(s, event, suspended=0)

    @on(TagVocabulary.TagAdded)
    def _tag_added(self, event: Any, position: int, s: State) -> None:
        s[TAGS].put({"slug": event.slug, "label": event.label, "kind": event.kind, "active": 1})

    @on(TagVocabulary.TagRetired)
    def _tag_retired(self, event: Any, position: int, s: State) -> None:
        s[TAGS].update(event.slug, active=0)


_CREATOR_CHANGES = frozenset((Creator.Approved, Creator.Rejected, Creator.Suspended,
                              Creator.Reinstated))


def _set(s: State, event: Any, **values: Any) -> Row | None:
    return s[PERSONAS].update(  # type: ignore[no-any-return]
        str(event.originator_id), **values, updated_at=event.at.isoformat())


def _creator(s: State, event: Any, **values: int) -> None:
    row = s[PERSONA_CREATORS].update(str(event.originator_id), **values)
    if row is not None:
        for persona in s[PERSONAS].where("creator_id", row["creator_id"]):
            _refresh(s, persona)


def _refresh(s: State, persona: Row | None) -> None:
    """Shown in discovery: published, with a live version, its creator approved and not
    suspended."""
    if persona is None:
        return
    creators = s[PERSONA_CREATORS].where("creator_id", persona["creator_id"])
    visible = int(persona["published"] == 1 and persona["live"] is not None and any(
        c["approved"] == 1 and c["suspended"] == 0 for c in creators))
    if visible != persona["visible"]:
        persona["visible"] = visible
        s[PERSONAS].put(persona)
