"""Images made safe to serve, with Pillow: decoded in full, turned upright, re-encoded from their
pixels alone.

A phone photo carries the camera, the software and the place it was taken (EXIF GPS), and can
carry XMP, IPTC and comments; re-encoding from pixels drops every one of them. The ICC profile
is the one block kept, because it is colour, not metadata. EXIF orientation is applied first, so
a portrait photo stays portrait once its orientation tag is gone.

Refused, with nothing stored: a file Pillow cannot decode to the last pixel (truncated,
corrupt), one whose bytes are another format than the one its header claimed, and a
decompression bomb (more pixels than `max_pixels`, judged from the header before decoding).
An animated GIF keeps its first frame.

Each image also gets its derived sizes, in WebP (small, and it keeps transparency): a thumbnail
(320 px on the long side) and a screen-sized preview (1280 px), never larger than the image; and
a teaser for when the item is locked: the picture shrunk to 16 px on its long side, blurred, and
only then enlarged to 320 px, so it holds no more of the picture than those few pixels did and
nothing of the original can be recovered from it.
"""

import io
import warnings
from typing import Any

from PIL import Image, ImageFilter, ImageOps, UnidentifiedImageError

from application.ports import ProcessedImage, Rendition, UnreadableImageError

FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/gif": "GIF", "image/webp": "WEBP"}
SAVE_OPTIONS: dict[str, dict[str, Any]] = {
    "JPEG": {"quality": 90, "optimize": True}, "PNG": {"optimize": True},
    "WEBP": {"quality": 90}, "GIF": {}}
SIZES = {"thumb": 320, "preview": 1280}  # the long side, in pixels
TEASER_SOURCE_PX, TEASER_PX = 16, 320


class PillowImages:
    def __init__(self, max_pixels: int) -> None:
        self.max_pixels = max_pixels

    def process(self, data: bytes, content_type: str) -> ProcessedImage:
        expected = FORMATS.get(content_type)
        if expected is None:
            raise UnreadableImageError(f"{content_type} is not an image type LYRA serves")
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            try:
                image = Image.open(io.BytesIO(data), formats=[expected])
                width, height = image.size
                if width * height > self.max_pixels:
                    raise UnreadableImageError(
                        f"the image is {width}x{height}: at most {self.max_pixels:,} pixels")
                image.load()
            except UnidentifiedImageError:
                raise UnreadableImageError(
                    f"the file is not a readable {expected} image") from None
            except (OSError, SyntaxError, ValueError, Image.DecompressionBombError,
                    Image.DecompressionBombWarning) as problem:
                raise UnreadableImageError(f"the image cannot be read: {problem}") from None
        icc_profile = image.info.get("icc_profile")
        upright = ImageOps.exif_transpose(image) if expected != "GIF" else image
        if expected == "JPEG" and upright.mode not in ("RGB", "L", "CMYK"):
            upright = upright.convert("RGB")
        # A new image from the pixels alone: nothing of the file's info, EXIF or XMP comes along.
        clean = Image.frombytes(upright.mode, upright.size, upright.tobytes())
        options = dict(SAVE_OPTIONS[expected])
        if upright.mode in ("P", "PA"):
            clean.putpalette(upright.getpalette() or [])
        if "transparency" in upright.info and upright.mode in ("P", "L", "RGB"):
            options["transparency"] = upright.info["transparency"]
        if icc_profile and expected != "GIF":
            options["icc_profile"] = icc_profile
        out = io.BytesIO()
        clean.save(out, format=expected, **options)
        return ProcessedImage(data=out.getvalue(), content_type=content_type,
                              width=clean.width, height=clean.height,
                              renditions=_renditions(upright))


def _renditions(image: Image.Image) -> dict[str, Rendition]:
    """Each size from the next larger one (a 12 MP photo is shrunk once, not three times)."""
    mode = "RGBA" if "A" in image.getbands() or "transparency" in image.info else "RGB"
    made, source = {}, image
    for name, side in sorted(SIZES.items(), key=lambda kv: -kv[1]):
        sized = source.copy()
        sized.thumbnail((side, side), Image.Resampling.LANCZOS, reducing_gap=3.0)
        sized = sized.convert(mode)
        made[name] = _webp(sized, quality=82)
        source = sized
    tiny = source.copy()
    tiny.thumbnail((TEASER_SOURCE_PX, TEASER_SOURCE_PX), Image.Resampling.BOX)
    scale = TEASER_PX / max(tiny.size)
    teaser = tiny.resize((max(1, round(tiny.width * scale)), max(1, round(tiny.height * scale))),
                         Image.Resampling.BILINEAR).filter(ImageFilter.GaussianBlur(12))
    made["teaser"] = _webp(teaser, quality=40)
    return made


def _webp(image: Image.Image, quality: int) -> Rendition:
    out = io.BytesIO()
    image.save(out, format="WEBP", quality=quality, method=4)
    return Rendition(out.getvalue(), "image/webp", image.width, image.height)
