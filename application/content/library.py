"""The content library: creators upload images and short videos to their personas, group them in
posts (the persona's feed) and sell PPV-tier items through offers; fans see what their tier lets
them, through short-lived signed URLs.

An upload is checked in full (owner, tier, title, type from the bytes, size; an image decoded
and re-encoded from its pixels, so no EXIF, GPS or XMP is ever served; a video probed for a
playable stream and its length) before a byte is stored, so a refused upload leaves nothing
behind. A video is then prepared after the request (application/content/videos.py) and served
only once it is. Bytes are stored content-addressed (SHA-256)
before the item is recorded: a crash between the two leaves an unreferenced file, never an item
without its bytes.
"""

import hashlib
import io
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO
from uuid import UUID, uuid4

from adapters.eventstore.ledger import Ledger
from application.clock import Clock
from application.content.media_types import SNIFF_BYTES, sniff
from application.content.signed_urls import MediaUrlSigner
from application.personas import Personas
from application.ports import ImageProcessor, MediaStore, VideoInfo, VideoProcessor
from application.subscriptions.service import Subscriptions
from domain.aggregates.media_item import (
    ORIGINAL,
    PROCESSING,
    READY,
    TEASER,
    MediaItem,
    checked_tier,
)
from domain.aggregates.post import Post
from domain.aggregates.ppv_offer import InvalidOfferError
from domain.aggregates.unlock import Unlock, standing_unlock_id
from domain.errors import DomainError
from domain.visibility import PPV, SUBSCRIBERS, Viewer, may_view

CHUNK_BYTES = 256 * 1024


class MediaTooLargeError(DomainError):
    code = "media_too_large"


class UnknownMediaError(DomainError):
    code = "unknown_media"


class MediaLockedError(DomainError):
    code = "media_locked"


class UnknownPostError(DomainError):
    code = "unknown_post"


class VideoTooLongError(DomainError):
    code = "video_too_long"


class MediaNotReadyError(DomainError):
    code = "media_not_ready"


@dataclass(frozen=True)
class MediaLimits:
    image_bytes: int
    video_bytes: int
    video_seconds: int = 600


@dataclass(frozen=True)
class Served:
    """What a signed link opens: the bytes, or where the store serves them from."""

    content_type: str
    chunks: Iterator[bytes] | None = None
    redirect: str | None = None


def serve(store: MediaStore, sha256: str, content_type: str) -> Served | None:
    link = store.link(sha256, content_type)
    if link:
        return Served(content_type, redirect=link)
    chunks = store.read(sha256)
    return Served(content_type, chunks) if chunks is not None else None


@dataclass(frozen=True)
class SignedUrl:
    path: str
    expires_at: int


class ContentLibrary:
    def __init__(self, ledger: Ledger, clock: Clock, personas: Personas,
                 subscriptions: Subscriptions, store: MediaStore, signer: MediaUrlSigner,
                 offers_opening: Any, limits: MediaLimits, images: ImageProcessor,
                 videos: VideoProcessor, prepare_later: Callable[[UUID], object]) -> None:
        self._ledger = ledger
        self._clock = clock
        self._personas = personas
        self._subscriptions = subscriptions
        self._store = store
        self._signer = signer
        self._offers_opening = offers_opening  # item id -> offer ids (a read model)
        self.limits = limits
        self._images = images
        self._videos = videos
        self._prepare_later = prepare_later  # a video is prepared after the request

    # -- creators ---------------------------------------------------------------------------

    def upload(self, creator_id: str, persona_id: UUID, source: BinaryIO, tier: str,
               title: str) -> MediaItem:
        self._personas.owned(creator_id, persona_id)
        checked_tier(tier)
        if title.strip():
            self._personas.refuse_blocked_text({"title": title})
        media_type = sniff(source.read(SNIFF_BYTES))
        limit = self.limits.image_bytes if media_type.kind == "image" else self.limits.video_bytes
        source.seek(0)
        digest, size = hashlib.sha256(), 0
        for chunk in _chunks(source):
            size += len(chunk)
            if size > limit:
                raise MediaTooLargeError(f"{media_type.kind}s are limited to {limit:,} bytes")
            digest.update(chunk)
        source.seek(0)
        now = self._clock()
        stored: dict[str, bytes] = {}  # hash -> bytes, written before the item is recorded
        renditions: dict[str, list[object]] = {}
        if media_type.kind == "image":  # fans only ever get the re-encoded pixels
            original = source.read()
            processed = self._images.process(original, media_type.content_type)
            renditions[ORIGINAL] = [digest.hexdigest(), media_type.content_type,
                                    processed.width, processed.height, len(original)]
            stored[digest.hexdigest()] = original
            for name, made in processed.renditions.items():
                sha256 = hashlib.sha256(made.data).hexdigest()
                renditions[name] = [sha256, made.content_type, made.width, made.height,
                                    len(made.data)]
                stored[sha256] = made.data
            source = io.BytesIO(processed.data)
            digest, size = hashlib.sha256(processed.data), len(processed.data)
        else:  # a video: checked now, in a fraction of a second; prepared after the request
            info = self._probed(source)
            renditions[ORIGINAL] = [digest.hexdigest(), media_type.content_type, info.width,
                                    info.height, size]
        item = MediaItem.upload(item_id=uuid4(), creator_id=creator_id,
                                persona_id=str(persona_id), sha256=digest.hexdigest(),
                                kind=media_type.kind, content_type=media_type.content_type,
                                size_bytes=size, tier=tier, title=title, at=now,
                                processing=media_type.kind == "video")
        if renditions:
            item.store_renditions(renditions, now)
        self._store.put(item.sha256, _chunks(source))
        for sha256, data in stored.items():
            self._store.put(sha256, iter([data]))
        self._ledger.save(item)
        if item.kind == "video":
            self._prepare_later(item.id)
        return item

    def _probed(self, source: BinaryIO) -> VideoInfo:
        """What the upload is, from a copy ffprobe can read; refused if too long."""
        with tempfile.NamedTemporaryFile(suffix=".video") as copy:
            shutil.copyfileobj(source, copy, CHUNK_BYTES)
            copy.flush()
            info = self._videos.probe(copy.name)
        source.seek(0)
        if info.duration_s > self.limits.video_seconds:
            raise VideoTooLongError(f"the video is {info.duration_s:.0f} s long: at most "
                                    f"{self.limits.video_seconds} s")
        return info

    def original(self, creator_id: str, item_id: UUID) -> tuple[str, Iterator[bytes]]:
        """The bytes as the creator uploaded them (metadata and all): theirs alone."""
        item = self._own_item(creator_id, item_id)
        kept = item.renditions.get(ORIGINAL)
        sha256, content_type = (str(kept[0]), str(kept[1])) if kept else (item.sha256,
                                                                           item.content_type)
        chunks = self._store.read(sha256)
        if chunks is None:
            raise UnknownMediaError(f"no media {item_id}")
        return content_type, chunks

    def change_tier(self, creator_id: str, item_id: UUID, tier: str) -> MediaItem:
        item = self._own_item(creator_id, item_id)
        if item.change_tier(tier, self._clock()):
            self._ledger.save(item)
        return item

    def publish_post(self, creator_id: str, persona_id: UUID, caption: str,
                     item_ids: list[UUID]) -> Post:
        self._personas.owned(creator_id, persona_id)
        for item_id in item_ids:
            item = self._own_item(creator_id, item_id)
            if item.persona_id != str(persona_id) or item.taken_down:
                raise UnknownMediaError(f"item {item_id} is not in this persona's library")
        if caption.strip():
            self._personas.refuse_blocked_text({"caption": caption})
        post = Post.publish(post_id=uuid4(), creator_id=creator_id, persona_id=str(persona_id),
                            caption=caption, item_ids=[str(i) for i in item_ids],
                            at=self._clock())
        self._ledger.save(post)
        return post

    def items_for_offer(self, creator_id: str, persona_id: UUID,
                        item_ids: list[UUID]) -> list[str]:
        """The PPV-tier items of this persona an offer may open."""
        for item_id in item_ids:
            item = self._ledger.get_or_none(item_id)
            if not isinstance(item, MediaItem) or item.creator_id != creator_id or \
                    item.persona_id != str(persona_id) or item.taken_down:
                raise UnknownMediaError(f"item {item_id} is not in this persona's library")
            if item.tier != PPV:
                raise InvalidOfferError(f"item {item_id} is not a pay-per-view item")
        return [str(i) for i in item_ids]

    # -- staff ------------------------------------------------------------------------------

    def take_down(self, actor: str, item_id: UUID, reason: str) -> MediaItem:
        item = self._item(item_id)
        if item.take_down(actor, reason, self._clock()):
            self._ledger.save(item)
        return item

    def take_down_post(self, actor: str, post_id: UUID, reason: str) -> Post:
        post = self._ledger.get_or_none(post_id)
        if not isinstance(post, Post):
            raise UnknownPostError(f"no post {post_id}")
        if post.take_down(actor, reason, self._clock()):
            self._ledger.save(post)
        return post

    # -- viewers ----------------------------------------------------------------------------

    def viewer(self, viewer_id: str | None, is_staff: bool, item: MediaItem,
               subscribed: dict[str, bool] | None = None) -> Viewer:
        """How a viewer stands to one item; only what its tier needs is looked up (and a
        persona's subscription once, when the caller passes a dict to remember it in)."""
        if viewer_id is None:
            return Viewer()
        known = subscribed if subscribed is not None else {}
        if item.tier == SUBSCRIBERS and item.persona_id not in known:
            known[item.persona_id] = self._subscriptions.access(
                viewer_id, item.persona_id).subscribed
        unlocked = item.tier == PPV and self._unlocked(viewer_id, str(item.id))
        return Viewer(is_owner=viewer_id == item.creator_id, is_staff=is_staff,
                      subscribed=known.get(item.persona_id, False), unlocked=unlocked)

    def shown(self, viewer_id: str | None, is_staff: bool,
              item_ids: list[str]) -> dict[str, dict[str, Any]]:
        """Feed items as this viewer sees them: a signed link, or locked with what would open
        it (the offers including a PPV item). Items are read in one query."""
        items = self._ledger.get_many([UUID(i) for i in item_ids])
        subscribed: dict[str, bool] = {}
        out: dict[str, dict[str, Any]] = {}
        for item in items.values():
            if not isinstance(item, MediaItem) or item.status != READY:
                continue  # a video being prepared (or that failed) is shown to no one
            shown = {"item_id": str(item.id), "kind": item.kind, "tier": item.tier,
                     "title": item.title}
            viewer = self.viewer(viewer_id, is_staff, item, subscribed)
            if may_view(item.tier, item.taken_down, viewer):
                url = self.url_for(item)
                sized = {f"{size}_url": self.url_for(item, size).path
                         for size in ("thumb", "preview", "poster") if item.rendition(size)}
                out[str(item.id)] = {**shown, "locked": False, "url": url.path,
                                     "expires_at": url.expires_at, **sized}
            else:
                opened_by = self._offers_opening(str(item.id)) if item.tier == PPV else []
                teaser = {"teaser_url": self.url_for(item, TEASER).path} \
                    if item.rendition(TEASER) and not item.taken_down else {}
                out[str(item.id)] = {**shown, "locked": True, "unlock_offer_ids": opened_by,
                                     **teaser}
        return out

    def signed_url(self, viewer_id: str | None, is_staff: bool, item_id: UUID,
                   size: str = "full") -> SignedUrl:
        """A link to one size of the item: the teaser for anyone it is listed to, every other
        size only for whoever may see the item."""
        item = self._item(item_id)
        if item.status == PROCESSING:
            raise MediaNotReadyError("this video is still being prepared")
        if item.taken_down or item.rendition(size) is None:
            raise UnknownMediaError(f"no media {item_id} in size {size}")
        if size != TEASER and not may_view(item.tier, item.taken_down,
                                           self.viewer(viewer_id, is_staff, item)):
            raise MediaLockedError(f"this item is for {item.tier} only")
        return self.url_for(item, size)

    def url_for(self, item: MediaItem, size: str = "full") -> SignedUrl:
        expires, signature = self._signer.sign(_subject(item.id, size), self._clock())
        sized = "" if size == "full" else f"&size={size}"
        return SignedUrl(f"/media/{item.id}?expires={expires}&signature={signature}{sized}",
                         expires)

    def open_signed(self, item_id: UUID, expires: int, signature: str,
                    size: str = "full") -> Served:
        """The bytes behind a signed URL (or the store's own link to them), while it is valid
        and the item is still up. The signature covers the size: a teaser's link never opens
        the picture."""
        if not self._signer.valid(_subject(item_id, size), expires, signature, self._clock()):
            raise MediaLockedError("this media link is invalid or has expired")
        item = self._item(item_id)
        found = None if item.taken_down else item.rendition(size)
        served = serve(self._store, *found) if found else None
        if served is None:
            raise UnknownMediaError(f"no media {item_id}")
        return served

    def _unlocked(self, fan_id: str, item_id: str) -> bool:
        offers = self._offers_opening(item_id)
        known: dict[UUID, Any] = {}
        while wanted := {standing_unlock_id(fan_id, o, known.get) for o in offers} - set(known):
            known.update(dict.fromkeys(wanted))
            known.update(self._ledger.get_many(wanted))
        return any(isinstance(u, Unlock) and u.is_entitled for u in known.values())

    def _item(self, item_id: UUID) -> MediaItem:
        item = self._ledger.get_or_none(item_id)
        if not isinstance(item, MediaItem):
            raise UnknownMediaError(f"no media {item_id}")
        return item

    def _own_item(self, creator_id: str, item_id: UUID) -> MediaItem:
        item = self._item(item_id)
        if item.creator_id != creator_id:
            raise UnknownMediaError(f"no media {item_id} of yours")
        return item


def _subject(item_id: UUID, size: str) -> str:
    return str(item_id) if size == "full" else f"{item_id}/{size}"


def _chunks(source: BinaryIO) -> Iterator[bytes]:
    while chunk := source.read(CHUNK_BYTES):
        yield chunk
