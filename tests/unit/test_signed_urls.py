"""Signed media links: valid for their item until they expire, and nothing else."""

from datetime import UTC, datetime, timedelta

from application.content.signed_urls import MediaUrlSigner

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def test_a_link_is_valid_for_its_item_until_it_expires() -> None:
    signer = MediaUrlSigner("secret", ttl_seconds=300)
    expires, signature = signer.sign("item-1", NOW)
    assert signer.valid("item-1", expires, signature, NOW + timedelta(seconds=300))
    assert not signer.valid("item-1", expires, signature, NOW + timedelta(seconds=301))
    assert not signer.valid("item-2", expires, signature, NOW)
    assert not signer.valid("item-1", expires + 1, signature, NOW)
    assert not MediaUrlSigner("other", 300).valid("item-1", expires, signature, NOW)
    assert not signer.valid("item-1", expires, signature[:-1] + "\x80", NOW)  # not a crash
