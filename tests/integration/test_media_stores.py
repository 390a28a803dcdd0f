"""Both media stores keep the `MediaStore` port's promises: the local directory (the embedded
default) and an S3-compatible bucket (against moto's server on loopback)."""

import hashlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import httpx
import pytest

from adapters.media.local_directory import LocalDirectoryMediaStore
from adapters.media.s3_store import S3MediaStore
from tests.fakes.servers import s3_server


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    with s3_server() as endpoint:
        yield endpoint


@pytest.fixture(params=["local", "s3"])
def store(request, tmp_path, s3_endpoint) -> Any:  # type: ignore[no-untyped-def]
    if request.param == "local":
        return LocalDirectoryMediaStore(tmp_path / "media")
    bucket = f"lyra-{hashlib.sha256(str(tmp_path).encode()).hexdigest()[:12]}"
    boto3.client("s3", endpoint_url=s3_endpoint, region_name="eu-west-2").create_bucket(
        Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "eu-west-2"})
    return S3MediaStore(bucket, "media/", s3_endpoint, "eu-west-2")


def put(store: Any, data: bytes) -> str:
    sha256 = hashlib.sha256(data).hexdigest()
    store.put(sha256, iter([data[:3], data[3:]]))
    return sha256


def test_bytes_are_kept_once_by_their_hash_and_read_back(store) -> None:  # type: ignore[no-untyped-def]
    data = b"a picture's bytes" * 1_000
    sha256 = put(store, data)
    assert b"".join(store.read(sha256)) == data
    drained = []

    def again() -> Iterator[bytes]:
        drained.append(True)
        yield data

    store.put(sha256, again())  # a second put of the same hash: drained, nothing rewritten
    assert drained and b"".join(store.read(sha256)) == data
    assert store.read("0" * 64) is None
    with pytest.raises(ValueError):
        store.read("../../etc/passwd")


def test_a_sweep_sees_what_was_written_before_a_moment_and_deletes_it(store) -> None:  # type: ignore[no-untyped-def]
    sha256 = put(store, b"old bytes")
    later = datetime.now(UTC) + timedelta(minutes=1)
    assert (sha256, False) in list(store.stored_before(later))
    assert (sha256, False) not in list(store.stored_before(datetime.now(UTC) - timedelta(hours=1)))
    store.delete(sha256)
    assert store.read(sha256) is None
    store.delete(sha256)  # nothing there is not an error


def test_links_are_the_stores_own_when_it_serves_them(store) -> None:  # type: ignore[no-untyped-def]
    data = b"PNG bytes served by the store"
    sha256 = put(store, data)
    link = store.link(sha256, "image/png")
    if isinstance(store, LocalDirectoryMediaStore):
        assert link is None  # LYRA streams the file itself
        return
    fetched = httpx.get(link)
    assert fetched.status_code == 200 and fetched.content == data
    assert fetched.headers["content-type"] == "image/png"
    assert "X-Amz-Expires=300" in link  # short-lived (moto does not check signatures; S3 does)


def test_an_abandoned_multipart_upload_is_a_partial_the_sweep_aborts(s3_endpoint) -> None:
    client = boto3.client("s3", endpoint_url=s3_endpoint, region_name="eu-west-2")
    client.create_bucket(Bucket="lyra-partials",
                         CreateBucketConfiguration={"LocationConstraint": "eu-west-2"})
    store = S3MediaStore("lyra-partials", "media/", s3_endpoint, "eu-west-2")
    started = client.create_multipart_upload(Bucket="lyra-partials", Key="media/" + "a" * 64)
    [partial] = [n for n, is_partial in store.stored_before(datetime.now(UTC) + timedelta(1))
                 if is_partial]
    assert partial.endswith(started["UploadId"])
    store.delete(partial, is_partial=True)
    assert not [n for n, p in store.stored_before(datetime.now(UTC) + timedelta(1)) if p]
