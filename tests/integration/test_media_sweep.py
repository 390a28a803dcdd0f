"""The media sweep removes stored bytes no item refers to, and partial uploads a crash left,
once they are older than the grace period; every item's bytes (its derived sizes and original
too) stay, taken down or not."""

import hashlib
import io
import os
import time
from pathlib import Path

import pytest

from adapters.media.local_directory import LocalDirectoryMediaStore
from tests.helpers import published_persona
from tests.media_samples import JPEG, PNG

HOUR_AGO = time.time() - 3_600 * 2


def _age(path: Path) -> None:
    os.utime(path, (HOUR_AGO, HOUR_AGO))


def test_only_what_no_item_refers_to_goes_once_it_is_old_enough(core) -> None:
    root = Path(core.settings.media_dir)
    store = LocalDirectoryMediaStore(root)
    persona_id = published_persona(core)
    kept = core.library.upload("creator-1", persona_id, io.BytesIO(PNG), "public", "Harbour")
    taken_down = core.library.upload("creator-1", persona_id, io.BytesIO(JPEG), "public", "Quay")
    core.library.take_down("adm-1", taken_down.id, "reported")
    orphan = b"bytes whose item was never recorded"
    orphan_hash = hashlib.sha256(orphan).hexdigest()
    store.put(orphan_hash, iter([orphan]))
    fresh = b"an upload still on its way to being recorded"
    fresh_hash = hashlib.sha256(fresh).hexdigest()
    store.put(fresh_hash, iter([fresh]))
    partial = root / orphan_hash[:2] / ".upload-crashed"
    partial.write_bytes(b"half")
    # Each item's files: the image, its original, thumbnail, preview and teaser.
    items = {kept.sha256, taken_down.sha256} | {
        str(made[0]) for item in (kept, taken_down) for made in item.renditions.values()}
    for path in [root / h[:2] / h for h in items] + [root / orphan_hash[:2] / orphan_hash,
                                                      partial]:
        _age(path)

    report = core.media_sweep.run()
    assert report.as_dict() == {"removed": 1, "partial_removed": 1, "kept": len(items)}
    stored = {p.name for p in root.rglob("*") if p.is_file()}
    assert stored == items | {fresh_hash}
    assert hashlib.sha256(b"".join(store.read(kept.sha256) or [])).hexdigest() == kept.sha256
    assert core.media_sweep.run().as_dict() == {"removed": 0, "partial_removed": 0,
                                                "kept": len(items)}


def test_a_grace_period_too_short_for_uploads_in_flight_is_refused(core) -> None:
    from datetime import timedelta

    with pytest.raises(ValueError, match="grace period"):
        core.media_sweep.run(timedelta(minutes=1))


def test_the_store_deletes_only_its_own_partial_uploads(tmp_path) -> None:
    store = LocalDirectoryMediaStore(tmp_path / "media")
    outside = tmp_path / ".upload-not-the-stores"
    outside.write_bytes(b"x")
    for name in ("../.upload-not-the-stores", "ab/../../.upload-not-the-stores", "ab/photo"):
        with pytest.raises(ValueError, match="partial upload"):
            store.delete(name, is_partial=True)
    with pytest.raises(ValueError, match="SHA-256"):
        store.delete("../etc")
    assert outside.exists()
