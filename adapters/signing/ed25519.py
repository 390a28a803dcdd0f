"""The checkpoint signer: an Ed25519 key through `cryptography`.

The key is a 32-byte seed, base64, from settings (`LYRA_CHECKPOINT_SIGNING_KEY`). Outside
production, without one, a key is made on first start and kept in a file of its own (mode
0600), so development checkpoints stay verifiable across restarts.
"""

import base64
import binascii
import hashlib
import os
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat


class BadSigningKeyError(ValueError):
    pass


def key_id(public_key: bytes) -> str:
    return hashlib.sha256(public_key).digest()[:8].hex()


class Ed25519Signer:
    def __init__(self, seed: bytes) -> None:
        if len(seed) != 32:
            raise BadSigningKeyError("an Ed25519 signing key is 32 bytes (base64: 44 characters)")
        self._key = Ed25519PrivateKey.from_private_bytes(seed)
        self.public_key = self._key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        self.key_id = key_id(self.public_key)

    @classmethod
    def from_base64(cls, text: str) -> "Ed25519Signer":
        try:
            return cls(base64.b64decode(text.strip(), validate=True))
        except binascii.Error as error:
            raise BadSigningKeyError(f"the signing key is not base64: {error}") from None

    @classmethod
    def from_file(cls, path: str) -> "Ed25519Signer":
        """The key in `path`, made there first if there is none."""
        file = Path(path)
        if not file.exists():
            file.parent.mkdir(parents=True, exist_ok=True)
            draft = file.with_name(f".{file.name}.{os.getpid()}")
            descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(descriptor, "w") as out:
                out.write(base64.b64encode(os.urandom(32)).decode() + "\n")
            try:  # whole or not at all; a key another process made first wins
                os.link(draft, file)
            except FileExistsError:
                pass
            finally:
                draft.unlink()
        return cls.from_base64(file.read_text())

    def sign(self, message: bytes) -> bytes:
        return self._key.sign(message)
