"""Short-lived signed media URLs: whoever holds one may fetch that item until it expires.

Access is decided when the URL is made (who may view the item); the URL carries the item and its
expiry under an HMAC, so serving the bytes needs no session and no database read of who the
viewer is. A takedown still wins: the item is checked again when served.
"""

import hashlib
import hmac
from datetime import datetime


class MediaUrlSigner:
    def __init__(self, secret: str, ttl_seconds: int) -> None:
        self._key = hmac.new(secret.encode(), b"lyra-media-urls", hashlib.sha256).digest()
        self.ttl_seconds = ttl_seconds

    def _signature(self, item_id: str, expires: int) -> str:
        return hmac.new(self._key, f"{item_id}.{expires}".encode(), hashlib.sha256).hexdigest()

    def sign(self, item_id: str, now: datetime) -> tuple[int, str]:
        expires = int(now.timestamp()) + self.ttl_seconds
        return expires, self._signature(item_id, expires)

    def valid(self, item_id: str, expires: int, signature: str, now: datetime) -> bool:
        if expires < int(now.timestamp()) or not signature.isascii():
            return False
        return hmac.compare_digest(self._signature(item_id, expires), signature)
