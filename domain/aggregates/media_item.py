"""An image or short video a creator uploaded to one of their personas' libraries.

The bytes live in a content-addressed store (by SHA-256); this stream records what they are,
whose, and who may see them (the tier). An image's derived sizes (thumbnail, preview, the
blurred teaser shown while it is locked) and the creator's private original are recorded with
it, each by its hash. A takedown after a report keeps the record (the ledger
is the audit log) and stops it being served.
"""

from datetime import datetime
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.errors import DomainError
from domain.visibility import TIERS

TITLE_MAX = 120
ORIGINAL = "original"  # the bytes as uploaded: the creator's own, never served to anyone else
TEASER = "teaser"
SIZES = ("full", "thumb", "preview", TEASER, "poster")  # what a signed link may name
PROCESSING, READY, FAILED = "processing", "ready", "failed"


class InvalidMediaError(DomainError):
    code = "invalid_media"


class MediaTakenDownError(DomainError):
    code = "media_taken_down"


def checked_tier(tier: str) -> str:
    if tier not in TIERS:
        raise InvalidMediaError(f"tier must be one of {', '.join(TIERS)}")
    return tier


class MediaItem(Aggregate):
    class Uploaded(Aggregate.Created):
        creator_id: str
        persona_id: str
        sha256: str
        kind: str  # image or video
        content_type: str
        size_bytes: int
        tier: str
        title: str
        at: datetime
        processing: bool = False  # a video: served once prepared (VideoPrepared)

    @event(Uploaded)
    def __init__(self, creator_id: str, persona_id: str, sha256: str, kind: str,
                 content_type: str, size_bytes: int, tier: str, title: str,
                 at: datetime, processing: bool = False) -> None:
        self.creator_id = creator_id
        self.persona_id = persona_id
        self.sha256 = sha256
        self.kind = kind
        self.content_type = content_type
        self.size_bytes = size_bytes
        self.tier = tier
        self.title = title
        self.uploaded_at = at
        self.taken_down = False
        self.takedown_reason: str | None = None
        self.renditions: dict[str, list[object]] = {}
        self.status = PROCESSING if processing else READY
        self.failure_reason: str | None = None
        self.duration_s: float | None = None

    @classmethod
    def upload(cls, *, item_id: UUID, creator_id: str, persona_id: str, sha256: str, kind: str,
               content_type: str, size_bytes: int, tier: str, title: str,
               at: datetime, processing: bool = False) -> "MediaItem":
        title = title.strip()
        if len(title) > TITLE_MAX:
            raise InvalidMediaError(f"a title has at most {TITLE_MAX} characters")
        return cls._create(cls.Uploaded, id=item_id, creator_id=creator_id,
                           persona_id=persona_id, sha256=sha256, kind=kind,
                           content_type=content_type, size_bytes=size_bytes,
                           tier=checked_tier(tier), title=title, at=at, processing=processing)

    def video_prepared(self, renditions: dict[str, list[object]], duration_s: float,
                       at: datetime) -> bool:
        """The prepared file (`full`) and its poster sizes; False if it was already decided."""
        if self.status != PROCESSING:
            return False
        self._video_prepared(renditions=renditions, duration_s=duration_s, at=at)
        return True

    def processing_failed(self, reason: str, at: datetime) -> bool:
        if self.status != PROCESSING:
            return False
        self._processing_failed(reason=reason[:300], at=at)
        return True

    class VideoPrepared(Aggregate.Event):
        renditions: dict[str, list[object]]
        duration_s: float
        at: datetime

    @event(VideoPrepared)
    def _video_prepared(self, renditions: dict[str, list[object]], duration_s: float,
                        at: datetime) -> None:
        self.renditions = {**self.renditions, **renditions}
        self.status = READY
        self.duration_s = duration_s

    class ProcessingFailed(Aggregate.Event):
        reason: str
        at: datetime

    @event(ProcessingFailed)
    def _processing_failed(self, reason: str, at: datetime) -> None:
        self.status = FAILED
        self.failure_reason = reason

    def store_renditions(self, renditions: dict[str, list[object]], at: datetime) -> None:
        """name -> [sha256, content_type, width, height, size_bytes]"""
        unknown = set(renditions) - {ORIGINAL, *SIZES}
        if unknown:
            raise InvalidMediaError(f"no rendition called {sorted(unknown)[0]}")
        self._renditions_stored(renditions=renditions, at=at)

    def rendition(self, size: str) -> tuple[str, str] | None:
        """(sha256, content_type) of a servable size (nothing before a video is prepared);
        thumbnails and previews of items stored before sizes existed are the full image."""
        if self.status != READY:
            return None
        made = self.renditions.get(size)
        if size == "full":
            return (str(made[0]), str(made[1])) if made else (self.sha256, self.content_type)
        if made is not None:
            return str(made[0]), str(made[1])
        if size in ("thumb", "preview") and self.kind == "image":
            return self.sha256, self.content_type
        return None

    class RenditionsStored(Aggregate.Event):
        renditions: dict[str, list[object]]
        at: datetime

    @event(RenditionsStored)
    def _renditions_stored(self, renditions: dict[str, list[object]], at: datetime) -> None:
        self.renditions = {**self.renditions, **renditions}

    def change_tier(self, tier: str, at: datetime) -> bool:
        if self.taken_down:
            raise MediaTakenDownError("this item was taken down")
        if checked_tier(tier) == self.tier:
            return False
        self._tier_changed(tier=tier, at=at)
        return True

    def take_down(self, actor: str, reason: str, at: datetime) -> bool:
        if self.taken_down:
            return False
        self._taken_down(actor=actor, reason=reason, at=at)
        return True

    class TierChanged(Aggregate.Event):
        tier: str
        at: datetime

    @event(TierChanged)
    def _tier_changed(self, tier: str, at: datetime) -> None:
        self.tier = tier

    class TakenDown(Aggregate.Event):
        actor: str
        reason: str
        at: datetime

    @event(TakenDown)
    def _taken_down(self, actor: str, reason: str, at: datetime) -> None:
        self.taken_down = True
        self.takedown_reason = reason
