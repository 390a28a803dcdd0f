"""The checkpoint key: required in production, like the other secrets; refused when it is not an
Ed25519 seed; made once in development and kept."""

import base64

import pytest
from pydantic import ValidationError

from adapters.signing.ed25519 import BadSigningKeyError, Ed25519Signer
from application.bootstrap import checkpoint_signer
from application.settings import Settings

PRODUCTION = {"environment": "production", "jwt_secret": "s" * 40,
              "stripe_secret_key": "sk_live_x", "stripe_webhook_secret": "whsec_x"}


def test_production_refuses_to_start_without_a_checkpoint_key() -> None:
    with pytest.raises(ValidationError, match="LYRA_CHECKPOINT_SIGNING_KEY"):
        Settings(**PRODUCTION)  # type: ignore[arg-type]
    key = base64.b64encode(bytes(32)).decode()
    assert Settings(**PRODUCTION, checkpoint_signing_key=key)  # type: ignore[arg-type]


def test_a_key_that_is_not_a_seed_is_refused() -> None:
    with pytest.raises(BadSigningKeyError):
        Ed25519Signer.from_base64("not base64!")
    with pytest.raises(BadSigningKeyError):
        Ed25519Signer.from_base64(base64.b64encode(bytes(16)).decode())


def test_development_makes_one_key_and_keeps_it(tmp_path) -> None:
    settings = Settings(checkpoint_key_file=str(tmp_path / "k" / "signing.key"))
    first, second = checkpoint_signer(settings), checkpoint_signer(settings)
    assert first.public_key == second.public_key and len(first.key_id) == 16
    assert (tmp_path / "k" / "signing.key").stat().st_mode & 0o777 == 0o600
    assert list((tmp_path / "k").iterdir()) == [tmp_path / "k" / "signing.key"]
