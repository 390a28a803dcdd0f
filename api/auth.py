"""Bearer tokens: HS256 with a shared secret in development, or an identity provider's JWKS."""

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import jwt
import jwt.types

from application.settings import Settings

ROLES = ("fan", "creator", "admin", "auditor", "finance")


@dataclass(frozen=True)
class Principal:
    user_id: str
    roles: frozenset[str]

    def has(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))


class AuthError(Exception):
    pass


_REMEMBERED_TOKENS = 10_000


class TokenVerifier:
    """Checks a token's signature and claims once, then remembers it until it expires: a client
    sends the same token with every request, and checking it again was a sixth of a tip's
    time in the API process. Expiry is still checked on every request."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._jwks = jwt.PyJWKClient(settings.jwt_jwks_url) if settings.jwt_jwks_url else None
        self._verified: OrderedDict[str, tuple[Principal, float]] = OrderedDict()
        self._lock = threading.Lock()

    def verify(self, token: str) -> Principal:
        remembered = self._verified.get(token)
        if remembered is not None:
            principal, expires_at = remembered
            if time.time() < expires_at:
                return principal
            self._verified.pop(token, None)
        principal, expires_at = self._check(token)
        with self._lock:
            if len(self._verified) >= _REMEMBERED_TOKENS:
                self._verified.popitem(last=False)  # the oldest, in constant time
            self._verified[token] = (principal, expires_at)
        return principal

    def _check(self, token: str) -> tuple[Principal, float]:
        options: jwt.types.Options = {"require": ["sub", "exp"]}
        try:
            if self._jwks is not None:
                key: Any = self._jwks.get_signing_key_from_jwt(token).key
                algorithms = ["RS256", "ES256"]
            else:
                key, algorithms = self._settings.jwt_secret, ["HS256"]
            claims = jwt.decode(token, key, algorithms=algorithms, options=options,
                                audience=self._settings.jwt_audience,
                                issuer=self._settings.jwt_issuer)
        except jwt.PyJWTError as error:
            raise AuthError(f"invalid bearer token: {error}") from None
        roles = claims.get("roles") or ([claims["role"]] if claims.get("role") else [])
        if isinstance(roles, str):
            roles = [roles]
        return (Principal(user_id=str(claims["sub"]),
                          roles=frozenset(r for r in roles if r in ROLES)),
                float(claims["exp"]))


def bearer_token(header: str) -> str | None:
    """The token of an `Authorization: Bearer ...` header, or None for any other header."""
    scheme, _, token = header.partition(" ")
    return (token.strip() or None) if scheme.lower() == "bearer" else None


def mint_token(settings: Settings, user_id: str, roles: list[str], ttl_s: int = 86_400) -> str:
    """A development token signed with the shared secret (what `lyra token` prints)."""
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise ValueError(f"unknown roles: {', '.join(sorted(unknown))}")
    now = int(time.time())
    claims: dict[str, Any] = {"sub": user_id, "roles": roles, "iat": now, "exp": now + ttl_s}
    if settings.jwt_audience:
        claims["aud"] = settings.jwt_audience
    if settings.jwt_issuer:
        claims["iss"] = settings.jwt_issuer
    return jwt.encode(claims, settings.jwt_secret, algorithm="HS256")
