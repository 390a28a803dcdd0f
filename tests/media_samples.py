"""Real images for tests, made with Pillow: small, neutral (flat colours), and one "phone photo"
carrying what a phone writes into a JPEG (camera, software, GPS position, orientation, XMP and
a colour profile)."""

import io

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
