"""Real images for tests, made with Pillow: small, neutral (flat colours), and one "phone photo"
carrying what a phone writes into a JPEG (camera, software, GPS position, orientation, XMP and
a colour profile)."""

import functools
import io
import subprocess
import tempfile
from pathlib import Path

from PIL import Image, ImageCms

XMP = (b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/'
       b'22-rdf-syntax-ns#"><rdf:Description xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/" '
       b'photoshop:City="Harbourtown"/></rdf:RDF></x:xmpmeta>')
SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def image_bytes(fmt: str, size: tuple[int, int] = (8, 8),
                colour: tuple[int, int, int] = (40, 90, 160),
                **options: object) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, format=fmt, **options)
    return out.getvalue()


def phone_photo(fmt: str = "JPEG") -> bytes:
    """A 40x20 landscape frame whose EXIF says: turn me to portrait (orientation 6), taken by
    this camera with this software at this position."""
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0110] = "Phone 12"  # Model
    exif[0x0131] = "Editor 3.1"  # Software
    exif[0x0112] = 6  # Orientation: rotate 90 clockwise to view
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (51.0, 30.0, 26.0)  # GPSLatitudeRef, GPSLatitude
    gps[3], gps[4] = "W", (0.0, 7.0, 39.0)  # GPSLongitudeRef, GPSLongitude
    options: dict[str, object] = {"exif": exif, "icc_profile": SRGB}
    if fmt == "JPEG":
        options["xmp"] = XMP
    return image_bytes(fmt, (40, 20), (200, 120, 60), **options)


PNG = image_bytes("PNG")
JPEG = image_bytes("JPEG", colour=(160, 90, 40))


@functools.cache
def video_bytes(seconds: float = 2.0, container: str = "mp4") -> bytes:
    """A short test-pattern video with a tone, made by Debian's ffmpeg, whose container says
    where and on what it was recorded; an MP4 with its index at the end, as cameras write."""
    codecs = {"mp4": ["-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac"],
              "webm": ["-c:v", "libvpx", "-c:a", "libopus"]}[container]
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / f"clip.{container}"
        subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i",
                        "testsrc=size=160x120:rate=10", "-f", "lavfi", "-i",
                        "sine=frequency=440", "-t", str(seconds), *codecs,
                        "-metadata", "title=Harbourtown walk", "-metadata", "comment=Phone 12",
                        "-metadata", "location=+51.5074-000.1278/", str(out)], check=True)
        return out.read_bytes()


def mp4_boxes(data: bytes) -> list[str]:
    """The top-level boxes of an MP4, in order (moov before mdat: playable as it arrives)."""
    boxes, at = [], 0
    while at + 8 <= len(data):
        size = int.from_bytes(data[at:at + 4], "big")
        boxes.append(data[at + 4:at + 8].decode("latin-1"))
        at += size if size else len(data)
    return boxes
