"""What an upload is, read from its first bytes (never from its name or the client's word)."""

from dataclasses import dataclass

import filetype  # type: ignore[import-untyped]

from domain.errors import DomainError

IMAGE_TYPES = ("image/jpeg", "image/png", "image/gif", "image/webp")
VIDEO_TYPES = ("video/mp4", "video/webm", "video/quicktime")
SNIFF_BYTES = 8_192


class UnsupportedMediaTypeError(DomainError):
    code = "unsupported_media_type"


@dataclass(frozen=True)
class MediaType:
    content_type: str
    kind: str  # image or video


def sniff(head: bytes) -> MediaType:
    guess = filetype.guess(head[:SNIFF_BYTES])
    mime = guess.mime if guess else None
    if mime in IMAGE_TYPES:
        return MediaType(mime, "image")
    if mime in VIDEO_TYPES:
        return MediaType(mime, "video")
    allowed = ", ".join(t.split("/")[1] for t in IMAGE_TYPES + VIDEO_TYPES)
    raise UnsupportedMediaTypeError(f"only images and short videos ({allowed}) can be uploaded")
