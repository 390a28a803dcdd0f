"""Videos checked and prepared with Debian's ffmpeg (`ffprobe` and `ffmpeg` on the PATH).

A video is probed before anything is stored: it must hold a video stream in a codec browsers
play, and say how long it is. Preparing it copies its first video and audio streams (no
re-encoding: minutes of work become a fraction of a second) into a new file without the
container's metadata (title, comment, location, recording device, chapters) and with the index
at the front, so playback starts before the whole file has arrived; a frame from its first
second becomes its poster. Every call has a deadline, so a file made to hang ffmpeg cannot hold
a worker forever.
"""

import json
import subprocess
from pathlib import Path

from application.ports import (
    PreparedVideo,
    UnplayableVideoError,
    VideoInfo,
    VideoToolsMissingError,
)

PLAYABLE = {"h264": "mp4", "hevc": "mp4", "av1": "mp4", "vp9": "webm", "vp8": "webm"}
AUDIO = {"aac", "mp3", "opus", "vorbis"}
DEADLINE_S = 120


def _run(command: list[str], deadline_s: float = DEADLINE_S) -> bytes:
    try:
        done = subprocess.run(command, capture_output=True, timeout=deadline_s, check=False)
    except subprocess.TimeoutExpired:
        raise UnplayableVideoError("the video took too long to read") from None
    except FileNotFoundError:  # a machine without Debian's ffmpeg: images still work
        raise VideoToolsMissingError(
            "this server cannot take videos yet (ffmpeg is not installed)") from None
    if done.returncode != 0:
        reason = done.stderr.decode(errors="replace").strip().splitlines()[-1:] or ["unreadable"]
        raise UnplayableVideoError(f"the video cannot be read: {reason[0][:200]}")
    return done.stdout


class FfmpegVideos:
    def probe(self, path: str) -> VideoInfo:
        found = json.loads(_run([
            "ffprobe", "-v", "error", "-show_entries",
            "format=duration,format_name:stream=codec_type,codec_name,width,height",
            "-of", "json", path], deadline_s=30) or b"{}")
        streams = found.get("streams") or []
        video = next((s for s in streams if s.get("codec_type") == "video"), None)
        if video is None:
            raise UnplayableVideoError("the file holds no video")
        codec = str(video.get("codec_name"))
        if codec not in PLAYABLE:
            raise UnplayableVideoError(f"a video in {codec} does not play in browsers "
                                       f"(use {', '.join(sorted(PLAYABLE))})")
        audio = next((s for s in streams if s.get("codec_type") == "audio"), None)
        audio_codec = str(audio.get("codec_name")) if audio else None
        try:
            duration = float((found.get("format") or {}).get("duration") or 0)
        except ValueError:
            duration = 0.0
        if duration <= 0:
            raise UnplayableVideoError("the video does not say how long it is")
        return VideoInfo(duration, int(video.get("width") or 0), int(video.get("height") or 0),
                         codec, audio_codec, PLAYABLE[codec])

    def prepare(self, path: str, out_dir: str) -> PreparedVideo:
        info = self.probe(path)
        out = str(Path(out_dir) / f"prepared.{info.container}")
        audio = ["-map", "0:a:0"] if info.audio_codec in AUDIO else []
        _run(["ffmpeg", "-v", "error", "-y", "-i", path, "-map", "0:v:0", *audio, "-c", "copy",
              "-map_metadata", "-1", "-map_metadata:s:v", "-1", "-map_metadata:s:a", "-1",
              "-map_chapters", "-1", "-fflags", "+bitexact", "-flags:v", "+bitexact",
              "-flags:a", "+bitexact",
              *(["-movflags", "+faststart"] if info.container == "mp4" else []),
              "-f", info.container, out])
        at = min(1.0, info.duration_s / 2)
        poster = _run(["ffmpeg", "-v", "error", "-ss", f"{at:.3f}", "-i", out, "-frames:v", "1",
                       "-f", "image2pipe", "-c:v", "png", "-"], deadline_s=30)
        if not poster:
            raise UnplayableVideoError("no frame of the video could be read")
        return PreparedVideo(out, f"video/{info.container}", poster, info)
