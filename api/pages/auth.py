"""Signing in to the pages: with the identity provider's token in production; in development, a
page that picks a user and roles (refused when LYRA_ENVIRONMENT=production)."""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from api.auth import AuthError, TokenVerifier
from api.deps import CoreDep
from api.pages.render import flash, page
from api.pages.session import Form, SignedIn, sign_in, sign_out
from application import demo_cast

router = APIRouter(include_in_schema=False)
ROLES = ("fan", "creator", "admin", "finance", "auditor")


def _safe_next(target: Any) -> str:
    target = str(target or "/")
    return target if target.startswith("/") and not target.startswith("//") else "/"


@router.get("/login")
def login_page(request: Request, core: CoreDep, next: str = "/") -> Response:
    development = core.settings.environment != "production"
    return page(request, "login.html", development=development, roles=ROLES,
                next=_safe_next(next),
                demo_users=demo_cast.CAST if development and core.settings.demo else ())


@router.post("/login")
def login(request: Request, core: CoreDep, form: Form) -> Response:
    """Development sign-in: any user id with the roles ticked."""
    if core.settings.environment == "production":
        return page(request, "login.html", status_code=403, development=False, roles=ROLES,
                    next="/", error="development sign-in is off in production")
    user_id = str(form.get("user_id", "")).strip()
    roles = [r for r in ROLES if form.get(f"role_{r}")]
    if not user_id or len(user_id) > 100 or not roles:
        return page(request, "login.html", status_code=422, development=True, roles=ROLES,
                    next=_safe_next(form.get("next")), error="a user id and a role, please")
    sign_in(request, user_id, roles)
    return RedirectResponse(_safe_next(form.get("next")), status_code=303)


@router.post("/login/token")
def login_with_token(request: Request, form: Form) -> Response:
    """Production sign-in: the identity provider's token, verified like the API's."""
    verifier: TokenVerifier = request.app.state.verifier
    try:
        principal = verifier.verify(str(form.get("token", "")).strip())
    except AuthError as error:
        flash(request, f"sign-in failed: {error}", "bad")
        return RedirectResponse("/login", status_code=303)
    sign_in(request, principal.user_id, sorted(principal.roles))
    return RedirectResponse(_safe_next(form.get("next")), status_code=303)


@router.post("/logout")
def logout(request: Request, form: Form) -> Response:
    sign_out(request)
    return RedirectResponse("/", status_code=303)


@router.post("/mode")
def switch_mode(request: Request, user: SignedIn, form: Form) -> Response:
    """Fan mode or creator mode, for approved creators."""
    request.session["mode"] = "creator" if form.get("mode") == "creator" and \
        user.has("creator") else "fan"
    return RedirectResponse("/creator" if request.session["mode"] == "creator" else "/",
                            status_code=303)
