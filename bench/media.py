"""What processing an upload costs: a 12-megapixel photo and a minute of video, each against a
baseline measured in the same run.

Prints:
  - images/s for a 12 MP JPEG through the upload's processing (decode, upright, re-encode from
    the pixels, thumbnail, preview, teaser), against Pillow's plain decode-and-save of the same
    photo (the least any re-encoding could cost);
  - a minute of 720p H.264 video: the probe done during the upload, and the preparation done
    after it (streams copied without metadata, index to the front, poster frame and its sizes),
    against copying the file (the least any preparation could cost).

Usage: .venv/bin/python -m bench.media [--photos 5]
"""

import argparse
import io
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from PIL import Image

from adapters.media.ffmpeg_videos import FfmpegVideos
from adapters.media.pillow_images import PillowImages


def photo() -> bytes:
    """4000 x 3000 of camera-like noise over a gradient: compresses as a real photo does."""
    base = Image.linear_gradient("L").resize((4000, 3000)).convert("RGB")
    noise = Image.effect_noise((4000, 3000), 40).convert("RGB")
    out = io.BytesIO()
    Image.blend(base, noise, 0.3).save(out, format="JPEG", quality=90)
    return out.getvalue()


def best(runs: int, work) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--photos", type=int, default=5)
    args = parser.parse_args()
    data = photo()
    images = PillowImages(max_pixels=50_000_000)

    def plain() -> None:
        out = io.BytesIO()
        Image.open(io.BytesIO(data)).save(out, format="JPEG", quality=90)

    base = best(args.photos, plain)
    full = best(args.photos, lambda: images.process(data, "image/jpeg"))
    print(f"12 MP photo ({len(data) / 1e6:.1f} MB JPEG)")
    print(f"  baseline: Pillow decode and save   {1 / base:6.2f} images/s  ({base * 1000:,.0f} ms)")
    print(f"  the upload's processing            {1 / full:6.2f} images/s  ({full * 1000:,.0f} ms,"
          f" x{base / full:.2f} of the baseline)")

    videos = FfmpegVideos()
    with tempfile.TemporaryDirectory() as tmp:
        clip = Path(tmp) / "minute.mp4"
        subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i",
                        "testsrc2=size=1280x720:rate=30", "-f", "lavfi", "-i",
                        "sine=frequency=440", "-t", "60", "-c:v", "libx264", "-preset",
                        "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", str(clip)], check=True)
        copy = best(3, lambda: shutil.copyfile(clip, Path(tmp) / "copy.mp4"))
        probe = best(3, lambda: videos.probe(str(clip)))
        out = Path(tmp) / "out"
        out.mkdir()
        prepare = best(3, lambda: videos.prepare(str(clip), str(out)))
        poster = videos.prepare(str(clip), str(out)).poster_png
        sizes = best(3, lambda: images.process(poster, "image/png"))
        size_mb = clip.stat().st_size / 1e6
        print(f"a minute of 720p H.264 ({size_mb:.1f} MB)")
        print(f"  baseline: copying the file         {copy * 1000:8,.0f} ms")
        print(f"  probe, during the upload           {probe * 1000:8,.0f} ms")
        print(f"  preparation, after it              {(prepare + sizes) * 1000:8,.0f} ms"
              f"  (x{copy / (prepare + sizes):.2f} of the copy; poster sizes {sizes * 1000:,.0f}"
              f" ms of it)")


if __name__ == "__main__":
    main()
