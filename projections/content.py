"""The content library as creators and fans browse it: library items, posts (a persona's feed),
and which offers open which items."""

import json
from typing import Any

from eventsourcing.dispatch import singledispatchmethod

from domain.aggregates.media_item import MediaItem
from domain.aggregates.post import Post
from domain.aggregates.ppv_offer import PpvOffer
from projections.base import Projection
from projections.db import Tx


class ContentProjection(Projection):
    name = "content"
    version = 2  # 2: items' status (a video is prepared after its upload) and derived files
    tables = ("rm_media_items", "rm_media_files", "rm_posts", "rm_ppv_offer_items")
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

    @singledispatchmethod
    def process(self, event: Any, tx: Tx, position: int) -> None:
        pass

    @process.register
    def _(self, event: MediaItem.Uploaded, tx: Tx, position: int) -> None:
        tx.execute(
            "INSERT INTO rm_media_items (item_id, creator_id, persona_id, sha256, kind, "
            "content_type, size_bytes, tier, title, uploaded_at, status) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            (str(event.originator_id), event.creator_id, event.persona_id, event.sha256,
             event.kind, event.content_type, event.size_bytes, event.tier, event.title,
             event.at.isoformat(), "processing" if event.processing else "ready"))

    @process.register
    def _(self, event: MediaItem.VideoPrepared, tx: Tx, position: int) -> None:
        full = event.renditions["full"]
        tx.execute("UPDATE rm_media_items SET status = 'ready', content_type = %s, "
                   "size_bytes = %s WHERE item_id = %s",
                   (str(full[1]), int(str(full[4])), str(event.originator_id)))
        self._files(tx, event.originator_id, event.renditions)

    @process.register
    def _(self, event: MediaItem.ProcessingFailed, tx: Tx, position: int) -> None:
        tx.execute("UPDATE rm_media_items SET status = 'failed', failure_reason = %s "
                   "WHERE item_id = %s", (event.reason, str(event.originator_id)))

    @staticmethod
    def _files(tx: Tx, item_id: object, renditions: dict[str, list[object]]) -> None:
        for role, made in renditions.items():
            tx.execute("INSERT INTO rm_media_files (item_id, role, sha256) VALUES (%s, %s, %s)",
                       (str(item_id), role, str(made[0])))

    @process.register
    def _(self, event: MediaItem.RenditionsStored, tx: Tx, position: int) -> None:
        self._files(tx, event.originator_id, event.renditions)

    @process.register
    def _(self, event: MediaItem.TierChanged, tx: Tx, position: int) -> None:
        tx.execute("UPDATE rm_media_items SET tier = %s WHERE item_id = %s",
                   (event.tier, str(event.originator_id)))

    @process.register
    def _(self, event: MediaItem.TakenDown, tx: Tx, position: int) -> None:
        tx.execute("UPDATE rm_media_items SET taken_down = 1, takedown_reason = %s "
                   "WHERE item_id = %s", (event.reason, str(event.originator_id)))

    @process.register
    def _(self, event: Post.Published, tx: Tx, position: int) -> None:
        tx.execute("INSERT INTO rm_posts (post_id, creator_id, persona_id, caption, item_ids, "
                   "published_at) VALUES (%s, %s, %s, %s, %s, %s)",
                   (str(event.originator_id), event.creator_id, event.persona_id, event.caption,
                    json.dumps(list(event.item_ids)), event.at.isoformat()))

    @process.register
    def _(self, event: Post.TakenDown, tx: Tx, position: int) -> None:
        tx.execute("UPDATE rm_posts SET taken_down = 1 WHERE post_id = %s",
                   (str(event.originator_id),))

    @process.register
    def _(self, event: PpvOffer.Created, tx: Tx, position: int) -> None:
        for item_id in event.item_ids:
            tx.execute("INSERT INTO rm_ppv_offer_items (offer_id, item_id) VALUES (%s, %s)",
                       (str(event.originator_id), item_id))


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
