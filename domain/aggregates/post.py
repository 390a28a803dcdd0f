"""A post on a persona's feed: a caption and the library items it shows, in order.

Each item keeps its own tier, so one post can show a public preview next to subscriber or PPV
items that stay locked for whoever may not see them.
"""

from datetime import datetime
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.errors import DomainError

CAPTION_MAX = 2_000
ITEMS_MAX = 20


class InvalidPostError(DomainError):
    code = "invalid_post"


class Post(Aggregate):
    class Published(Aggregate.Created):
        creator_id: str
        persona_id: str
        caption: str
        item_ids: list[str]
        at: datetime

    @event(Published)
    def __init__(self, creator_id: str, persona_id: str, caption: str, item_ids: list[str],
                 at: datetime) -> None:
        self.creator_id = creator_id
        self.persona_id = persona_id
        self.caption = caption
        self.item_ids = list(item_ids)
        self.published_at = at
        self.taken_down = False

    @classmethod
    def publish(cls, *, post_id: UUID, creator_id: str, persona_id: str, caption: str,
                item_ids: list[str], at: datetime) -> "Post":
        caption = caption.strip()
        if len(caption) > CAPTION_MAX:
            raise InvalidPostError(f"a caption has at most {CAPTION_MAX} characters")
        if not 1 <= len(item_ids) <= ITEMS_MAX or len(set(item_ids)) != len(item_ids):
            raise InvalidPostError(f"a post shows 1 to {ITEMS_MAX} different library items")
        return cls._create(cls.Published, id=post_id, creator_id=creator_id,
                           persona_id=persona_id, caption=caption, item_ids=list(item_ids), at=at)

    def take_down(self, actor: str, reason: str, at: datetime) -> bool:
        if self.taken_down:
            return False
        self._taken_down(actor=actor, reason=reason, at=at)
        return True

    class TakenDown(Aggregate.Event):
        actor: str
        reason: str
        at: datetime

    @event(TakenDown)
    def _taken_down(self, actor: str, reason: str, at: datetime) -> None:
        self.taken_down = True
