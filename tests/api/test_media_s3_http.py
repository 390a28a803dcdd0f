"""The content library with its media in an S3-compatible bucket (moto's server on loopback):
uploads land in the bucket, signed links redirect to the store's own short-lived links (which
the pages' CSP allows), videos are prepared from it, and the sweep covers it."""

import io
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from uuid import UUID

import boto3
import httpx
import pytest
from PIL import Image

from tests.api.conftest import Api, served
from tests.api.test_personas_http import published
from tests.conftest import FakeClock, pg_settings
from tests.fakes.servers import s3_server
from tests.media_samples import phone_photo, video_bytes


@pytest.fixture
def s3_api(pg_schema: str, clock: FakeClock) -> Iterator[tuple[Api, str]]:
    with s3_server() as endpoint:
        boto3.client("s3", endpoint_url=endpoint, region_name="eu-west-2").create_bucket(
            Bucket="lyra-media", CreateBucketConfiguration={"LocationConstraint": "eu-west-2"})
        with served(clock, lambda public_url: pg_settings(
                pg_schema, public_url=public_url, run_projections=True,
                group_commit_window_ms=2, media_s3_bucket="lyra-media",
                media_s3_endpoint_url=endpoint, media_s3_region="eu-west-2")) as running:
            yield running, endpoint


def objects(endpoint: str) -> set[str]:
    listed = boto3.client("s3", endpoint_url=endpoint, region_name="eu-west-2").list_objects_v2(
        Bucket="lyra-media", Prefix="media/")
    return {o["Key"] for o in listed.get("Contents", [])}


def test_media_live_in_the_bucket_and_are_served_by_its_links(s3_api) -> None:  # type: ignore[no-untyped-def]
    api, endpoint = s3_api
    admin = api.as_user("adm-1", "admin")
    admin.post("/api/admin/creators", json={"user_id": "creator-1", "display_name": "Luna"})
    creator = api.as_user("creator-1", "creator")
    persona_id = published(api, (creator, admin))
    made = creator.post("/api/creator/media", files={"file": ("IMG.jpg", phone_photo())},
                        data={"persona_id": persona_id, "tier": "public"}).json()
    assert {f"media/{made['sha256']}", f"media/{made['renditions']['teaser']['sha256']}"} <= \
        objects(endpoint)
    link = creator.get(f"/api/media/{made['item_id']}/url", params={"size": "preview"}).json()
    redirect = httpx.get(api.base + link["url"])
    assert redirect.status_code == 307 and redirect.headers["location"].startswith(endpoint)
    picture = httpx.get(redirect.headers["location"])
    assert picture.headers["content-type"] == "image/webp" and b"Phone 12" not in picture.content
    assert Image.open(io.BytesIO(picture.content)).size == (20, 40)
    page = httpx.get(f"{api.base}/login")
    assert f"img-src 'self' {endpoint}" in page.headers["content-security-policy"]

    video = creator.post("/api/creator/media", files={"file": ("walk.mp4", video_bytes())},
                         data={"persona_id": persona_id, "tier": "public"}).json()
    assert api.core.videos.prepare(UUID(video["item_id"])) == "ready"  # read from the bucket

    # The sweep covers the bucket: an orphan goes, every item's files stay.
    orphan = boto3.client("s3", endpoint_url=endpoint, region_name="eu-west-2")
    orphan.put_object(Bucket="lyra-media", Key="media/" + "f" * 64, Body=b"nobody's")
    before = objects(endpoint)
    assert api.core.media_sweep.run(timedelta(minutes=5)).removed == 0  # all still too new
    # Two hours on, by the store's own clock (what the sweep compares with):
    api.core.media_sweep._clock = lambda: datetime.now(UTC) + timedelta(hours=2)
    report = api.core.media_sweep.run(timedelta(hours=1))
    assert report.removed == 1 and objects(endpoint) == before - {"media/" + "f" * 64}
