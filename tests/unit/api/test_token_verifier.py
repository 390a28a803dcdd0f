"""A remembered token is still refused once it expires, and a forged one is never remembered."""

import time

import pytest

from api.auth import AuthError, TokenVerifier, mint_token
from application.settings import Settings


def test_a_verified_token_is_remembered_until_it_expires(monkeypatch) -> None:
    settings = Settings(environment="test")
    verifier = TokenVerifier(settings)
    token = mint_token(settings, "fan-1", ["fan"], ttl_s=1)
    assert verifier.verify(token).user_id == "fan-1"

    checks: list[str] = []
    original = verifier._check
    monkeypatch.setattr(verifier, "_check", lambda t: checks.append(t) or original(t))
    assert verifier.verify(token).roles == frozenset({"fan"})
    assert checks == []  # remembered: the signature is not checked again

    time.sleep(1.05)  # past its exp (minted as a whole second at most 1 s ahead)
    with pytest.raises(AuthError, match="expired"):
        verifier.verify(token)


def test_a_token_signed_with_another_secret_is_refused_every_time() -> None:
    verifier = TokenVerifier(Settings(environment="test"))
    forged = mint_token(Settings(environment="test", jwt_secret="x" * 40), "admin-1", ["admin"])
    for _ in range(2):
        with pytest.raises(AuthError):
            verifier.verify(forged)
