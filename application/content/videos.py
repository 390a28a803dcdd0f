"""Videos prepared after their upload: copied without their metadata, the index at the front, a
poster frame with its sizes and blurred teaser; the item is served only once this is done.

Preparing takes seconds for a long video, so it runs after the request, on a worker of the
process that took the upload. An item left `processing` by a crash is prepared again when the
API starts, or by `lyra media prepare`; two workers preparing the same item record it once.
A video that cannot be prepared is `failed`, with the reason, and its bytes are freed by the
next media sweep.
"""

import contextlib
import hashlib
import logging
import tempfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from uuid import UUID

from eventsourcing.persistence import IntegrityError

from adapters.eventstore.ledger import Ledger
from application.clock import Clock
from application.ports import (
    ImageProcessor,
    MediaStore,
    UnplayableVideoError,
    UnreadableImageError,
    VideoProcessor,
)
from domain.aggregates.media_item import ORIGINAL, PROCESSING, MediaItem

log = logging.getLogger(__name__)


class VideoPreparation:
    def __init__(self, ledger: Ledger, store: MediaStore, videos: VideoProcessor,
                 images: ImageProcessor, clock: Clock,
                 pending: Callable[[], list[str]]) -> None:
        self._ledger = ledger
        self._store = store
        self._videos = videos
        self._images = images
        self._clock = clock
        self._pending = pending  # item ids still processing (a read model)

    def prepare(self, item_id: UUID) -> str:
        """Prepare one item; returns its status after."""
        item = self._ledger.get_or_none(item_id)
        if not isinstance(item, MediaItem) or item.status != PROCESSING:
            return getattr(item, "status", "unknown")
        original = item.renditions.get(ORIGINAL, [item.sha256])
        with tempfile.TemporaryDirectory(prefix="lyra-video-") as work:
            source = Path(work) / "original"
            chunks = self._store.read(str(original[0]))
            if chunks is None:
                return self._record(item, failed="the uploaded file is gone")
            with source.open("wb") as out:
                for chunk in chunks:
                    out.write(chunk)
            try:
                prepared = self._videos.prepare(str(source), work)
                poster = self._images.process(prepared.poster_png, "image/png")
            except (UnplayableVideoError, UnreadableImageError) as problem:
                return self._record(item, failed=problem.message)
            renditions: dict[str, list[object]] = {}
            full = Path(prepared.path)
            renditions["full"] = [self._put_file(full), prepared.content_type,
                                  prepared.info.width, prepared.info.height, full.stat().st_size]
            # The poster is the frame at screen size (a WebP), beside its thumbnail and teaser.
            sized = {"poster": poster.renditions["preview"], **poster.renditions}
            for name, made in sized.items():
                renditions[name] = [self._put(made.data), made.content_type, made.width,
                                    made.height, len(made.data)]
            return self._record(item, renditions=renditions, duration_s=prepared.info.duration_s)

    def prepare_pending(self) -> dict[str, int]:
        """Every item still processing (after a crash, or from `lyra media prepare`)."""
        counts: dict[str, int] = {}
        for item_id in self._pending():
            status = self.prepare(UUID(item_id))
            counts[status] = counts.get(status, 0) + 1
        return counts

    def _put(self, data: bytes) -> str:
        sha256 = hashlib.sha256(data).hexdigest()
        self._store.put(sha256, iter([data]))
        return sha256

    def _put_file(self, path: Path) -> str:
        digest = hashlib.sha256()
        with path.open("rb") as source:
            while chunk := source.read(256 * 1024):
                digest.update(chunk)

        def chunks() -> Any:
            with path.open("rb") as source:
                while chunk := source.read(256 * 1024):
                    yield chunk

        self._store.put(digest.hexdigest(), chunks())
        return digest.hexdigest()

    def _record(self, item: MediaItem, *, failed: str | None = None,
                renditions: dict[str, list[object]] | None = None,
                duration_s: float = 0.0) -> str:
        now = self._clock()
        changed = item.processing_failed(failed, now) if failed is not None else \
            item.video_prepared(renditions or {}, duration_s, now)
        if changed:
            with contextlib.suppress(IntegrityError):  # another worker recorded it first
                self._ledger.save(item)
        if failed is not None:
            log.warning("video %s failed: %s", item.id, failed)
        return item.status


class PrepareInBackground:
    """One worker thread per process: uploads return at once, videos are prepared in turn."""

    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="lyra-video")
        self.preparation: VideoPreparation | None = None

    def __call__(self, item_id: UUID) -> None:
        if self.preparation is not None:
            self._pool.submit(self._safely, self.preparation.prepare, item_id)

    def pending(self) -> None:
        if self.preparation is not None:
            self._pool.submit(self._safely, self.preparation.prepare_pending)

    @staticmethod
    def _safely(run: Callable[..., Any], *args: Any) -> None:
        try:
            run(*args)
        except Exception:  # noqa: BLE001 - the item stays processing; the next start retries
            log.exception("preparing a video failed")

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=False)

