"""The content library as creators and fans browse it: library items, posts (a persona's feed),
and which offers open which items."""

import json
from collections.abc import Iterable
from typing import Any

from domain.aggregates.media_item import MediaItem
from domain.aggregates.post import Post
from domain.aggregates.ppv_offer import PpvOffer
from projections.fold import KEYED, LOG, Fold, State, Table, on

ITEMS = Table("rm_media_items", KEYED, ("item_id",), (
    "item_id", "creator_id", "persona_id", "sha256", "kind", "content_type", "size_bytes",
    "tier", "title", "taken_down", "takedown_reason", "uploaded_at", "status",
    "failure_reason"), {"taken_down": 0, "status": "ready"})
FILES = Table("rm_media_files", LOG, ("item_id", "role"), ("item_id", "role", "sha256"))
POSTS = Table("rm_posts", KEYED, ("post_id",), (
    "post_id", "creator_id", "persona_id", "caption", "item_ids", "taken_down",
    "published_at"), {"taken_down": 0})
OFFER_ITEMS = Table("rm_ppv_offer_items", LOG, ("item_id", "offer_id"), ("offer_id", "item_id"))


class ContentProjection(Fold):
    name = "content"
    version = 2  # 2: items' status (a video is prepared after its upload) and derived files
    reader_indexes = ("rm_posts_creator",)
    ddl = (
        """CREATE TABLE IF NOT EXISTS rm_media_items (
            item_id TEXT PRIMARY KEY,
            creator_id TEXT NOT NULL,
            persona_id TEXT NOT NULL,
            sha256 TEXT NOT NULL,
            kind TEXT NOT NULL,
            content_type TEXT NOT NULL,
            size_bytes BIGINT NOT NULL,
            tier TEXT NOT NULL,
            title TEXT NOT NULL,
            taken_down INTEGER NOT NULL DEFAULT 0,
            takedown_reason TEXT,
            uploaded_at TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'ready',
            failure_reason TEXT)""",
        "CREATE INDEX IF NOT EXISTS rm_media_items_status ON rm_media_items (status)",
        "CREATE INDEX IF NOT EXISTS rm_media_items_persona ON rm_media_items (persona_id)",
        "CREATE INDEX IF NOT EXISTS rm_media_items_creator ON rm_media_items (creator_id)",
        """CREATE TABLE IF NOT EXISTS rm_media_files (
            item_id TEXT NOT NULL,
            role TEXT NOT NULL,
            sha256 TEXT NOT NULL,
            PRIMARY KEY (item_id, role))""",
        """CREATE TABLE IF NOT EXISTS rm_posts (
            post_id TEXT PRIMARY KEY,
            creator_id TEXT NOT NULL,
            persona_id TEXT NOT NULL,
            caption TEXT NOT NULL,
            item_ids TEXT NOT NULL,
            taken_down INTEGER NOT NULL DEFAULT 0,
            published_at TEXT NOT NULL)""",
        "CREATE INDEX IF NOT EXISTS rm_posts_persona ON rm_posts (persona_id, published_at)",
        "CREATE INDEX IF NOT EXISTS rm_posts_creator ON rm_posts (creator_id, published_at)",
        """CREATE TABLE IF NOT EXISTS rm_ppv_offer_items (
            offer_id TEXT NOT NULL,
            item_id TEXT NOT NULL,
            PRIMARY KEY (item_id, offer_id))""",
    )

    schema = (ITEMS, FILES, POSTS, OFFER_ITEMS)

    def touches(self, cls: type, event: Any) -> Iterable[tuple[Table, Any]]:
        if cls in _ITEM_CHANGES:
            yield ITEMS, str(event.originator_id)
        elif cls is Post.TakenDown:
            yield POSTS, str(event.originator_id)

    @on(MediaItem.Uploaded)
    def _uploaded(self, event: Any, position: int, s: State) -> None:
        s[ITEMS].put(ITEMS.new(
            item_id=str(event.originator_id), creator_id=event.creator_id,
            persona_id=event.persona_id, sha256=event.sha256, kind=event.kind,
            content_type=event.content_type, size_bytes=event.size_bytes, tier=event.tier,
            title=event.title, uploaded_at=event.at.isoformat(),
            status="processing" if event.processing else "ready"))

    @on(MediaItem.VideoPrepared)
    def _video_prepared(self, event: Any, position: int, s: State) -> None:
        full = event.renditions["full"]
        s[ITEMS].update(str(event.originator_id), status="ready", content_type=str(full[1]),
                        size_bytes=int(str(full[4])))
        _files(s, event)

    @on(MediaItem.ProcessingFailed)
    def _processing_failed(self, event: Any, position: int, s: State) -> None:
        s[ITEMS].update(str(event.originator_id), status="failed", failure_reason=event.reason)

    @on(MediaItem.RenditionsStored)
    def _renditions(self, event: Any, position: int, s: State) -> None:
        _files(s, event)

    @on(MediaItem.TierChanged)
    def _tier(self, event: Any, position: int, s: State) -> None:
        s[ITEMS].update(str(event.originator_id), tier=event.tier)

    @on(MediaItem.TakenDown)
    def _item_taken_down(self, event: Any, position: int, s: State) -> None:
        s[ITEMS].update(str(event.originator_id), taken_down=1, takedown_reason=event.reason)

    @on(Post.Published)
    def _post(self, event: Any, position: int, s: State) -> None:
        s[POSTS].put(POSTS.new(
            post_id=str(event.originator_id), creator_id=event.creator_id,
            persona_id=event.persona_id, caption=event.caption,
            item_ids=json.dumps(list(event.item_ids)), published_at=event.at.isoformat()))

    @on(Post.TakenDown)
    def _post_taken_down(self, event: Any, position: int, s: State) -> None:
        s[POSTS].update(str(event.originator_id), taken_down=1)

    @on(PpvOffer.Created)
    def _offer(self, event: Any, position: int, s: State) -> None:
        for item_id in event.item_ids:
            s[OFFER_ITEMS].append({"offer_id": str(event.originator_id), "item_id": item_id})


_ITEM_CHANGES = frozenset((MediaItem.VideoPrepared, MediaItem.ProcessingFailed,
                           MediaItem.TierChanged, MediaItem.TakenDown))


def _files(s: State, event: Any) -> None:
    for role, made in event.renditions.items():
        s[FILES].append({"item_id": str(event.originator_id), "role": role,
                         "sha256": str(made[0])})


class ContentQueries:
    _ITEM = ("item_id, creator_id, persona_id, kind, content_type, size_bytes, tier, title, "
             "taken_down, takedown_reason, uploaded_at, status, failure_reason")

    def __init__(self, db: Any) -> None:
        self._db = db

    def creator_items(self, creator_id: str, persona_id: str | None = None) -> list[dict[str, Any]]:
        where, params = "creator_id = %s", [creator_id]
        if persona_id:
            where += " AND persona_id = %s"
            params.append(persona_id)
        return self._db.query(  # type: ignore[no-any-return]
            f"SELECT {self._ITEM} FROM rm_media_items WHERE {where} ORDER BY uploaded_at DESC",
            tuple(params))

    def stored_hashes(self) -> set[str]:
        """Every item's bytes and derived sizes, taken down or not (what a media sweep must
        keep); a video that failed to be prepared keeps none, so the sweep frees them."""
        return {str(r["sha256"]) for r in self._db.query(
            "SELECT sha256 FROM rm_media_items WHERE status <> 'failed' UNION "
            "SELECT f.sha256 FROM rm_media_files f JOIN rm_media_items i "
            "ON i.item_id = f.item_id WHERE i.status <> 'failed'")}

    def processing_items(self) -> list[str]:
        """Videos still waiting to be prepared, oldest first."""
        return [str(r["item_id"]) for r in self._db.query(
            "SELECT item_id FROM rm_media_items WHERE status = 'processing' "
            "ORDER BY uploaded_at")]

    def creator_posts(self, creator_id: str) -> list[dict[str, Any]]:
        """Every post of the creator's, taken down or not, newest first (for staff)."""
        return self._db.query(  # type: ignore[no-any-return]
            "SELECT post_id, persona_id, caption, taken_down, published_at FROM rm_posts "
            "WHERE creator_id = %s ORDER BY published_at DESC", (creator_id,))

    def feed(self, persona_id: str, limit: int, before: str | None) -> list[dict[str, Any]]:
        """A persona's posts, newest first, each with its items (in the post's order)."""
        where, params = "persona_id = %s AND taken_down = 0", [persona_id]
        if before:
            where += " AND published_at < %s"
            params.append(before)
        posts = self._db.query(
            f"SELECT post_id, caption, item_ids, published_at FROM rm_posts WHERE {where} "
            "ORDER BY published_at DESC LIMIT %s", (*params, limit))
        wanted = sorted({i for p in posts for i in json.loads(p["item_ids"])})
        items: dict[str, dict[str, Any]] = {}
        if wanted:
            marks = ", ".join(["%s"] * len(wanted))
            rows = self._db.query(f"SELECT {self._ITEM} FROM rm_media_items "
                                  f"WHERE item_id IN ({marks})", tuple(wanted))
            items = {str(r["item_id"]): r for r in rows}
        return [{"post_id": p["post_id"], "caption": p["caption"],
                 "published_at": p["published_at"],
                 "items": [items[i] for i in json.loads(p["item_ids"]) if i in items]}
                for p in posts]

    def offers_opening(self, item_id: str) -> list[str]:
        rows = self._db.query("SELECT offer_id FROM rm_ppv_offer_items WHERE item_id = %s",
                              (item_id,))
        return [str(r["offer_id"]) for r in rows]
