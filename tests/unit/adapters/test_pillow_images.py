"""Images re-encoded from their pixels: a phone photo's camera, software, GPS position and XMP
are gone, its orientation applied, its colour profile kept; what does not decode in full, is
not what its header says or has too many pixels is refused."""

import io

import pytest
from PIL import Image

from adapters.media.pillow_images import PillowImages
from application.ports import UnreadableImageError
from tests.media_samples import PNG, SRGB, image_bytes, phone_photo

IMAGES = PillowImages(max_pixels=1_000_000)
TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_a_phone_photo_keeps_its_pixels_upright_and_nothing_else(fmt: str) -> None:
    original = phone_photo(fmt)
    processed = IMAGES.process(original, TYPES[fmt])
    served = Image.open(io.BytesIO(processed.data))
    assert served.format == fmt and processed.content_type == TYPES[fmt]
    assert served.size == (processed.width, processed.height) == (20, 40)  # turned to portrait
    assert not dict(served.getexif())  # no camera, software, position or orientation
    for trace in (b"PhoneMaker", b"Phone 12", b"Editor 3.1", b"Harbourtown", b"Exif", b"xmpmeta"):
        assert trace not in processed.data, trace
    assert "xmp" not in served.info and "exif" not in served.info
    assert served.info.get("icc_profile") == SRGB  # colour is not metadata


def test_a_png_loses_its_text_chunks() -> None:
    out = io.BytesIO()
    from PIL import PngImagePlugin
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "taken at the harbour")
    Image.new("RGBA", (4, 4), (1, 2, 3, 128)).save(out, format="PNG", pnginfo=info)
    processed = IMAGES.process(out.getvalue(), "image/png")
    assert b"harbour" not in processed.data and b"tEXt" not in processed.data
    assert Image.open(io.BytesIO(processed.data)).mode == "RGBA"


def test_the_same_upload_gives_the_same_bytes() -> None:
    assert IMAGES.process(PNG, "image/png").data == IMAGES.process(PNG, "image/png").data


UNREADABLE = "cannot be read|not a readable"


@pytest.mark.parametrize("data,content_type,why", [
    (image_bytes("JPEG")[:-40], "image/jpeg", UNREADABLE),  # truncated
    (image_bytes("PNG")[:30] + b"\x00" * 40, "image/png", UNREADABLE),  # corrupt
    (image_bytes("PNG"), "image/jpeg", "not a readable JPEG"),  # not what it claims
    (image_bytes("PNG", size=(1_200, 1_000)), "image/png", "at most 1,000,000 pixels"),  # bomb
    (b"GIF89a" + b"\x00" * 20, "image/gif", UNREADABLE),
])
def test_what_does_not_decode_in_full_is_refused(data: bytes, content_type: str,
                                                 why: str) -> None:
    with pytest.raises(UnreadableImageError, match=why):
        IMAGES.process(data, content_type)


def test_derived_sizes_never_grow_and_the_teaser_keeps_only_sixteen_pixels() -> None:
    big = IMAGES.process(image_bytes("PNG", (1500, 600)), "image/png").renditions
    assert (big["thumb"].width, big["thumb"].height) == (320, 128)
    assert (big["preview"].width, big["preview"].height) == (1280, 512)
    small = IMAGES.process(image_bytes("PNG", (100, 50)), "image/png").renditions
    assert (small["thumb"].width, small["preview"].width) == (100, 100)
    # Two pictures alike at 16 pixels give the same teaser, whatever their detail.
    plain = Image.new("RGB", (640, 480), (90, 90, 90))
    detailed = plain.copy()
    for x in range(0, 640, 40):
        detailed.paste((91, 89, 90), (x, 0, x + 1, 480))  # fine lines, invisible at 16 px

    def teaser(image: Image.Image) -> bytes:
        out = io.BytesIO()
        image.save(out, format="PNG")
        return IMAGES.process(out.getvalue(), "image/png").renditions["teaser"].data

    assert teaser(plain) == teaser(detailed)
    for made in (*big.values(), *small.values()):
        assert made.content_type == "image/webp"
