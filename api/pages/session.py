"""Who is signed in on the pages: a signed session cookie (Starlette's, keyed by the JWT secret)
holding the user, their roles and a CSRF token that every form and htmx request must echo."""

import hmac
import secrets
from typing import Annotated, Any

from fastapi import Depends, Request

from api.auth import Principal
from api.errors import ApiError

CSRF_FIELD = "csrf"
CSRF_HEADER = "x-csrf-token"


class SignInRequired(Exception):
    """Raised by a page that needs a user; answered with a redirect to the sign-in page."""

    def __init__(self, next_url: str) -> None:
        self.next_url = next_url


def sign_in(request: Request, user_id: str, roles: list[str]) -> None:
    request.session.clear()
    request.session.update({"user_id": user_id, "roles": sorted(set(roles)),
                            "csrf": secrets.token_urlsafe(24)})


def sign_out(request: Request) -> None:
    request.session.clear()


def csrf_token(request: Request) -> str:
    token = request.session.get("csrf")
    if not token:
        token = request.session["csrf"] = secrets.token_urlsafe(24)
    return str(token)


def viewer(request: Request) -> Principal | None:
    user_id = request.session.get("user_id")
    if not user_id:
        return None
    return Principal(user_id=str(user_id), roles=frozenset(request.session.get("roles", [])))


def signed_in(request: Request) -> Principal:
    user = viewer(request)
    if user is None:
        raise SignInRequired(str(request.url.path))
    return user


async def checked_form(request: Request) -> dict[str, Any]:
    """The posted form, once its CSRF token matches the session's (or the htmx header does)."""
    form = dict(await request.form())
    sent = str(form.pop(CSRF_FIELD, "") or request.headers.get(CSRF_HEADER, ""))
    expected = request.session.get("csrf", "")
    if not expected or not hmac.compare_digest(sent, str(expected)):
        raise ApiError(403, "csrf_failed", "the form is stale or forged: reload the page")
    return form


Viewer = Annotated[Principal | None, Depends(viewer)]
SignedIn = Annotated[Principal, Depends(signed_in)]
Form = Annotated[dict[str, Any], Depends(checked_form)]
