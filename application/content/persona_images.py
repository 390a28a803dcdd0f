"""A persona's avatar and cover: uploaded by its creator, processed like every image (no metadata,
upright, re-encoded), kept by hash, and shown through signed links.

An image is part of the persona's profile, so changing it on a live persona sends the persona
back to review while fans keep seeing the approved one. Only this command sets images: a profile
edit from a form carries the stored ones over, so no one can point an avatar at another file's
hash (a pay-per-view picture, say).
"""

import hashlib
from typing import Any, BinaryIO
from uuid import UUID

from application.clock import Clock
from application.content.library import (
    MediaLockedError,
    MediaTooLargeError,
    Served,
    UnknownMediaError,
    serve,
)
from application.content.media_types import SNIFF_BYTES, UnsupportedMediaTypeError, sniff
from application.content.signed_urls import MediaUrlSigner
from application.personas import Personas
from application.ports import ImageProcessor, MediaStore
from domain.aggregates.persona import Persona
from domain.errors import DomainError

ROLES = ("avatar", "cover")
SIZES = ("thumb", "preview")


class InvalidPersonaImageError(DomainError):
    code = "invalid_persona_image"


class PersonaImages:
    def __init__(self, personas: Personas, images: ImageProcessor, store: MediaStore,
                 signer: MediaUrlSigner, clock: Clock, max_bytes: int) -> None:
        self._personas = personas
        self._images = images
        self._store = store
        self._signer = signer
        self._clock = clock
        self.max_bytes = max_bytes

    def upload(self, creator_id: str, persona_id: UUID,
               sources: dict[str, BinaryIO]) -> Persona:
        """Avatar and/or cover, by role, in one change (so one review)."""
        if not sources or set(sources) - set(ROLES):
            raise InvalidPersonaImageError(f"a persona image is its {' or '.join(ROLES)}")
        self._personas.owned(creator_id, persona_id)
        images = {role: self._stored(source) for role, source in sources.items()}
        return self._personas.set_images(creator_id, persona_id, images)

    def _stored(self, source: BinaryIO) -> dict[str, Any]:
        data = source.read(self.max_bytes + 1)
        if len(data) > self.max_bytes:
            raise MediaTooLargeError(f"images are limited to {self.max_bytes:,} bytes")
        media_type = sniff(data[:SNIFF_BYTES])
        if media_type.kind != "image":
            raise UnsupportedMediaTypeError("a persona's avatar or cover is an image")
        processed = self._images.process(data, media_type.content_type)
        image: dict[str, Any] = {"width": processed.width, "height": processed.height}
        for size in SIZES:
            made = processed.renditions[size]
            sha256 = hashlib.sha256(made.data).hexdigest()
            self._store.put(sha256, iter([made.data]))
            image[size] = sha256
        return image

    def urls(self, profile: dict[str, Any] | None) -> dict[str, dict[str, str]]:
        """Signed links to a profile's images, by role and size (for whoever may see that
        version of the persona: the caller decides)."""
        out: dict[str, dict[str, str]] = {}
        for role, image in ((profile or {}).get("images") or {}).items():
            out[role] = {size: self.url(str(image[size])) for size in SIZES if size in image}
        return out

    def url(self, sha256: str) -> str:
        expires, signature = self._signer.sign(_subject(sha256), self._clock())
        return f"/persona-media/{sha256}?expires={expires}&signature={signature}"

    def open_signed(self, sha256: str, expires: int, signature: str) -> Served:
        if not self._signer.valid(_subject(sha256), expires, signature, self._clock()):
            raise MediaLockedError("this media link is invalid or has expired")
        served = serve(self._store, sha256, "image/webp")
        if served is None:
            raise UnknownMediaError(f"no persona image {sha256}")
        return served


def _subject(sha256: str) -> str:
    return f"persona-image/{sha256}"
