"""Media in an S3-compatible object store (AWS S3, MinIO, Ceph, R2...) through boto3.

Objects are named `<prefix><sha256>`: written once (a second put of the same hash only drains
its chunks), read back by hash, and served to browsers through short-lived presigned links the
store issues, so media bytes never pass through the API. Large files go up as multipart uploads
(boto3's managed transfer); one a crash abandoned is what a sweep finds as partial and aborts.
"""

import tempfile
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import boto3  # type: ignore[import-untyped]
from botocore.config import Config  # type: ignore[import-untyped]
from botocore.exceptions import ClientError  # type: ignore[import-untyped]

from adapters.media.local_directory import _HASH

CHUNK_BYTES = 256 * 1024
SPOOL_BYTES = 8 * 1024 * 1024  # smaller uploads stay in memory on their way up


class S3MediaStore:
    def __init__(self, bucket: str, prefix: str = "", endpoint_url: str | None = None,
                 region: str | None = None, link_ttl_seconds: int = 300,
                 client: Any = None) -> None:
        self.bucket = bucket
        self.prefix = prefix
        self.link_ttl_seconds = link_ttl_seconds
        self._s3 = client or boto3.client(
            "s3", endpoint_url=endpoint_url, region_name=region,
            config=Config(signature_version="s3v4", retries={"mode": "standard"}))

    def _key(self, sha256: str) -> str:
        if not _HASH.match(sha256):
            raise ValueError("not a SHA-256 hex digest")
        return self.prefix + sha256

    def _exists(self, key: str) -> bool:
        try:
            self._s3.head_object(Bucket=self.bucket, Key=key)
            return True
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return False
            raise

    def put(self, sha256: str, chunks: Iterator[bytes]) -> None:
        key = self._key(sha256)
        if self._exists(key):
            for _ in chunks:  # drain: the caller's iterator may hold resources
                pass
            return
        with tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES) as spool:
            for chunk in chunks:
                spool.write(chunk)
            spool.seek(0)
            self._s3.upload_fileobj(spool, self.bucket, key)

    def read(self, sha256: str) -> Iterator[bytes] | None:
        try:
            body = self._s3.get_object(Bucket=self.bucket, Key=self._key(sha256))["Body"]
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                return None
            raise
        return iter(body.iter_chunks(CHUNK_BYTES))

    def link(self, sha256: str, content_type: str) -> str:
        """A presigned GET the browser follows, answered with the type LYRA decided."""
        return str(self._s3.generate_presigned_url(
            "get_object", ExpiresIn=self.link_ttl_seconds,
            Params={"Bucket": self.bucket, "Key": self._key(sha256),
                    "ResponseContentType": content_type,
                    "ResponseCacheControl": "private, max-age=60"}))

    def stored_before(self, moment: datetime) -> Iterator[tuple[str, bool]]:
        """(name, is_partial): each object last written before the moment, and each multipart
        upload begun before it and never completed (as `key/upload-id`)."""
        pages = self._s3.get_paginator("list_objects_v2").paginate(Bucket=self.bucket,
                                                                  Prefix=self.prefix)
        for page in pages:
            for found in page.get("Contents", []):
                name = found["Key"][len(self.prefix):]
                if _HASH.match(name) and found["LastModified"] < moment:
                    yield name, False
        uploads = self._s3.list_multipart_uploads(Bucket=self.bucket, Prefix=self.prefix)
        for upload in uploads.get("Uploads", []):
            if upload["Initiated"] < moment:
                yield f"{upload['Key']}/{upload['UploadId']}", True

    def delete(self, name: str, is_partial: bool = False) -> None:
        if is_partial:
            key, _, upload_id = name.rpartition("/")
            if not key.startswith(self.prefix) or not upload_id:
                raise ValueError("not a partial upload of this store")
            self._s3.abort_multipart_upload(Bucket=self.bucket, Key=key, UploadId=upload_id)
            return
        self._s3.delete_object(Bucket=self.bucket, Key=self._key(name))
