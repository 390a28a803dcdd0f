"""Videos checked with Debian's ffmpeg: probed before anything is stored, prepared after the
upload (metadata gone, index at the front, a poster and its teaser), served only once ready;
a crash mid-preparation picked up again; a failure recorded with its reason and its bytes freed."""

import io
import subprocess
import tempfile
from pathlib import Path

import pytest

from application.content.library import MediaNotReadyError
from domain.errors import DomainError
from tests.helpers import published_persona
from tests.media_samples import mp4_boxes, video_bytes


def stored(core) -> set[str]:  # type: ignore[no-untyped-def]
    root = Path(core.settings.media_dir)
    return {p.name for p in root.rglob("*") if p.is_file()} if root.exists() else set()


@pytest.fixture
def later(make_core):  # type: ignore[no-untyped-def]
    """A core whose uploads wait to be prepared (as after a crash), for the test to drive."""
    core = make_core(media_max_video_seconds=5)
    core.video_worker.preparation = None  # nothing prepares in the background
    return core


def served(core, item_id, size: str = "full") -> bytes:  # type: ignore[no-untyped-def]
    url = core.library.url_for(core.ledger.repository.get(item_id), size).path
    query = dict(part.split("=") for part in url.split("?", 1)[1].split("&"))
    served = core.library.open_signed(item_id, int(query["expires"]), query["signature"],
                                      query.get("size", "full"))
    return b"".join(served.chunks or [])


def probe_tags(data: bytes) -> str:
    with tempfile.NamedTemporaryFile(suffix=".mp4") as file:
        file.write(data)
        file.flush()
        return subprocess.run(["ffprobe", "-v", "error", "-show_entries",
                               "format_tags:stream_tags", "-of", "json", file.name],
                              capture_output=True, check=True, text=True).stdout


def test_a_video_is_served_only_once_prepared_and_without_its_metadata(later) -> None:
    core = later
    persona_id = published_persona(core)
    original = video_bytes()
    assert mp4_boxes(original)[-1] == "moov"  # the camera's way: the index at the end
    item = core.library.upload("creator-1", persona_id, io.BytesIO(original), "public", "Walk")
    assert item.status == "processing"
    with pytest.raises(MediaNotReadyError):
        core.library.signed_url("fan-1", False, item.id)
    core.projections.catch_up()
    assert core.content_queries.processing_items() == [str(item.id)]

    assert core.videos.prepare_pending() == {"ready": 1}  # a restart picks it up
    ready = core.ledger.repository.get(item.id)
    assert ready.status == "ready" and 1.9 < ready.duration_s < 2.2
    data = served(core, item.id)
    assert mp4_boxes(data)[:2] == ["ftyp", "moov"]
    tags = probe_tags(data)
    for trace in ("Harbourtown", "Phone 12", "51.5074", "Lavf"):
        assert trace not in tags
    assert b"Harbourtown" not in data and b"Phone 12" not in data
    for size in ("poster", "thumb", "teaser"):
        assert served(core, item.id, size)[:4] == b"RIFF"  # WebP
    assert core.videos.prepare(item.id) == "ready"  # a second worker changes nothing
    core.projections.catch_up()
    assert core.content_queries.processing_items() == []


def test_webm_is_prepared_as_webm(later) -> None:
    core = later
    persona_id = published_persona(core)
    item = core.library.upload("creator-1", persona_id, io.BytesIO(video_bytes(1, "webm")),
                               "public", "")
    assert core.videos.prepare(item.id) == "ready"
    assert core.ledger.repository.get(item.id).rendition("full")[1] == "video/webm"


@pytest.mark.parametrize(("data", "code"), [
    (video_bytes(6), "video_too_long"),
    (b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + bytes(4_000), "unplayable_video"),
    (video_bytes()[:2_000], "unplayable_video"),  # the index was at the end: cut off
])
def test_what_cannot_play_or_is_too_long_is_refused_and_nothing_stored(later, data,
                                                                       code) -> None:
    core = later
    persona_id = published_persona(core)
    head, files = core.ledger.max_position(), stored(core)
    with pytest.raises(DomainError) as refused:
        core.library.upload("creator-1", persona_id, io.BytesIO(data), "public", "")
    assert refused.value.code == code
    assert core.ledger.max_position() == head and stored(core) == files


def test_a_video_that_cannot_be_prepared_fails_with_its_reason_and_its_bytes_go(later) -> None:
    core = later
    persona_id = published_persona(core)
    item = core.library.upload("creator-1", persona_id, io.BytesIO(video_bytes()), "public", "")
    original = Path(core.settings.media_dir) / item.sha256[:2] / item.sha256
    original.write_bytes(original.read_bytes()[:3_000])  # the disk lost its tail
    assert core.videos.prepare(item.id) == "failed"
    failed = core.ledger.repository.get(item.id)
    assert "cannot be read" in failed.failure_reason
    core.projections.catch_up()
    assert item.sha256 not in core.content_queries.stored_hashes()  # the sweep frees them
    with pytest.raises(DomainError):
        core.library.signed_url("creator-1", False, item.id)


def test_the_background_worker_prepares_an_upload(make_core) -> None:
    import time

    core = make_core()
    persona_id = published_persona(core)
    item = core.library.upload("creator-1", persona_id, io.BytesIO(video_bytes()), "public", "")
    deadline = time.monotonic() + 20
    while core.ledger.repository.get(item.id).status == "processing":
        assert time.monotonic() < deadline, "the worker never prepared the video"
        time.sleep(0.05)
    assert core.ledger.repository.get(item.id).status == "ready"
