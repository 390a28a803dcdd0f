"""The default media store: files in a local directory, named by their SHA-256.

A file is written to a temporary name in the same directory and renamed into place, so a reader
never sees half a file and a crash leaves at most a stray temporary file.
"""

import os
import re
import tempfile
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

_HASH = re.compile(r"^[0-9a-f]{64}$")
CHUNK_BYTES = 256 * 1024


class LocalDirectoryMediaStore:
    def __init__(self, root: str | Path) -> None:
        self._root = Path(root)

    def _path(self, sha256: str) -> Path:
        if not _HASH.match(sha256):
            raise ValueError("not a SHA-256 hex digest")
        return self._root / sha256[:2] / sha256

    def put(self, sha256: str, chunks: Iterator[bytes]) -> None:
        path = self._path(sha256)
        if path.exists():
            for _ in chunks:  # drain: the caller's iterator may hold resources
                pass
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
        try:
            with os.fdopen(handle, "wb") as out:
                for chunk in chunks:
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def read(self, sha256: str) -> Iterator[bytes] | None:
        path = self._path(sha256)
        if not path.is_file():
            return None

        def chunks() -> Iterator[bytes]:
            with path.open("rb") as source:
                while chunk := source.read(CHUNK_BYTES):
                    yield chunk

        return chunks()

    def link(self, sha256: str, content_type: str) -> None:
        """Files in a directory are served through LYRA."""
        return None

    def stored_before(self, moment: datetime) -> Iterator[tuple[str, bool]]:
        """(name, is_partial) of each file last written before the moment: a hash, or a
        temporary file a crash left mid-upload."""
        if not self._root.is_dir():
            return
        cutoff = moment.timestamp()
        for directory in self._root.iterdir():
            if not directory.is_dir():
                continue
            for path in directory.iterdir():
                if path.stat().st_mtime >= cutoff:
                    continue
                if path.name.startswith(".upload-"):
                    yield str(path.relative_to(self._root)), True
                elif _HASH.match(path.name):
                    yield path.name, False

    def delete(self, name: str, is_partial: bool = False) -> None:
        if is_partial:
            path = (self._root / name).resolve()
            if path.parent.parent != self._root.resolve() or not path.name.startswith(
                    ".upload-"):
                raise ValueError("not a partial upload of this store")
        else:
            path = self._path(name)
        path.unlink(missing_ok=True)
