"""The controlled vocabulary of primary categories and secondary tags, managed by admins."""

import re
from datetime import datetime
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain import ids
from domain.errors import DomainError

PRIMARY = "primary"
SECONDARY = "secondary"
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")


class InvalidTagError(DomainError):
    code = "invalid_tag"


class TagVocabulary(Aggregate):
    """One stream: changes are rare, and a persona's tags are checked against all of it."""

    @staticmethod
    def create_id(**_: object) -> UUID:
        return uuid5(ids.TAGS, "vocabulary")

    class Opened(Aggregate.Created):
        opened_by: str

    @event(Opened)
    def __init__(self, opened_by: str) -> None:
        self.tags: dict[str, dict] = {}

    def add(self, slug: str, label: str, kind: str, actor: str, at: datetime) -> None:
        if not _SLUG.match(slug):
            raise InvalidTagError("slug must be lowercase letters, digits and dashes (1-40)")
        if kind not in (PRIMARY, SECONDARY):
            raise InvalidTagError("kind must be primary or secondary")
        if not 1 <= len(label.strip()) <= 40:
            raise InvalidTagError("label must be 1 to 40 characters")
        current = self.tags.get(slug)
        if current and current["active"] and (current["label"], current["kind"]) == (label, kind):
            return
        self._added(slug=slug, label=label.strip(), kind=kind, actor=actor, at=at)

    def retire(self, slug: str, actor: str, at: datetime) -> None:
        if slug not in self.tags:
            raise InvalidTagError(f"no tag {slug!r}")
        if self.tags[slug]["active"]:
            self._retired(slug=slug, actor=actor, at=at)

    def active(self, kind: str) -> set[str]:
        return {slug for slug, tag in self.tags.items() if tag["active"] and tag["kind"] == kind}

    class TagAdded(Aggregate.Event):
        slug: str
        label: str
        kind: str
        actor: str
        at: datetime

    @event(TagAdded)
    def _added(self, slug: str, label: str, kind: str, actor: str, at: datetime) -> None:
        self.tags[slug] = {"label": label, "kind": kind, "active": True}

    class TagRetired(Aggregate.Event):
        slug: str
        actor: str
        at: datetime

    @event(TagRetired)
    def _retired(self, slug: str, actor: str, at: datetime) -> None:
        self.tags[slug]["active"] = False
